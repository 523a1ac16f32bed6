"""The read API (/api/v1/): thin views over the platform's services (see api/sources.py)."""

from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import fields as drf_fields
from rest_framework import generics, permissions, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response as ApiResponse
from rest_framework.views import APIView

from api import serializers as s
from api.answers import AnswerShaper
from api.models import ApiCall
from api.permissions import is_staff
from api.sources import (
    MIN_RESPONDENTS,
    Collectivite,
    Edition,
    ExportJob,
    Response,
    ResultFilters,
    all_figures,
    enqueue_on_commit,
    export_definition,
    get_results,
    is_public,
    read_package,
    run_export,
    stored_package,
    suppress_results,
    tranche_population,
)
from api.throttling import PublicRateThrottle

COUNTED = (Response.Status.SUBMITTED, Response.Status.VALIDATED)
YEAR = OpenApiParameter("year", int, OpenApiParameter.PATH, description="Année de l'édition")
JOB = OpenApiParameter("id", int, OpenApiParameter.PATH, description="Identifiant de l'export")


class Logged:
    """Every call is logged: token and user (or anonymous), method, path, query, status.

    A query parameter the operation does not know is refused (400): a typo such as `regoin=53`
    would otherwise silently return everything.
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        filters_class = getattr(self, "filters_class", None)
        known = set(filters_class().fields) if filters_class else set()
        if getattr(self, "pagination_class", None) is ById:
            known |= {"cursor", ById.page_size_query_param}
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            raise ValidationError({name: ["Paramètre inconnu."] for name in unknown})

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        user = getattr(request, "user", None)
        token = getattr(request, "auth", None)
        ApiCall.objects.create(
            token=token if token is not None and hasattr(token, "key_hash") else None,
            user=user if user is not None and user.is_authenticated else None,
            method=request.method[:10],
            path=request.path[:500],
            query=request.META.get("QUERY_STRING", "")[:2000],
            status_code=response.status_code,
        )
        return response


class PublicMixin(Logged):
    authentication_classes: list = []
    permission_classes = [permissions.AllowAny]
    throttle_classes = [PublicRateThrottle]


def _filters(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    # DRF reads an empty query parameter as an absent one; here it is a mistake worth a 400.
    blank = [name for name in serializer.fields if request.query_params.get(name) == ""]
    if blank:
        raise ValidationError({name: ["Ce paramètre ne peut pas être vide."] for name in blank})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _referential_q(data: dict, prefix: str = ""):
    from django.db.models import Q

    q = Q()
    if data.get("type"):
        q &= Collectivite.type_filter(data["type"], prefix)
    if data.get("tranche"):
        q &= Collectivite.tranche_filter(data["tranche"], prefix)
    if data.get("region"):
        q &= Q(**{f"{prefix}region_code": data["region"]})
    return q


def _edition(year: int) -> Edition:
    return get_object_or_404(Edition, year=year)


def _published(year: int) -> Edition:
    edition = _edition(year)
    if edition.status != Edition.Status.PUBLISHED:
        raise Http404("Les résultats de cette édition ne sont pas publiés.")
    return edition


class ById(CursorPagination):
    """Pages in id order; a cursor stays right while responses are added or changed."""

    ordering = "pk"
    page_size = 200
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request) -> int:
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        try:
            size = int(values[-1])
        except ValueError:
            size = 0
        if len(values) > 1 or not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"Un entier entre 1 et {self.max_page_size}, une seule fois."]}
            )
        return size

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # DRF checks the cursor's encoding, not its position: a forged one must not reach SQL.
        if cursor is not None and cursor.position is not None:
            position = str(cursor.position)
            if not position.isdigit() or int(position) >= 2**63:
                raise NotFound(self.invalid_cursor_message)
        return cursor

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters


# --- Editions and referential ---------------------------------------------------------------


@extend_schema(tags=["éditions"], summary="Les éditions")
class EditionList(Logged, generics.ListAPIView):
    serializer_class = s.EditionSerializer
    queryset = Edition.objects.order_by("-year")
    pagination_class = None


@extend_schema(tags=["éditions"], summary="Une édition et sa définition", parameters=[YEAR])
class EditionDetail(Logged, generics.RetrieveAPIView):
    serializer_class = s.EditionDetailSerializer
    queryset = Edition.objects.all()
    lookup_field = "year"

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if "year" in self.kwargs:
            context["definition"] = export_definition(_edition(self.kwargs["year"]))
        return context


@extend_schema(
    tags=["référentiel"],
    summary="Les collectivités du référentiel (champs publics)",
    parameters=[s.CollectiviteFilters],
)
class CollectiviteList(Logged, generics.ListAPIView):
    serializer_class = s.CollectiviteSerializer
    pagination_class = ById
    filters_class = s.CollectiviteFilters

    def get_queryset(self):
        data = _filters(s.CollectiviteFilters, self.request)
        rows = Collectivite.objects.filter(_referential_q(data))
        if data.get("q"):
            rows = rows.filter(name__istartswith=data["q"])
        return rows


# --- Responses ------------------------------------------------------------------------------


class ResponseQueries:
    serializer_class = s.ResponseSerializer
    # Provided by the generic view it is mixed into.
    request: Request
    filters: dict
    filters_class = s.ResponseFilters

    def statuses(self) -> tuple:
        wanted = self.filters.get("status")
        if wanted in ("draft", "all") and not is_staff(self.request):
            raise PermissionDenied("Les brouillons ne sont lisibles que par l'équipe.")
        if wanted == "all":
            return tuple(Response.Status.values)
        return (wanted,) if wanted else COUNTED

    def get_queryset(self):
        self.edition = _edition(self.kwargs["year"])
        self.filters = _filters(s.ResponseFilters, self.request)
        rows = Response.objects.filter(edition=self.edition, status__in=self.statuses())
        rows = rows.filter(_referential_q(self.filters, "collectivite__"))
        if self.filters.get("modified_since"):
            rows = rows.filter(updated_at__gte=self.filters["modified_since"])
        return rows.select_related("edition", "collectivite")

    def shaped(self, responses) -> dict:
        shaper = AnswerShaper(self.edition, labels=self.filters.get("values") == "labels")
        return shaper.shape([r.pk for r in responses])


def _moment(value) -> str | None:
    return drf_fields.DateTimeField().to_representation(value) if value else None


def collectivite_data(collectivite: Collectivite) -> dict:
    return {
        "kind": collectivite.kind,
        "code": collectivite.code,
        "siren": collectivite.siren,
        "name": collectivite.name,
        "type_collectivite": collectivite.type_collectivite,
        "epci_type": collectivite.epci_type,
        "population": collectivite.population,
        "tranche_population": tranche_population(collectivite.population),
        "departement_code": collectivite.departement_code,
        "region_code": collectivite.region_code,
        "is_active": collectivite.is_active,
    }


def response_data(response: Response, shaped: tuple[dict, dict]) -> dict:
    """One response as `s.ResponseSerializer` describes it."""
    return {
        "id": response.pk,
        "edition": response.edition.year,
        "status": response.status,
        "collectivite": collectivite_data(response.collectivite),
        "created_at": _moment(response.created_at),
        "updated_at": _moment(response.updated_at),
        "submitted_at": _moment(response.submitted_at),
        "validated_at": _moment(response.validated_at),
        "answers": shaped[0],
        "rosters": shaped[1],
    }


@extend_schema(
    tags=["réponses"],
    summary="Les réponses d'une édition, page par page",
    parameters=[YEAR, s.ResponseFilters],
)
class ResponseList(Logged, ResponseQueries, generics.ListAPIView):
    pagination_class = ById

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        answers = self.shaped(page)
        # Plain dicts in the serializer's shape: a page of 1,000 responses is built several
        # times faster than through DRF's fields (the schema still comes from the serializer).
        data = [response_data(response, answers[response.pk]) for response in page]
        return self.get_paginated_response(data)


@extend_schema(
    tags=["réponses"],
    summary="Une réponse",
    parameters=[YEAR, OpenApiParameter("id", int, OpenApiParameter.PATH), s.ResponseFilters],
)
class ResponseDetail(Logged, ResponseQueries, generics.RetrieveAPIView):
    lookup_field = "pk"
    lookup_url_kwarg = "id"

    def retrieve(self, request, *args, **kwargs):
        response = self.get_object()
        context = {**self.get_serializer_context(), "answers": self.shaped([response])}
        return ApiResponse(s.ResponseSerializer(response, context=context).data)


# --- Results and follow-up ------------------------------------------------------------------


@extend_schema(
    tags=["résultats"],
    summary="Les chiffres d'une édition (mêmes filtres que la page des résultats)",
    parameters=[YEAR, s.ReferentialFilters],
    responses=s.ResultsSerializer,
)
class Results(Logged, APIView):
    filters_class = s.ReferentialFilters

    def get(self, request, year: int):
        edition = _edition(year)
        data = _filters(s.ReferentialFilters, request)
        filters = ResultFilters(**{key: data.get(key, "") for key in ("type", "tranche", "region")})
        return ApiResponse(get_results(edition, None if filters.is_empty else filters))


def _figures(figures) -> dict:
    return {
        name: getattr(figures, name)
        for name in ("key", "label", "total", "invited", "opened", "started", "submitted")
    } | {"rates": figures.rates}


@extend_schema(
    tags=["suivi"],
    summary="Le suivi de la collecte : invitées, ouvertes, commencées, envoyées",
    parameters=[YEAR],
    responses=s.FollowupSerializer,
)
class Followup(Logged, APIView):
    def get(self, request, year: int):
        edition = _edition(year)
        overall, breakdowns = all_figures(edition)
        return ApiResponse(
            {
                "edition": edition.year,
                "overall": _figures(overall),
                **{name: [_figures(f) for f in groups] for name, groups in breakdowns.items()},
            }
        )


# --- Public endpoints -----------------------------------------------------------------------


@extend_schema(tags=["public"], summary="Les éditions publiées", auth=[])
class PublicEditionList(PublicMixin, generics.ListAPIView):
    serializer_class = s.EditionSerializer
    queryset = Edition.objects.filter(status=Edition.Status.PUBLISHED).order_by("-year")
    pagination_class = None


@extend_schema(
    tags=["public"],
    summary="Les chiffres publiés (cellules de moins de 5 répondants masquées)",
    parameters=[YEAR],
    responses=s.ResultsSerializer,
    auth=[],
)
class PublicResults(PublicMixin, APIView):
    def get(self, request, year: int):
        return ApiResponse(suppress_results(get_results(_published(year))))


def opendata_rows(results: dict) -> list[dict]:
    """The public figures as one flat table: a row per question × (matrix row) × option."""
    rows = []

    def add(question, row, cell, base, count="count", percent="percent"):
        rows.append(
            {
                "question": question["code"],
                "row": row,
                "option": cell.get("code") if cell else None,
                "label": cell.get("label") if cell else None,
                "base": base,
                "count": cell.get(count) if cell else None,
                "percent": cell.get(percent) if cell else None,
                "suppressed": bool(cell is None or cell.get("suppressed")),
            }
        )

    for question in results["questions"]:
        base = question.get("base")
        if question.get("hidden"):
            add(question, None, None, None)
            continue
        for cell in question.get("choices", []):
            add(question, None, cell, base)
        for matrix_row in question.get("rows", []):
            for cell in matrix_row["cells"]:
                add(question, matrix_row["code"], cell, matrix_row["base"])
        for item in question.get("items", []):
            add(question, None, item, base, "top3", "top3_percent")
        for bracket in (question.get("number") or {}).get("brackets", []):
            add(question, None, bracket, (question.get("number") or {}).get("count"))
    return rows


@extend_schema(
    tags=["public"],
    summary="Les données ouvertes d'une édition publiée (table à plat, secret statistique)",
    parameters=[YEAR],
    responses=s.OpenDataSerializer,
    auth=[],
)
class PublicOpenData(PublicMixin, APIView):
    def get(self, request, year: int):
        edition = _published(year)
        results = suppress_results(get_results(edition))
        collectivites = None
        if is_public(edition):
            # The very file the public page serves: one computation for both.
            package, rows = read_package(stored_package(edition))
            collectivites = {
                "download_url": request.build_absolute_uri(
                    reverse("results:public-opendata", args=[edition.year])
                ),
                "fields": package["resources"][0]["schema"]["fields"],
                "rows": rows,
            }
        return ApiResponse(
            {
                "edition": edition.year,
                "min_respondents": MIN_RESPONDENTS,
                "rows": opendata_rows(results),
                "collectivites": collectivites,
            }
        )


# --- Export jobs ----------------------------------------------------------------------------


@extend_schema(tags=["exports"])
class ExportJobs(Logged, APIView):
    @extend_schema(
        summary="Lancer un export des réponses (équipe)",
        parameters=[YEAR],
        request=s.ExportJobCreateSerializer,
        responses={202: s.ExportJobSerializer},
    )
    def post(self, request, year: int):
        edition = _edition(year)
        form = s.ExportJobCreateSerializer(data=request.data, context={"edition": edition})
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        filters = {
            key: data.pop(key)
            for key in ("type_collectivite", "tranche_population", "region", "status")
            if data.get(key)
        }
        with transaction.atomic():
            job = ExportJob.objects.create(
                edition=edition, filters=filters, created_by=request.user, **data
            )
            enqueue_on_commit(run_export, job.pk)
        return ApiResponse(
            s.ExportJobSerializer(job, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )


@extend_schema(tags=["exports"], summary="L'état d'un export", parameters=[JOB])
class ExportJobDetail(Logged, generics.RetrieveAPIView):
    serializer_class = s.ExportJobSerializer
    queryset = ExportJob.objects.select_related("edition")


@extend_schema(
    tags=["exports"],
    summary="Télécharger le fichier d'un export terminé",
    parameters=[JOB],
    responses={
        (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY),
        404: OpenApiResponse(description="Export inconnu, pas terminé ou expiré"),
    },
)
class ExportJobDownload(Logged, APIView):
    def get(self, request, pk: int):
        job = get_object_or_404(ExportJob.objects.select_related("edition"), pk=pk)
        if not job.is_downloadable:
            raise Http404("Cet export n'est pas (ou plus) disponible.")
        try:
            stream = job.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404("Fichier introuvable : il a peut-être expiré.") from exc
        return FileResponse(
            stream,
            as_attachment=True,
            filename=job.filename(),
            content_type=job.content_type,
        )


@extend_schema(exclude=True)
class UnknownAddress(PublicMixin, APIView):
    def initial(self, request, *args, **kwargs):
        # Whatever its parameters, an unknown address is a 404.
        APIView.initial(self, request, *args, **kwargs)

    def get(self, request):
        raise Http404("Aucune ressource à cette adresse.")

    post = put = patch = delete = get
