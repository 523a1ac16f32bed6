"""Forms of the rules editor and of the series breaks.

A form only parses what staff typed into the shape of the `rules` block (editions/README.md);
the loader judges it, through `draft.change_definition`, and its French messages are put back
next to the field they are about (`place_errors`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms

from surveys.backoffice.editor.diff import VERDICTS, QuestionDiff
from surveys.backoffice.editor.draft import all_questions
from surveys.definition.checks import canonical
from surveys.definition.format import NUMBER_TYPES
from surveys.rules import LOWER_BOUNDS, NUMBER_STATS, UPPER_BOUNDS

UNCONFIRMED = ""
TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
CODE_HELP = "Minuscules sans accents, chiffres et _ ; il nomme la règle dans le fichier."


class BreaksForm(forms.Form):
    """One radio group per possible series break: comparable, not comparable, or not yet said."""

    def __init__(self, *args, questions: list[QuestionDiff], **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[question.code] = forms.ChoiceField(
                label=f"« {question.text} » ({question.code})",
                choices=[(UNCONFIRMED, "À confirmer"), *VERDICTS.items()],
                required=False,
                initial=question.verdict,
                widget=forms.RadioSelect,
            )

    def rows(self):
        return [(question, self[question.code]) for question in self.questions]


# Parsing -----------------------------------------------------------------------------------


class FrenchDecimalField(forms.CharField):
    """A number typed the French way (« 1 500,5 ») or with a point; kept as typed on refusal."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            number = Decimal(re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", "."))
        except InvalidOperation:
            raise forms.ValidationError("Saisissez un nombre (par exemple 1,5).") from None
        if not number.is_finite():
            raise forms.ValidationError("Saisissez un nombre (par exemple 1,5).")
        return canonical(number)


def question_choices(definition: dict, numbers_only: bool = False) -> list[tuple[str, str]]:
    return [
        (question["code"], f"{question['code']} — {_short(question['text'])}")
        for question in all_questions(definition)
        if not numbers_only or question["type"] in NUMBER_TYPES
    ]


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_fields(form: forms.Form) -> None:
    """Tie each widget to its hint and error (ids of `includes/field.html`), for screen readers."""
    for field in form:
        ids = []
        if field.help_text:
            ids.append(f"{field.id_for_label}-aide")
        if field.errors:
            ids.append(f"{field.id_for_label}-erreur")
            field.field.widget.attrs["aria-invalid"] = "true"
        if ids:
            field.field.widget.attrs["aria-describedby"] = " ".join(ids)


def place_errors(
    form: forms.Form, messages: list[str], fields: list[tuple[str, str]], subject: str = ""
) -> None:
    """Each loader message beside the first field whose marker it contains, else at the top.

    `fields` are (marker, field name) pairs, most specific first; a marker is what the loader's
    message says of that key (« when », condition « …, la question « …). With a `subject`
    (« avertissement « code » »), a message about anything else stays at the top."""
    what, _, code = subject.partition(" ")
    for message in messages:
        # The line of a generated file means nothing to staff.
        message = _GENERATED_LINE.sub("", message)
        name = next((field for marker, field in fields if marker in message), None)
        if subject and not (message.startswith(what) and code in message):
            name = None
        form.add_error(name if name in form.fields else None, message)


_GENERATED_LINE = re.compile(r" \(déjà utilisée? ligne \d+\)")


def set_question_choices(form: forms.Form, definition: dict, numbers_only: bool = False) -> None:
    field = form.fields["question"]
    assert isinstance(field, forms.ChoiceField)
    field.choices = question_choices(definition, numbers_only)


