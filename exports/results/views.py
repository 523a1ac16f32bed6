"""Results pages: the team's dashboards, the public page and the collectivités' benchmarks."""

import io
from datetime import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from barometre.roles import is_staff_member, results_reader_required, staff_required
from barometre.tasks import enqueue_on_commit
from exports.results.aggregates import ResultFilters
from exports.results.benchmark import benchmark, counted_response
from exports.results.cache import (
    CACHE_TIMEOUT,
    benchmark_page_key,
    get_breakdown,
    get_results,
    public_page_key,
)
from exports.results.chart_files import charts_zip
from exports.results.charts import breakdown_chart, question_chart, trend_chart, value_unit
from exports.results.disclosure import (
    MIN_RESPONDENTS,
    suppress_results,
)
from exports.results.forms import BreakdownForm, ResultFiltersForm, TrendsForm
from exports.results.publication import (
    latest,
    latest_version,
    public_breakdown_figures,
    public_figures,
)
from exports.results.representativeness import results_page_section
from exports.results.tasks import recompute_edition_results, request_panel_trends
from exports.results.trends import TrendsKey, get_trends
from exports.results.trends_export import TrendsExporter
from exports.services.opendata import is_public, slug, stored_package
from exports.services.writers import write_csv
from respondents.access import RespondentRequest, respondent_required
from respondents.models import Collectivite
from surveys.models import Edition, Response
from surveys.rules import rules_of


def _with_charts(questions: list[dict]) -> list[dict]:
    return [{**q, "chart": question_chart(q), "value_unit": value_unit(q)} for q in questions]


def _charts_download(edition: Edition, questions: list[dict], name: str) -> HttpResponse:
    response = HttpResponse(charts_zip(_with_charts(questions)), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}-{edition.year}.zip"'
    return response


@results_reader_required
def results_index(request: HttpRequest) -> HttpResponse:
    editions = Edition.objects.exclude(status=Edition.Status.DRAFT).order_by("-year")
    return render(request, "results/index.html", {"editions": editions})


def _charts_url(year: int, filters: ResultFilters | None) -> str:
    """The ZIP of the page's charts, with the page's filters (the cached page holds the link)."""
    asked = {k: v for k, v in (filters.cells() if filters else {}).items() if v}
    url = reverse("results:charts", args=[year])
    return f"{url}?{urlencode(asked)}" if asked else url


@results_reader_required
def edition_results(request: HttpRequest, year: int) -> HttpResponse:
    edition = get_object_or_404(Edition, year=year)
    form = ResultFiltersForm(request.GET or None)
    filters = form.filters() if form.is_bound else None
    results = get_results(edition, filters)
    published = latest(edition) if edition.status == Edition.Status.PUBLISHED else None
    can_act = is_staff_member(request.user)
    weighted = request.GET.get("pondere") == "1"
    switch = request.GET.copy()
    switch.pop("pondere", None)
    if not weighted:
        switch["pondere"] = "1"
    return render(
        request,
        "results/edition.html",
        {
            "representativeness": results_page_section(edition, results, filters, weighted),
            "weighting_switch": f"?{switch.urlencode()}",
            "edition": edition,
            "form": form,
            "results": results,
            "questions": _with_charts(results["questions"]),
            "filters": filters.describe() if filters else [],
            "computed_at": datetime.fromisoformat(results["computed_at"]),
            "can_recompute": can_act,
            "decimals": rules_of(edition).rounding.staff,
            "published": published,
            "errata": list(published.errata.all()) if published else [],
            "can_republish": can_act and edition.status == Edition.Status.PUBLISHED,
            "min_respondents": MIN_RESPONDENTS,
            "chart_files_url": _charts_url(year, filters),
        },
    )


@results_reader_required
def edition_charts(request: HttpRequest, year: int) -> HttpResponse:
    """Every chart of the analysts' page (same filters) as SVG, PNG and CSV, in one ZIP."""
    edition = get_object_or_404(Edition, year=year)
    form = ResultFiltersForm(request.GET or None)
    filters = form.filters() if form.is_bound else None
    return _charts_download(edition, get_results(edition, filters)["questions"], "graphiques")


