"""The loader's messages placed next to the fields they concern.

A message of the loader starts with what it is about (« question « x » : », « section « y » : »,
« question « x », choix « c » : »); the rest names a key of the file (« « min » … ») or says
what is wrong (« condition « … » : … »). That is enough to find the field in the editor's form
that the message concerns; a message about something else (another question whose condition
names the one removed) stays in the error summary only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django import forms

# A key of the definition file → the field of the editor's form.
KEY_FIELDS = {
    "code": "code",
    "type": "type",
    "text": "text",
    "help": "help_text",
    "required": "required",
    "condition": "condition",
    "min": "min_value",
    "max": "max_value",
    "step": "step",
    "allow_nsp": "allow_nsp",
    "rank_count": "rank_count",
    "min_items": "min_items",
    "max_items": "max_items",
    "title": "title",
    "description": "description",
    "label": "label",
    "exclusive": "exclusive",
    "other": "other",
}
PHRASES = (
    ("condition «", "condition"),
    ("le maximum", "max_value"),
    ("le pas", "step"),
    ("type inconnu", "type"),
    ("le type", "type"),
)
LIST_PHRASES = ("les choix doivent", "aucun choix", "« choices »", "« scale »", "« except »")
ROW_PHRASES = ("les lignes", "« rows »")
_KEY = re.compile(r"^« (\w+) »")
_CODE = re.compile(r"^code(?: invalide)? « ([^»]*) »")
_FLAG = re.compile(r"^le choix « ([^»]*) » (est exclusif|demande une précision)")
_USED = re.compile(r"^(le choix|la ligne) « ([^»]*) »")
_NAMED = re.compile(r"^, (choix|ligne) « ([^»]*) » : (.*)$", re.S)


@dataclass
class Target:
    """A valid form of the page and the loader's name for what it edits."""

    kind: str  # "question" or "section", as the loader's messages say
    form: forms.Form
    choices: forms.BaseFormSet | None = None
    rows: forms.BaseFormSet | None = None
    original: str = ""  # the code as stored, named by the protections' messages
    choice_errors: list[str] = field(default_factory=list)
    row_errors: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Read before any error is placed: an error on a field drops it from cleaned_data.
        self.code = self.form.cleaned_data.get("code", "")
        self.where = f"{self.kind} « {self.code} »"


def place(messages: list[str], targets: list[Target]) -> list[tuple[str, str]]:
    """(anchor, message) for the error summary; each message placed on its field if it can be."""
    return [(_place(message, targets), message) for message in messages]


def _place(message: str, targets: list[Target]) -> str:
    for target in targets:
        if target.original and (anchor := _protected(message, target)):
            return anchor
        if message.startswith(f"{target.kind} : ") and target.code:
            found = _CODE.match(message[len(target.kind) + 3 :])
            if found and found.group(1) == target.code:
                return _on(target.form, "code", message)
        if not message.startswith(target.where):
            continue
        rest = message[len(target.where) :]
        named = _NAMED.match(rest)
        if named:
            formset = target.choices if named.group(1) == "choix" else target.rows
            return _on_item(formset, named.group(2), named.group(3), message) or ""
        if not rest.startswith(" : "):
            continue
        rest = rest[3:]
        for word, formset, errors in (
            ("choix : ", target.choices, target.choice_errors),
            ("ligne : ", target.rows, target.row_errors),
        ):
            if rest.startswith(word):
                found = _CODE.match(rest[len(word) :])
                anchor = _on_item(formset, found.group(1), "", message, "code") if found else ""
                if anchor:
                    return anchor
                errors.append(message)
                return _list_anchor(formset)
        flag = _FLAG.match(rest)
        if flag:
            name = "exclusive" if flag.group(2) == "est exclusif" else "other"
            return _on_item(target.choices, flag.group(1), name, message, name) or ""
        if rest.startswith(LIST_PHRASES) and target.choices is not None:
            target.choice_errors.append(message)
            return _list_anchor(target.choices)
        if rest.startswith(ROW_PHRASES) and target.rows is not None:
            target.row_errors.append(message)
            return _list_anchor(target.rows)
        key = _KEY.match(rest)
        name = KEY_FIELDS.get(key.group(1), "") if key else ""
        name = name or next((n for phrase, n in PHRASES if rest.startswith(phrase)), "")
        if name in target.form.fields:
            return _on(target.form, name, message)
    return ""


def _protected(message: str, target: Target) -> str:
    """A refusal of the protections (answers already given) about the question edited."""
    answered = f"La question « {target.original} » a déjà des réponses : "
    if message.startswith(answered):
        rest = message[len(answered) :]
        return _on(target.form, "type" if rest.startswith("son type") else "code", message)
    prefix = f"Question « {target.original} » : "
    if not message.startswith(prefix):
        return ""
    found = _USED.match(message[len(prefix) :])
    if found:
        formset = target.choices if found.group(1) == "le choix" else target.rows
        return _on_item(formset, found.group(2), "", message, "code")
    return ""


def _on(form: forms.Form, name: str, message: str) -> str:
    form.add_error(name, message)
    return form[name].id_for_label


def _on_item(
    formset: forms.BaseFormSet | None,
    code: str,
    rest: str,
    message: str,
    name: str = "",
) -> str:
    """The message on the field of the choice or row `code` of the formset."""
    if formset is None:
        return ""
    if not name:
        key = _KEY.match(rest)
        name = KEY_FIELDS.get(key.group(1), "") if key else ""
        name = name or ("condition" if rest.startswith("condition «") else "code")
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("code") == code and name in form.fields:
            return _on(form, name, message)
    return ""


def _list_anchor(formset: forms.BaseFormSet | None) -> str:
    return f"{formset.prefix}-liste" if formset is not None else ""