class RuleForm(forms.Form):
    """One item of a list of rules (a warning, an indicator), read from and written to its dict."""

    # How the loader names the rule (« avertissement « code » : … »), and (marker in its
    # message, field it is about), most specific first: `place_errors`.
    WHAT = ""
    ERRORS: list[tuple[str, str]] = []

    def __init__(self, *args, definition: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.definition = definition

    @staticmethod
    def initial_of(rule: dict) -> dict:
        return dict(rule)

    def rule(self) -> dict:
        raise NotImplementedError

    def place_errors(self, messages: list[str]) -> None:
        place_errors(self, messages, self.ERRORS, f"{self.WHAT} « {self.rule()['code']} »")


# Warnings ----------------------------------------------------------------------------------


class WarningForm(RuleForm):
    WHAT = "avertissement"
    code = forms.CharField(label="Code", help_text=CODE_HELP, max_length=64)
    question = forms.ChoiceField(
        label="Question près de laquelle il s'affiche", widget=forms.Select(attrs=SELECT)
    )
    when = forms.CharField(
        label="Condition",
        help_text=(
            "Dans le langage des conditions : budget_participation > 10 * "
            "precedent.budget_participation (precedent.<code> : la réponse de l'édition "
            "précédente), etp_participation > 50 and population < 10000…"
        ),
        widget=forms.Textarea(attrs={**TEXT, "rows": 3, "spellcheck": "false"}),
    )
    message = forms.CharField(
        label="Message affiché",
        help_text="{code} (ou {precedent.code}) est remplacé par la valeur, écrite à la française.",
        widget=forms.Textarea(attrs={**TEXT, "rows": 3}),
    )

    ERRORS = [
        ("condition «", "when"),
        ("« when »", "when"),
        ("message,", "message"),
        ("« message »", "message"),
        ("la question «", "question"),
        ("« question »", "question"),
        ("code", "code"),
    ]

    def __init__(self, *args, definition: dict, **kwargs):
        super().__init__(*args, definition=definition, **kwargs)
        self.fields["code"].widget.attrs.update(TEXT)
        set_question_choices(self, definition)

    def rule(self) -> dict:
        data = self.cleaned_data
        return {key: data[key].strip() for key in ("code", "question", "when", "message")}


# Indicators --------------------------------------------------------------------------------


class IndicatorForm(RuleForm):
    WHAT = "indicateur"
    code = forms.CharField(label="Code", help_text=CODE_HELP, max_length=64)
    label = forms.CharField(label="Libellé", max_length=300)
    question = forms.ChoiceField(
        label="Question divisée par la population de la collectivité",
        help_text="Un nombre posé une fois (pas dans une liste répétable).",
        widget=forms.Select(attrs=SELECT),
    )
    unit = forms.CharField(label="Unité", required=False, max_length=40, help_text="€/hab.")
    decimals = forms.TypedChoiceField(
        label="Décimales de l'indicateur",
        coerce=int,
        choices=[(n, str(n)) for n in range(5)],
        initial=2,
        widget=forms.Select(attrs=SELECT),
    )
    threshold = FrenchDecimalField(
        label="Seuil",
        required=False,
        help_text="Facultatif : les résultats donnent aussi la part des réponses sous ce seuil.",
    )

    ERRORS = [
        ("« label »", "label"),
        ("« unit »", "unit"),
        ("« decimals »", "decimals"),
        ("« threshold »", "threshold"),
        ("la question «", "question"),
        ("code", "code"),
    ]

    def __init__(self, *args, definition: dict, **kwargs):
        super().__init__(*args, definition=definition, **kwargs)
        for name in ("code", "label", "unit", "threshold"):
            self.fields[name].widget.attrs.update(TEXT)
        set_question_choices(self, definition, numbers_only=True)

    @staticmethod
    def initial_of(rule: dict) -> dict:
        initial = dict(rule)
        if rule.get("threshold") is not None:
            initial["threshold"] = str(rule["threshold"]).replace(".", ",")
        return initial

    def rule(self) -> dict:
        data = self.cleaned_data
        rule: dict[str, Any] = {
            "code": data["code"].strip(),
            "label": data["label"].strip(),
            "question": data["question"],
        }
        if data["unit"].strip():
            rule["unit"] = data["unit"].strip()
        rule["decimals"] = data["decimals"]
        if data["threshold"] is not None:
            rule["threshold"] = data["threshold"]
        return rule


# Brackets ----------------------------------------------------------------------------------

LOWER_LABELS = {"": "Pas de borne basse", "from": "à partir de (≥)", "above": "au-delà de (>)"}
UPPER_LABELS = {"": "Pas de borne haute", "below": "en dessous de (<)", "upto": "jusqu'à (≤)"}


class BracketQuestionForm(forms.Form):
    question = forms.ChoiceField(
        label="Question groupée en tranches", widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args, definition: dict, **kwargs):
        super().__init__(*args, **kwargs)
        set_question_choices(self, definition, numbers_only=True)


class BracketForm(forms.Form):
    """One bracket: its code, label and at most one lower and one upper bound."""

    code = forms.CharField(label="Code", max_length=64, required=False)
    label = forms.CharField(label="Libellé", max_length=300, required=False)
    lower_kind = forms.ChoiceField(
        label="Borne basse",
        choices=list(LOWER_LABELS.items()),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    lower = FrenchDecimalField(label="Valeur basse", required=False)
    upper_kind = forms.ChoiceField(
        label="Borne haute",
        choices=list(UPPER_LABELS.items()),
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    upper = FrenchDecimalField(label="Valeur haute", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("code", "label", "lower", "upper"):
            self.fields[name].widget.attrs.update(TEXT)

    def clean(self):
        data = super().clean()
        for kind, value, what in (
            ("lower_kind", "lower", "basse"),
            ("upper_kind", "upper", "haute"),
        ):
            if data.get(kind) and data.get(value) is None and value not in self.errors:
                self.add_error(value, f"Indiquez la valeur de la borne {what}.")
            if not data.get(kind) and data.get(value) is not None:
                self.add_error(kind, f"Choisissez le sens de la borne {what}.")
        if self.has_content(data):
            for name, what in (("code", "le code"), ("label", "le libellé")):
                if not (data.get(name) or "").strip():
                    self.add_error(name, f"Indiquez {what} de la tranche.")
        return data

    @staticmethod
    def has_content(data: dict) -> bool:
        return any(data.get(name) not in (None, "") for name in ("code", "label", "lower", "upper"))

    @staticmethod
    def initial_of(rule: dict) -> dict:
        initial = {"code": rule["code"], "label": rule["label"]}
        for key in LOWER_BOUNDS:
            if key in rule:
                initial.update(lower_kind=key, lower=str(rule[key]).replace(".", ","))
        for key in UPPER_BOUNDS:
            if key in rule:
                initial.update(upper_kind=key, upper=str(rule[key]).replace(".", ","))
        return initial

    def rule(self) -> dict | None:
        data = self.cleaned_data
        if not data or data.get("DELETE") or not self.has_content(data):
            return None
        rule: dict[str, Any] = {"code": data["code"].strip(), "label": data["label"].strip()}
        if data["lower_kind"]:
            rule[data["lower_kind"]] = data["lower"]
        if data["upper_kind"]:
            rule[data["upper_kind"]] = data["upper"]
        return rule


BracketFormSet = forms.formset_factory(BracketForm, extra=2, can_delete=True, max_num=50)


# Scale mapping and rounding ----------------------------------------------------------------


class MappingForm(forms.Form):
    old = forms.CharField(label="Code d'une édition plus ancienne", max_length=64, required=False)
    new = forms.CharField(label="Compté comme le choix", max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("old", "new"):
            self.fields[name].widget.attrs.update(TEXT)

    def clean(self):
        data = super().clean()
        old, new = (data.get("old") or "").strip(), (data.get("new") or "").strip()
        if old and not new:
            self.add_error("new", "Indiquez le choix d'aujourd'hui qui compte cet ancien code.")
        if new and not old:
            self.add_error("old", "Indiquez l'ancien code.")
        return data


MappingFormSet = forms.formset_factory(MappingForm, extra=2, can_delete=True, max_num=200)

DECIMALS = [(n, str(n)) for n in range(3)]
NARROW_SELECT = {"class": "form-select w-auto"}


class RoundingForm(forms.Form):
    public = forms.TypedChoiceField(
        label="Pourcentages publics (page publique, chiffres publiés) : décimales",
        coerce=int,
        choices=DECIMALS,
        widget=forms.Select(attrs=NARROW_SELECT),
    )
    staff = forms.TypedChoiceField(
        label="Pourcentages de l'équipe et des analystes : décimales",
        coerce=int,
        choices=DECIMALS,
        widget=forms.Select(attrs=NARROW_SELECT),
    )
    ERRORS = [("« public »", "public"), ("« staff »", "staff")]


# How a question is reported ---------------------------------------------------------------

STAT_LABELS = {"mean": "Moyenne", "median": "Médiane"}


class PointsField(forms.CharField):
    """Whole numbers separated by semicolons (« 5 ; 3 ; 1 »); the loader judges their count,
    sign and order."""

    def to_python(self, value: Any) -> list[int] | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return [int(part) for part in text.replace(",", ";").split(";") if part.strip()]
        except ValueError:
            raise forms.ValidationError(
                "Saisissez des nombres entiers séparés par des points-virgules (par exemple "
                "5 ; 3 ; 1)."
            ) from None


class ReportingForm(forms.Form):
    """How one question is reported: a ranking's top and points, a number's statistics. An
    empty field leaves the default (top 3, rank r earning ranks + 1 − r, mean and median)."""

    ERRORS = [("« top »", "top"), ("« points »", "points"), ("« stats »", "stats")]

    def __init__(self, *args, question: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.question = question
        if question["type"] == "ranking":
            ranks = question["rank_count"] or len(question["choices"])
            self.fields["top"] = forms.IntegerField(
                label="Nombre de premiers rangs dont les résultats donnent la part (top)",
                help_text=f"De 1 à {ranks} ; vide : 3 (ou {ranks} si la question en classe moins).",
                required=False,
                widget=forms.NumberInput(attrs={**TEXT, "class": "form-control w-auto"}),
            )
            self.fields["points"] = PointsField(
                label="Points de chaque rang, du rang 1 au dernier",
                help_text=(
                    f"{ranks} nombres entiers séparés par des points-virgules, sans qu'un rang "
                    f"rapporte plus que le précédent ; vide : {ranks} points pour le rang 1, "
                    "un de moins à chaque rang."
                ),
                required=False,
                widget=forms.TextInput(attrs=TEXT),
            )
        else:
            self.fields["stats"] = forms.MultipleChoiceField(
                label="Statistiques données dans les résultats",
                choices=[(stat, STAT_LABELS[stat]) for stat in NUMBER_STATS],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    @staticmethod
    def initial_of(reporting: dict) -> dict:
        initial = dict(reporting)
        if "points" in initial:
            initial["points"] = " ; ".join(str(point) for point in initial["points"])
        initial.setdefault("stats", list(NUMBER_STATS))
        return initial

    def reporting(self) -> dict:
        """The `reporting` entry of the question; the defaults are not written."""
        data = self.cleaned_data
        out: dict[str, Any] = {}
        if data.get("top") is not None:
            out["top"] = data["top"]
        if data.get("points") is not None:
            out["points"] = data["points"]
        if "stats" in self.fields:
            stats = [stat for stat in NUMBER_STATS if stat in data.get("stats", [])]
            if stats != list(NUMBER_STATS):
                out["stats"] = stats
        return out


Change = Callable[[dict], None]


def rules_of_definition(definition: dict) -> dict:
    return definition.setdefault("rules", {})


def put_item(key: str, original: str | None, item: dict) -> Change:
    """Add `item` to the list `rules[key]`, or replace the one whose code was `original`."""

    def change(definition: dict) -> None:
        items = rules_of_definition(definition).setdefault(key, [])
        index = next((i for i, old in enumerate(items) if old["code"] == original), None)
        if original is None or index is None:
            items.append(item)
        else:
            items[index] = item

    return change


def remove_item(key: str, code: str) -> Change:
    def change(definition: dict) -> None:
        rules = rules_of_definition(definition)
        rules[key] = [item for item in rules.get(key, []) if item["code"] != code]
        if not rules[key]:
            del rules[key]

    return change


def put_brackets(original: str | None, question: str, brackets: list[dict]) -> Change:
    """Set the brackets of `question` (renamed from `original`), in the order given."""

    def change(definition: dict) -> None:
        rules = rules_of_definition(definition)
        sets = dict(rules.get("brackets") or {})
        rebuilt = {}
        for code, items in sets.items():
            rebuilt[question if code == original else code] = (
                brackets if code == original else items
            )
        if original not in sets:
            rebuilt[question] = brackets
        rules["brackets"] = rebuilt

    return change


def remove_brackets(question: str) -> Change:
    def change(definition: dict) -> None:
        rules = rules_of_definition(definition)
        sets = {k: v for k, v in (rules.get("brackets") or {}).items() if k != question}
        if sets:
            rules["brackets"] = sets
        else:
            rules.pop("brackets", None)

    return change


def put_scale_mapping(mapping: dict[str, str]) -> Change:
    def change(definition: dict) -> None:
        rules = rules_of_definition(definition)
        trends = rules.setdefault("trends", {})
        if mapping:
            trends["scale_mapping"] = mapping
        else:
            trends.pop("scale_mapping", None)
        if not trends:
            del rules["trends"]

    return change


def put_rounding(rounding: dict[str, int]) -> Change:
    def change(definition: dict) -> None:
        rules_of_definition(definition)["rounding"] = rounding

    return change


def put_reporting(question: str, reporting: dict) -> Change:
    """Set how `question` is reported; an empty entry goes back to the defaults."""

    def change(definition: dict) -> None:
        rules = rules_of_definition(definition)
        entries = {k: v for k, v in (rules.get("reporting") or {}).items() if k != question}
        if reporting:
            entries[question] = reporting
        if entries:
            rules["reporting"] = entries
        else:
            rules.pop("reporting", None)

    return change
