"""The API's shapes. Field names are the spec's codes (type_collectivite, tranche_population…)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.models import ApiCall
from api.sources import (
    COLUMN_GROUPS,
    REGIONS,
    TRANCHES_POPULATION,
    TYPES_COLLECTIVITE,
    Collectivite,
    Edition,
    ExportJob,
    Response,
    tranche_population,
)

TRANCHE_CODES = [code for code, _label, _low, _high in TRANCHES_POPULATION]


class EditionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Edition
        fields = ["year", "title", "status", "opens_at", "closes_at"]


class EditionDetailSerializer(EditionSerializer):
    definition = serializers.SerializerMethodField(
        help_text="La définition complète : sections, questions, choix, lignes, conditions."
    )

    class Meta(EditionSerializer.Meta):
        fields = [*EditionSerializer.Meta.fields, "introduction", "definition"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_definition(self, edition: Edition) -> dict:
        return self.context["definition"]


class CollectiviteSerializer(serializers.ModelSerializer):
    type_collectivite = serializers.CharField(read_only=True)
    tranche_population = serializers.SerializerMethodField()

    class Meta:
        model = Collectivite
        fields = [
            "kind",
            "code",
            "siren",
            "name",
            "type_collectivite",
            "epci_type",
            "population",
            "tranche_population",
            "departement_code",
            "region_code",
            "is_active",
        ]

    def get_tranche_population(self, collectivite: Collectivite) -> str | None:
        return tranche_population(collectivite.population)


class ReferentialFilters(serializers.Serializer):
    type = serializers.ChoiceField(choices=list(TYPES_COLLECTIVITE), required=False)
    tranche = serializers.ChoiceField(choices=TRANCHE_CODES, required=False)
    region = serializers.ChoiceField(choices=list(REGIONS), required=False)


class CollectiviteFilters(ReferentialFilters):
    q = serializers.CharField(required=False, max_length=100, help_text="Début du nom")


class ResponseFilters(ReferentialFilters):
    status = serializers.ChoiceField(
        choices=["submitted", "validated", "draft", "all"],
        required=False,
        help_text="Par défaut, les réponses envoyées et validées ; brouillons : équipe seulement.",
    )
    modified_since = serializers.DateTimeField(required=False)
    values = serializers.ChoiceField(
        choices=["codes", "labels"], default="codes", help_text="Codes ou libellés des choix"
    )


class RosterSheetSerializer(serializers.Serializer):
    item = serializers.IntegerField()
    answers = serializers.DictField(child=serializers.JSONField())


class ResponseSerializer(serializers.ModelSerializer):
    edition = serializers.IntegerField(source="edition.year", read_only=True)
    collectivite = CollectiviteSerializer(read_only=True)
    answers = serializers.SerializerMethodField(
        help_text="Par code de question ; « <code>_autre » pour la précision d'un choix autre."
    )
    rosters = serializers.SerializerMethodField(help_text="Par code de question répétée")

    class Meta:
        model = Response
        fields = [
            "id",
            "edition",
            "status",
            "collectivite",
            "created_at",
            "updated_at",
            "submitted_at",
            "validated_at",
            "answers",
            "rosters",
        ]

    @extend_schema_field(serializers.DictField(child=serializers.JSONField()))
    def get_answers(self, response: Response) -> dict:
        return self.context["answers"].get(response.pk, ({}, {}))[0]

    @extend_schema_field(serializers.DictField(child=RosterSheetSerializer(many=True)))
    def get_rosters(self, response: Response) -> dict:
        return self.context["answers"].get(response.pk, ({}, {}))[1]


class ResultsSerializer(serializers.Serializer):
    """The figures as the results pages compute them (format, edition, filters, questions)."""

    format = serializers.IntegerField()
    edition = serializers.DictField()
    filters = serializers.DictField()
    computed_at = serializers.CharField()
    respondents = serializers.IntegerField()
    questions = serializers.ListField(child=serializers.DictField())


class OpenDataRowSerializer(serializers.Serializer):
    question = serializers.CharField()
    row = serializers.CharField(allow_null=True)
    option = serializers.CharField(allow_null=True)
    label = serializers.CharField(allow_null=True)
    base = serializers.IntegerField(allow_null=True)
    count = serializers.IntegerField(allow_null=True)
    percent = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField()


class OpenDataCollectivitesSerializer(serializers.Serializer):
    download_url = serializers.URLField(help_text="Le paquet ZIP de la page publique")
    fields = serializers.ListField(
        child=serializers.DictField(), help_text="Les champs du schéma Table Schema"
    )
    rows = serializers.ListField(
        child=serializers.DictField(),
        help_text="Une ligne par collectivité, les seules réponses déclarées publiables",
    )


class OpenDataSerializer(serializers.Serializer):
    edition = serializers.IntegerField()
    min_respondents = serializers.IntegerField()
    rows = OpenDataRowSerializer(many=True)
    collectivites = OpenDataCollectivitesSerializer(
        allow_null=True,
        help_text=(
            "Les réponses publiées par collectivité (le bloc `opendata` de la définition), "
            "les mêmes que le paquet de /resultats/<année>/publics/donnees/ ; null si l'édition "
            "n'en publie pas."
        ),
    )


class FollowupFiguresSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    total = serializers.IntegerField()
    invited = serializers.IntegerField()
    opened = serializers.IntegerField()
    started = serializers.IntegerField()
    submitted = serializers.IntegerField()
    rates = serializers.DictField(child=serializers.FloatField(allow_null=True))


class FollowupSerializer(serializers.Serializer):
    edition = serializers.IntegerField()
    overall = FollowupFiguresSerializer()
    type_collectivite = FollowupFiguresSerializer(many=True)
    tranche_population = FollowupFiguresSerializer(many=True)
    region = FollowupFiguresSerializer(many=True)


class ExportJobSerializer(serializers.ModelSerializer):
    edition = serializers.IntegerField(source="edition.year", read_only=True)
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "edition",
            "format",
            "answers",
            "headers",
            "sections",
            "omitted_columns",
            "filters",
            "status",
            "progress",
            "rows_done",
            "rows_total",
            "error",
            "created_at",
            "started_at",
            "finished_at",
            "expires_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, job: ExportJob) -> str | None:
        if not job.is_downloadable:
            return None
        request = self.context["request"]
        return request.build_absolute_uri(f"/api/v1/exports/{job.pk}/download/")


class ExportJobCreateSerializer(serializers.Serializer):
    format = serializers.ChoiceField(
        choices=ExportJob.Format.choices,
        help_text=(
            "`sav` (SPSS) et `dta` (Stata) : un ZIP des tables (réponses, dispositifs) et de "
            "leur dictionnaire, réponses codées avec leurs étiquettes (`answers` et `headers` "
            "ne s'appliquent pas)."
        ),
    )
    answers = serializers.ChoiceField(
        choices=ExportJob.Answers.choices, default=ExportJob.Answers.LABELS
    )
    type_collectivite = serializers.ListField(
        child=serializers.ChoiceField(choices=list(TYPES_COLLECTIVITE)), required=False
    )
    tranche_population = serializers.ListField(
        child=serializers.ChoiceField(choices=TRANCHE_CODES), required=False
    )
    region = serializers.ListField(
        child=serializers.ChoiceField(choices=list(REGIONS)), required=False
    )
    status = serializers.ListField(
        child=serializers.ChoiceField(choices=Response.Status.choices),
        default=[Response.Status.SUBMITTED, Response.Status.VALIDATED],
        help_text="Par défaut : réponses envoyées et validées (brouillons exclus).",
    )
    headers = serializers.ChoiceField(
        choices=ExportJob.Headers.choices,
        default=ExportJob.Headers.CODES,
        help_text="En-têtes des colonnes : codes (`codes`) ou intitulés des questions (`labels`).",
    )
    sections = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Codes des sections à exporter (toutes par défaut).",
    )

    omitted_columns = serializers.ListField(
        child=serializers.ChoiceField(choices=list(COLUMN_GROUPS.items())),
        required=False,
        help_text="Groupes de colonnes à laisser de côté : `dates`, `precisions`, `listes`.",
    )

    def validate_sections(self, sections: list[str]) -> list[str]:
        edition = self.context["edition"]
        known = set(edition.sections.values_list("code", flat=True))
        unknown = [code for code in sections if code not in known]
        if unknown:
            raise serializers.ValidationError(
                f"L'édition {edition.year} n'a pas de section "
                + ", ".join(f"« {code} »" for code in unknown)
                + "."
            )
        return sections


class ApiCallSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiCall
        fields = ["method", "path", "status_code", "at"]