@require_POST
@staff_required
def recompute(request: HttpRequest, year: int) -> HttpResponse:
    edition = get_object_or_404(Edition, year=year)
    enqueue_on_commit(recompute_edition_results, edition.pk, rebuild=True)
    messages.success(
        request,
        "Recalcul des résultats lancé : rechargez la page dans quelques secondes.",
    )
    return redirect("results:edition", year=edition.year)


def _breakdown_page(request: HttpRequest, edition: Edition, public: bool) -> HttpResponse:
    results = get_results(edition)
    form = BreakdownForm(request.GET or None, questions=results["questions"])
    rounding = rules_of(edition).rounding
    breakdown = None
    if form.is_valid():
        question = edition.questions.get(code=form.cleaned_data["question"])
        breakdown = get_breakdown(edition, question, form.cleaned_data["par"])
        if public:
            breakdown = public_breakdown_figures(breakdown, rounding.public)
        breakdown["chart"] = breakdown_chart(breakdown)
    return render(
        request,
        "results/breakdown.html",
        {
            "edition": edition,
            "form": form,
            "breakdown": breakdown,
            "public": public,
            "min_respondents": MIN_RESPONDENTS,
            "decimals": rounding.public if public else rounding.staff,
        },
    )


@results_reader_required
def breakdown(request: HttpRequest, year: int) -> HttpResponse:
    return _breakdown_page(request, get_object_or_404(Edition, year=year), public=False)


def _trends_body(key: TrendsKey) -> str | None:
    """The trends' figures rendered once per results generation and change stamp of the
    editions they read (`TrendsKey`), for each reading (all respondents, with the panel).
    None while a worker computes the panel."""
    body = cache.get(key.page("page"))
    if body is None:
        if key.panel:
            data = request_panel_trends(key)
            if data is None:
                return None
        else:
            data = get_trends(key.edition, False, key)
        for trend in data["questions"]:
            trend["chart"] = trend_chart(trend)
        body = render_to_string(
            "results/trends_body.html", {"trends": data, "min_respondents": MIN_RESPONDENTS}
        )
        cache.set(key.page("page"), body, CACHE_TIMEOUT)
    return body


@results_reader_required
def trends(request: HttpRequest, year: int) -> HttpResponse:
    form = TrendsForm(request.GET or None)
    key = TrendsKey.of_year(year, form.wants_panel())
    if key is None:
        raise Http404("Aucune édition pour cette année.")
    body = _trends_body(key)
    computing = body is None
    if body is None:
        # The panel is on its way: every respondent's trends meanwhile.
        body = _trends_body(TrendsKey(key.edition, panel=False, among=key.editions))
    return render(
        request,
        "results/trends.html",
        {
            "edition": key.edition,
            "form": form,
            "panel": key.panel,
            "computing": computing,
            "body": body,
            "min_respondents": MIN_RESPONDENTS,
        },
    )


