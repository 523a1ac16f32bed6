"""The editor's forms: what staff type, cleaned of stray bytes; the loader checks the rest.

The forms check only what a browser can get wrong (a number that is not one, a control
character); whether the definition makes sense is the loader's job, so that the editor and a
definition file are refused for the same reasons, with the same French messages.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from barometre.textclean import clean_text
from surveys.backoffice.editor.draft import blank_question
from surveys.definition.checks import canonical
from surveys.definition.evolution import next_edition_title
from surveys.models import Edition, Question

TYPE_LABELS = dict(Question.Type.choices)
# The first question of a new section or roster: a type that needs nothing more (no choices).
SIMPLE_TYPES = [
    (kind, TYPE_LABELS[kind]) for kind in ("text", "longtext", "integer", "decimal", "money")
]
# No example names a question of the barometer: what an edition means lives in its file.
CODE_HELP = (
    "Minuscules sans accents, chiffres et _ (60 caractères au plus). Les exports et les "
    "tendances d'une année à l'autre suivent ce code."
)
CONDITION_HELP = (
    "Facultatif. Par exemple « code_de_question = code_de_choix » ou « type_collectivite in "
    "[commune, epci] » ; vérifiée pendant la saisie."
)


class CleanTextMixin:
    """Every text field without control characters, line ends as LF, codes trimmed."""

    single_line = ("code", "condition", "title", "label")

    def clean(self):
        cleaned = super().clean()
        for name, value in list(cleaned.items()):
            if not isinstance(value, str):
                continue
            try:
                value = clean_text(value)
            except ValidationError as error:
                self.add_error(name, error)
                continue
            cleaned[name] = value.strip() if name in self.single_line else value
        return cleaned


def _text(
    label: str,
    required: bool = False,
    rows: int = 0,
    help_text: str = "",
    css: str = "form-control",
    **attrs: object,
) -> forms.CharField:
    widget: forms.Widget = (
        forms.Textarea(attrs={"class": css, "rows": rows, **attrs})
        if rows
        else forms.TextInput(attrs={"class": css, **attrs})
    )
    return forms.CharField(
        label=label, required=required, widget=widget, help_text=help_text, strip=False
    )


def _code(label: str = "Code") -> forms.CharField:
    return _text(
        label,
        required=True,
        help_text=CODE_HELP,
        autocomplete="off",
        spellcheck="false",
        css="form-control w-auto",
        size=40,
    )


def _condition(label: str = "Condition d'affichage") -> forms.CharField:
    return _text(label, help_text=CONDITION_HELP, autocomplete="off", spellcheck="false")


def _number(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        localize=True,
        widget=forms.TextInput(attrs={"class": "form-control w-auto", "inputmode": "decimal"}),
        error_messages={"invalid": "Saisissez un nombre (virgule ou point décimal)."},
    )


def _count(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=32767,
        widget=forms.NumberInput(attrs={"class": "form-control w-auto"}),
    )


def _flag(label: str, help_text: str = "") -> forms.BooleanField:
    return forms.BooleanField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )


class CloneForm(forms.Form):
    year = forms.IntegerField(
        label="Année de la nouvelle édition",
        min_value=1900,
        max_value=2999,
        widget=forms.NumberInput(attrs={"class": "form-control w-auto"}),
    )
    title = _text("Titre de la nouvelle édition", required=True)

    def __init__(self, *args, source: Edition, **kwargs):
        year = source.year + 1
        kwargs.setdefault("initial", {"year": year, "title": next_edition_title(source, year)})
        super().__init__(*args, **kwargs)

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if Edition.objects.filter(year=year).exists():
            raise ValidationError(f"L'édition {year} existe déjà : choisissez une autre année.")
        return year

    def clean_title(self) -> str:
        title = clean_text(self.cleaned_data["title"]).strip()
        if not title:
            raise ValidationError("Indiquez le titre de la nouvelle édition.")
        if len(title) > 200:
            raise ValidationError("Le titre ne peut dépasser 200 caractères.")
        return title


class SectionForm(CleanTextMixin, forms.Form):
    code = _code()
    title = _text("Titre de la page", required=True)
    description = _text("Description", rows=3, help_text="Facultatif, affichée sous le titre.")
    condition = _condition("Condition d'affichage de la page")


class FirstQuestionForm(CleanTextMixin, forms.Form):
    """The first question of a new section, or of a new roster (neither may be empty)."""

    code = _code("Code de la première question")
    type = forms.ChoiceField(
        label="Type de la première question",
        choices=SIMPLE_TYPES,
        help_text="Les questions à choix s'ajoutent ensuite, avec leurs choix.",
        widget=forms.Select(attrs={"class": "form-select w-auto"}),
    )
    text = _text("Intitulé de la première question", required=True, rows=2)

    def question(self) -> dict:
        data = self.cleaned_data
        return blank_question(data["code"], data["type"], data["text"])


class QuestionForm(CleanTextMixin, forms.Form):
    code = _code()
    type = forms.ChoiceField(
        label="Type",
        choices=list(Question.Type.choices),
        widget=forms.Select(attrs={"class": "form-select w-auto"}),
    )
    text = _text("Intitulé", required=True, rows=3)
    help_text = _text("Aide", rows=2, help_text="Facultatif, affichée sous l'intitulé.")
    required = _flag("Réponse obligatoire")
    condition = _condition()
    min_value = _number("Minimum")
    max_value = _number("Maximum")
    step = _number("Pas")
    allow_nsp = _flag("« Ne sait pas » possible")
    rank_count = _count("Nombre d'éléments à classer")
    min_items = _count("Nombre minimum d'éléments")
    max_items = _count("Nombre maximum d'éléments")
    section = forms.ChoiceField(
        label="Section",
        required=False,
        help_text="Changer de section place la question à la fin de la section choisie.",
        widget=forms.Select(attrs={"class": "form-select w-auto"}),
    )

    def __init__(self, *args, sections: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if sections:
            self.fields["section"].choices = sections  # type: ignore[attr-defined]
        else:
            del self.fields["section"]

    def values(self) -> dict:
        """The cleaned values in the plain definition's shape (numbers canonical)."""
        values = dict(self.cleaned_data)
        values.pop("section", None)
        for key in ("min_value", "max_value", "step"):
            if isinstance(values[key], Decimal):
                values[key] = canonical(values[key])
        return values


