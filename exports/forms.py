from django import forms

from exports.models import ExportJob
from respondents.classification import TRANCHES_POPULATION, TYPES_COLLECTIVITE
from respondents.regions import REGIONS_BY_NAME
from surveys.models import Edition, Response


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

    class Meta:
        model = ExportJob
        fields = ["edition", "format", "answers"]
        widgets = {"format": forms.RadioSelect, "answers": forms.RadioSelect}
        labels = {
            "edition": "Édition",
            "format": "Format du fichier",
            "answers": "Réponses exportées en",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edition"].queryset = Edition.objects.order_by("-year")
        self.fields["edition"].empty_label = None
        # A radio group needs no empty choice: the classic workbook is the sensible default.
        self.fields["format"].choices = ExportJob.Format.choices
        self.fields["format"].initial = ExportJob.Format.XLSX
        self.fields["edition"].widget.attrs["class"] = "form-select"

    def save(self, commit: bool = True) -> ExportJob:
        job = super().save(commit=False)
        job.filters = {
            key: self.cleaned_data[key]
            for key in ("type_collectivite", "tranche_population", "region", "status")
            if self.cleaned_data.get(key)
        }
        if commit:
            job.save()
        return job
