from django import forms

from exports.models import ExportJob
from exports.services.exporters import COLUMN_GROUPS
from respondents.classification import TRANCHES_POPULATION, TYPES_COLLECTIVITE
from respondents.regions import REGIONS_BY_NAME
from surveys.models import Edition, Response, Section


class ExportJobForm(forms.ModelForm):
    type_collectivite = forms.MultipleChoiceField(
        label="Types de collectivité",
        choices=list(TYPES_COLLECTIVITE.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Aucune case cochée : tous les types.",
    )
    tranche_population = forms.MultipleChoiceField(
        label="Tranches de population",
        choices=[(code, label) for code, label, _low, _high in TRANCHES_POPULATION],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Aucune case cochée : toutes les tranches.",
    )
    region = forms.MultipleChoiceField(
        label="Régions",
        choices=REGIONS_BY_NAME,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Aucune case cochée : toutes les régions.",
    )
    status = forms.MultipleChoiceField(
        label="Statut des réponses",
        choices=Response.Status.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[Response.Status.SUBMITTED, Response.Status.VALIDATED],
        help_text=(
            "Par défaut : réponses envoyées et validées. "
            "Aucune case cochée : tous les statuts, brouillons compris."
        ),
    )

    sections = forms.MultipleChoiceField(
        label="Sections du questionnaire",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=(
            "Aucune case cochée : toutes les sections. L'identité de la collectivité et le "
            "statut de la réponse sont toujours exportés. Une section absente de l'édition "
            "choisie est refusée."
        ),
    )

    omitted_columns = forms.MultipleChoiceField(
        label="Colonnes à laisser de côté",
        choices=list(COLUMN_GROUPS.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Aucune case cochée : toutes les colonnes.",
    )

    class Meta:
        model = ExportJob
        fields = ["edition", "format", "answers", "headers"]
        widgets = {
            "format": forms.RadioSelect,
            "answers": forms.RadioSelect,
            "headers": forms.RadioSelect,
        }
        labels = {
            "edition": "Édition",
            "format": "Format du fichier",
            "answers": "Réponses exportées en",
            "headers": "En-têtes des colonnes",
        }
        help_texts = {
            "format": (
                "« CSV pour Excel (France) » s'ouvre d'un double clic dans un Excel français "
                "(accents, point-virgule, virgule décimale). SPSS et Stata : un ZIP avec les "
                "réponses, les dispositifs et le dictionnaire des variables, réponses codées "
                "avec leurs étiquettes (les options Réponses et En-têtes ne s'appliquent pas)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edition"].queryset = Edition.objects.order_by("-year")
        self.fields["edition"].empty_label = None
        # A radio group needs no empty choice: the classic workbook is the sensible default.
        self.fields["format"].choices = ExportJob.Format.choices
        self.fields["format"].initial = ExportJob.Format.XLSX
        self.fields["edition"].widget.attrs["class"] = "form-select"
        self.fields["headers"].required = False
        self.fields["headers"].initial = ExportJob.Headers.CODES
        # Section codes stay the same from one edition to the next: one box per code, named
        # as the latest edition names it and listing the years that have it.
        sections: dict[str, tuple[str, list[int]]] = {}
        for year, code, title in Section.objects.order_by("-edition__year", "order").values_list(
            "edition__year", "code", "title"
        ):
            sections.setdefault(code, (title, []))[1].append(year)
        self.fields["sections"].choices = [
            (code, f"{title} ({', '.join(map(str, years))})")
            for code, (title, years) in sections.items()
        ]

    def clean(self):
        cleaned = super().clean()
        edition, sections = cleaned.get("edition"), cleaned.get("sections")
        if edition and sections:
            known = set(edition.sections.values_list("code", flat=True))
            unknown = [code for code in sections if code not in known]
            if unknown:
                self.add_error(
                    "sections",
                    f"L'édition {edition.year} n'a pas de section "
                    + ", ".join(f"« {code} »" for code in unknown)
                    + " : choisissez des sections de cette édition.",
                )
        return cleaned

    def save(self, commit: bool = True) -> ExportJob:
        job = super().save(commit=False)
        job.filters = {
            key: self.cleaned_data[key]
            for key in ("type_collectivite", "tranche_population", "region", "status")
            if self.cleaned_data.get(key)
        }
        job.sections = self.cleaned_data.get("sections") or []
        job.omitted_columns = self.cleaned_data.get("omitted_columns") or []
        job.headers = self.cleaned_data.get("headers") or ExportJob.Headers.CODES
        if commit:
            job.save()
        return job
