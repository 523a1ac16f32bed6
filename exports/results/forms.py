"""The GET forms of the results pages: filters and breakdowns."""

from django import forms

from exports.results.aggregates import DIMENSIONS, ResultFilters
from respondents.classification import TRANCHE_LABELS, TYPES_COLLECTIVITE
from respondents.regions import REGIONS

ANY = [("", "Toutes")]


class ResultFiltersForm(forms.Form):
    type = forms.ChoiceField(
        label="Type de collectivité", required=False, choices=ANY + list(TYPES_COLLECTIVITE.items())
    )
    tranche = forms.ChoiceField(
        label="Tranche de population", required=False, choices=ANY + list(TRANCHE_LABELS.items())
    )
    region = forms.ChoiceField(
        label="Région", required=False, choices=ANY + sorted(REGIONS.items(), key=lambda r: r[1])
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def filters(self) -> ResultFilters:
        """The filters asked for; none when the form is invalid (its errors say why)."""
        if not self.is_valid():
            return ResultFilters()
        data = self.cleaned_data
        return ResultFilters(
            type=data["type"] or "", tranche=data["tranche"] or "", region=data["region"] or ""
        )


class BreakdownForm(forms.Form):
    question = forms.ChoiceField(label="Question")
    par = forms.ChoiceField(
        label="Répartition par", choices=[(code, d[0]) for code, d in DIMENSIONS.items()]
    )

    def __init__(self, *args, questions: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        question = self.fields["question"]
        assert isinstance(question, forms.ChoiceField)
        question.choices = [
            (q["code"], f"{q['code']} — {q['text'][:80]}") for q in questions if q["kind"] != "text"
        ]
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"


class TrendsForm(forms.Form):
    panel = forms.BooleanField(
        label="Ajouter le panel constant : les collectivités ayant répondu aux deux éditions "
        "de chaque étape",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["panel"].widget.attrs.update(
            {"class": "form-check-input", "aria-describedby": "panel-aide"}
        )

    def wants_panel(self) -> bool:
        return self.is_valid() and bool(self.cleaned_data["panel"])