@results_reader_required
def trends_csv(request: HttpRequest, year: int) -> HttpResponse:
    """The trends, every respondent's and each step's constant panel, as CSV for Excel."""
    edition = get_object_or_404(Edition, year=year)
    data = request_panel_trends(TrendsKey(edition, panel=True))
    if data is None:
        messages.info(
            request,
            "Le panel constant est en cours de calcul : le fichier des tendances sera "
            "disponible dans quelques instants.",
        )
        return redirect(f"{reverse('results:trends', args=[year])}?panel=on")
    stream = io.StringIO()
    exporter = TrendsExporter(data, header_labels=True)
    write_csv(exporter, exporter.sheets()[0], stream, excel_fr=True)
    response = HttpResponse(stream.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="tendances-{edition.year}.csv"'
    return response


def _published(year: int) -> Edition:
    edition = get_object_or_404(Edition, year=year)
    if edition.status != Edition.Status.PUBLISHED:
        raise Http404("Les résultats de cette édition ne sont pas publiés.")
    return edition


def public_results(request: HttpRequest, year: int) -> HttpResponse:
    """The figures frozen at the last publication, with the errata noted since; the page's body
    is rendered once per results generation and publication (`public_page_key`)."""
    edition = _published(year)
    key = public_page_key(edition, latest_version(edition))
    body = cache.get(key)
    if body is None:
        body = _public_body(edition)
        cache.set(key, body, CACHE_TIMEOUT)
    return render(request, "results/public.html", {"edition": edition, "body": body})


def _public_body(edition: Edition) -> str:
    published = latest(edition)
    if published is not None:
        results = published.data
    else:
        # Published before figures were frozen: the live figures, with the same controls.
        results = public_figures(get_results(edition), rules_of(edition).rounding.public)
    return render_to_string(
        "results/public_body.html",
        {
            "edition": edition,
            "results": results,
            "questions": _with_charts(results["questions"]),
            "min_respondents": MIN_RESPONDENTS,
            "opendata": edition.opendata_questions,
            "decimals": results["decimals"],
            "published": published,
            "errata": list(published.errata.all()) if published else [],
            "chart_files_url": reverse("results:public-charts", args=[edition.year]),
        },
    )


def public_charts(request: HttpRequest, year: int) -> HttpResponse:
    """The public page's charts (small cells hidden) as SVG, PNG and CSV, in one ZIP."""
    edition = _published(year)
    questions = suppress_results(get_results(edition))["questions"]
    return _charts_download(edition, questions, "graphiques-publics")


def public_opendata(request: HttpRequest, year: int) -> FileResponse:
    """The open dataset's ZIP, for everyone, once the edition is published and declares it."""
    edition = _published(year)
    if not is_public(edition):
        raise Http404("Cette édition ne publie pas de données par collectivité.")
    name = stored_package(edition)
    return FileResponse(
        default_storage.open(name, "rb"),
        as_attachment=True,
        filename=f"{slug(edition)}.zip",
        content_type="application/zip",
    )


def public_breakdown(request: HttpRequest, year: int) -> HttpResponse:
    return _breakdown_page(request, _published(year), public=True)


def _benchmark_body(edition: Edition, response: Response) -> str:
    """The benchmark's figures rendered once per collectivité, answers and results generation."""
    stamp = f"{response.pk}.{response.version}.{response.updated_at.timestamp()}"
    key = benchmark_page_key(edition.pk, response.collectivite_id, stamp)
    body = cache.get(key)
    if body is None:
        data = benchmark(edition, response.collectivite)
        if data is None:
            return ""
        data["questions"] = _with_charts(data["questions"])
        body = render_to_string(
            "results/benchmark_body.html",
            {"benchmark": data, "min_respondents": MIN_RESPONDENTS, "pdf": False},
        )
        cache.set(key, body, CACHE_TIMEOUT)
    return body


def _benchmark_page(
    request: HttpRequest, edition: Edition, collectivite: Collectivite, staff: bool
) -> HttpResponse:
    response = counted_response(edition, collectivite)
    return render(
        request,
        "results/benchmark.html",
        {
            "edition": edition,
            "collectivite": collectivite,
            "body": _benchmark_body(edition, response) if response is not None else None,
            "staff": staff,
        },
    )


@staff_required
def collectivite_benchmark(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    edition = get_object_or_404(Edition, year=year)
    collectivite = get_object_or_404(Collectivite, pk=pk)
    return _benchmark_page(request, edition, collectivite, staff=True)


@respondent_required
def my_benchmark(request: RespondentRequest, year: int) -> HttpResponse:
    """The respondent's own benchmark: the collectivité comes from the magic-link session."""
    respondent = request.respondent
    return _benchmark_page(request, respondent.edition, respondent.collectivite, staff=False)