class ChoiceForm(CleanTextMixin, forms.Form):
    # The hints of these fields are said once, above the list, not under every choice.
    code = _text("Code", required=True, autocomplete="off", spellcheck="false", size=24)
    label = _text("Libellé", required=True)
    exclusive = _flag("Exclusif")
    other = _flag("Demande une précision")
    condition = _text("Condition du choix", autocomplete="off", spellcheck="false")

    def choice(self) -> dict:
        data = self.cleaned_data
        return {key: data[key] for key in ("code", "label", "exclusive", "other", "condition")}


class RowForm(CleanTextMixin, forms.Form):
    code = _text("Code", required=True, autocomplete="off", spellcheck="false", size=24)
    label = _text("Libellé", required=True)

    def row(self) -> dict:
        return {"code": self.cleaned_data["code"], "label": self.cleaned_data["label"]}


class _OrderedFormSet(forms.BaseFormSet):
    """Position and removal fields with French labels; `items()` in the order chosen."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["ORDER"].label = "Position"
        form.fields["ORDER"].widget.attrs.update(
            {"class": "form-control editor-position", "min": 1}
        )
        form.fields["DELETE"].label = "Supprimer"
        form.fields["DELETE"].widget.attrs.update({"class": "form-check-input"})

    def items(self) -> list[dict]:
        return [
            form.choice() if isinstance(form, ChoiceForm) else form.row()
            for form in self.ordered_forms
        ]


ChoiceFormSet = forms.formset_factory(
    ChoiceForm, formset=_OrderedFormSet, extra=2, can_order=True, can_delete=True, max_num=500
)
RowFormSet = forms.formset_factory(
    RowForm, formset=_OrderedFormSet, extra=2, can_order=True, can_delete=True, max_num=500
)


def choice_initial(choices: list[dict]) -> list[dict]:
    return [{**choice, "ORDER": position} for position, choice in enumerate(choices, start=1)]
