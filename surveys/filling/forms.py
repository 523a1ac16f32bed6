"""Forms generated from question definitions: the form knows nothing of the questionnaire.

`SectionForm(response, section)` holds one `AnswerField` per question of the section, and per
roster item for the questions of a roster. Field names (the POST contract, also read by
`static/js/filling.js` and the browser tests):

- a question outside a roster: its code (`fonction_repondant`); inside a roster, item k:
  `<roster>-<k>-<code>` (`fiches_dispositifs-2-nom`);
- single: one value; multiple: repeated values; précisez of an *other* choice: `<name>_autre`;
- matrix: `<name>.<row>` = scale code, one per row; ranking: `<name>.<item>` = rank (1…N);
- integer, decimal, money: `<name>` as typed (`12 500,50`), and `<name>_nsp` = 1 for "Ne sait pas";
- text, longtext: `<name>`.

HTML ids are `q-<name>` for the input or fieldset of a question, `q-<name>-<choice>` for a radio or
checkbox, `q-<name>-<row>-<point>` for a matrix cell, `q-<name>-<item>` for a rank,
`q-<name>_autre` and `q-<name>_nsp` for the précisez and "Ne sait pas" inputs.

Cleaning validates each field with `surveys.validation.clean_answer`, then applies the conditions
to the values the page would store (stored answers overlaid with the page's valid ones): a hidden
question's errors and value are dropped. Invalid fields keep what was typed and the stored answer.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from surveys.compiled import compiled_edition
from surveys.conditions import _NUMBER, compile_condition
from surveys.models import Answer, Question, Response, Section
from surveys.validation import NSP, CleanAnswer, clean_answer, format_number, is_empty
from surveys.visibility import is_visible, stored_answers, values_with_derived

OTHER_TEXT_ERRORS = ("other_text_required", "other_text_too_long")


# -- Conditions as JSON, for the page's script ------------------------------------------------


@lru_cache(maxsize=4096)
def condition_json(expr: str) -> str:
    """The condition as a JSON tree for the page's script; "" when always true."""
    if not (expr or "").strip():
        return ""
    tree = compile_condition(expr).tree  # raises ConditionError on a malformed expression
    return json.dumps(tree, ensure_ascii=False, separators=(",", ":"))


# -- Fields ----------------------------------------------------------------------------------


class AnswerWidget(forms.Widget):
    """Reads a question's raw input from POST: {"value", "other_text", "nsp"}."""

    def __init__(self, question: Question, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.question = question

    def value_from_datadict(
        self, data: Mapping[str, Any], files: Mapping[str, Any], name: str
    ) -> dict[str, Any]:
        question = self.question
        kind = question.type
        if kind == Question.Type.MULTIPLE:
            value = data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
        elif kind == Question.Type.MATRIX:
            value = {row.code: data.get(f"{name}.{row.code}", "") for row in question.rows.all()}
        elif kind == Question.Type.RANKING:
            value = {c.code: data.get(f"{name}.{c.code}", "") for c in question.choices.all()}
        else:
            value = data.get(name, "")
        return {
            "value": value,
            "other_text": data.get(f"{name}_autre", ""),
            "nsp": bool(data.get(f"{name}_nsp")),
        }

    def value_omitted_from_data(
        self, data: Mapping[str, Any], files: Mapping[str, Any], name: str
    ) -> bool:
        return False


class AnswerField(forms.Field):
    """A question's answer: cleaned by `clean_answer` into a CleanAnswer, or None when empty."""

    def __init__(self, question: Question, **kwargs: Any) -> None:
        self.question = question
        kwargs.setdefault("label", question.text)
        kwargs.setdefault("help_text", question.help_text)
        super().__init__(required=False, widget=AnswerWidget(question), **kwargs)

    def clean(self, value: Any, context: Mapping[str, Any] | None = None) -> CleanAnswer | None:
        if value is None:
            return None
        raw = value["value"]
        if self.question.type in Question.NUMBER_TYPES and value.get("nsp"):
            if not is_empty(raw):
                raise ValidationError(
                    "Saisissez un nombre ou cochez « Ne sait pas », pas les deux.",
                    code="nsp_and_number",
                )
            raw = NSP
        return clean_answer(
            self.question, raw, other_text=value.get("other_text", ""), context=context
        )


def initial_of(answer: Answer | CleanAnswer) -> dict:
    """The field data of a stored (or prefilled) answer."""
    return {"value": answer.value, "other_text": answer.other_text, "nsp": answer.value == NSP}


@dataclass
class Entry:
    """One question on the page (once per roster item inside a roster)."""

    question: Question
    name: str
    item: int = 0
    roster: Question | None = None
    visible: bool = True
    prefilled_from: int | None = None  # the year of the edition a prefilled answer comes from
    unsaved: str = ""  # what this agent typed, when a conflict kept it from being saved

    @property
    def id(self) -> str:
        return f"q-{self.name}"


@dataclass
class RosterBlock:
    question: Question
    items: list[tuple[int, list[Entry]]] = field(default_factory=list)

    @property
    def can_add(self) -> bool:
        return self.question.max_items is None or len(self.items) < self.question.max_items


class SectionForm(forms.Form):
    """The answers of one section (a page) of a response."""

    def __init__(
        self,
        response: Response,
        section: Section,
        data: Mapping[str, Any] | None = None,
        *,
        prefill: Mapping[str, CleanAnswer] | None = None,
        prefill_year: int | None = None,
        stored: list[Answer] | None = None,
    ) -> None:
        """`stored`: the response's answers as `stored_answers` gives them, when the page has
        already read them (not read twice), after loading `response`: a save trusts them as
        the database's when the response's version has not moved since (`save_section`)."""
        self.response = response
        self.section = section
        # {roster code: (sheets, year)} of last edition the page offers to take over (the view
        # sets it: see surveys.filling.roster_offers).
        self.roster_offers: dict[str, tuple[int, int]] = {}
        # The compiled edition's questions (shared, read-only) and the stored answers once.
        questions = compiled_edition(response.edition).questions_of(section)
        self.top_questions = [q for q in questions if q.roster_id is None]
        if stored is None:
            stored = stored_answers(response)
        # The version the stored answers are those of (see `save_section`).
        self.stored_version = response.version
        self.stored = {(a.question_id, a.item): a for a in stored}
        self.stored_top = {a.question.code: a.value for a in stored if a.item == 0}
        self.stored_items: dict[int, dict[str, Any]] = {}
        for a in stored:
            if a.item:
                self.stored_items.setdefault(a.item, {})[a.question.code] = a.value
        prefill = dict(prefill or {})

        initial = {}
        self.entries: list[Entry] = []
        self.blocks: list[Entry | RosterBlock] = []
        for question in self.top_questions:
            if question.type == Question.Type.ROSTER:
                block = RosterBlock(question)
                children = [q for q in questions if q.roster_id == question.pk]
                for item in range(1, self.roster_count(question) + 1):
                    entries = []
                    for child in children:
                        entry = Entry(child, f"{question.code}-{item}-{child.code}", item, question)
                        entries.append(entry)
                        if (child.pk, item) in self.stored:
                            initial[entry.name] = initial_of(self.stored[child.pk, item])
                    block.items.append((item, entries))
                    self.entries.extend(entries)
                self.blocks.append(block)
                continue
            entry = Entry(question, question.code)
            if (question.pk, 0) in self.stored:
                initial[entry.name] = initial_of(self.stored[question.pk, 0])
            elif question.code in prefill:
                initial[entry.name] = initial_of(prefill[question.code])
                entry.prefilled_from = prefill_year
            self.entries.append(entry)
            self.blocks.append(entry)
        super().__init__(data=data, initial=initial, auto_id="q-%s")
        for entry in self.entries:
            self.fields[entry.name] = AnswerField(entry.question)
        self.by_name = {entry.name: entry for entry in self.entries}
        if not self.is_bound:
            top = dict(self.stored_top)
            top.update(
                {
                    e.question.code: initial[e.name]["value"]
                    for e in self.entries
                    if e.prefilled_from and e.name in initial
                }
            )
            values = values_with_derived(response.collectivite, top, response.edition)
            self._apply_visibility(values)

    def roster_count(self, roster: Question) -> int:
        answer = self.stored.get((roster.pk, 0))
        return int(answer.value) if answer and isinstance(answer.value, int) else 0

    # -- cleaning --

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # Django's Form.clean returns cleaned_data
        top = dict(self.stored_top)
        items = {item: dict(values) for item, values in self.stored_items.items()}
        for entry in self.entries:
            if entry.name not in cleaned:
                continue
            answer = cleaned[entry.name]
            target = items.setdefault(entry.item, {}) if entry.item else top
            if answer is None:
                target.pop(entry.question.code, None)
            else:
                target[entry.question.code] = answer.value
        self.items_values = items
        values = values_with_derived(self.response.collectivite, top, self.response.edition)
        self._apply_visibility(values)
        for entry in self.entries:
            if not entry.visible:
                self.errors.pop(entry.name, None)  # during clean(), the same dict as _errors
                cleaned.pop(entry.name, None)
                continue
            answer = cleaned.get(entry.name)
            if answer is not None and any(c.condition for c in entry.question.choices.all()):
                field = self.fields[entry.name]
                assert isinstance(field, AnswerField)  # every entry's field (see __init__)
                try:
                    cleaned[entry.name] = field.clean(
                        self[entry.name].data, context=self.context_of(entry)
                    )
                except ValidationError as error:
                    self.add_error(entry.name, error)
        return cleaned

    def _apply_visibility(self, values: dict[str, Any]) -> None:
        self.values = values
        for entry in self.entries:
            entry.visible = is_visible(entry.question, self.context_of(entry))

    def context_of(self, entry: Entry) -> dict[str, Any]:
        if not entry.item:
            return self.values
        items = getattr(self, "items_values", self.stored_items)
        return {**self.values, **items.get(entry.item, {})}

    def changes(self) -> list[tuple[Entry, CleanAnswer | None]]:
        """(entry, answer or None to delete) for every visible, valid field of a cleaned form."""
        return [
            (entry, self.cleaned_data[entry.name])
            for entry in self.entries
            if entry.visible and entry.name in self.cleaned_data
        ]

    def error_list(self) -> list[tuple[str, str]]:
        """(anchor, message) for the error summary, in page order."""
        errors = []
        for entry in self.entries:
            if entry.name not in self.errors:
                continue
            for error in self.errors.as_data()[entry.name]:
                anchor = (
                    f"{entry.id}_autre"
                    if error.code in OTHER_TEXT_ERRORS
                    else first_input_id(entry)
                )
                prefix = f"Fiche {entry.item} — " if entry.item else ""
                for message in error.messages:
                    errors.append((anchor, f"{prefix}{entry.question.text} : {message}"))
        return errors

    # -- rendering --

    def widget(self, entry: Entry) -> dict[str, Any]:
        """Everything `jinja_templates/surveys/widgets/question.html` needs to render a question."""
        return widget_context(self, entry)

    def rendered_blocks(self) -> list[dict[str, Any]]:
        blocks = []
        for block in self.blocks:
            if isinstance(block, RosterBlock):
                blocks.append(
                    {
                        "roster": block.question,
                        "can_add": block.can_add,
                        # (sheets, year) of last edition, offered while the roster is empty.
                        "offer": self.roster_offers.get(block.question.code),
                        "items": [
                            {"number": n, "widgets": [self.widget(e) for e in entries]}
                            for n, entries in block.items
                        ],
                    }
                )
            else:
                blocks.append({"widget": self.widget(block)})
        return blocks


def first_input_id(entry: Entry) -> str:
    question = entry.question
    if question.type in Question.PICK_TYPES:
        first = next(iter(question.choices.all()), None)
        return f"{entry.id}-{first.code}" if first else entry.id
    if question.type == Question.Type.MATRIX:
        row = next(iter(question.rows.all()), None)
        point = next(iter(question.choices.all()), None)
        return f"{entry.id}-{row.code}-{point.code}" if row and point else entry.id
    if question.type == Question.Type.RANKING:
        first = next(iter(question.choices.all()), None)
        return f"{entry.id}-{first.code}" if first else entry.id
    return entry.id


def _display_number(question: Question, value: Any) -> str:
    if value in (None, "") or value == NSP:
        return ""
    if isinstance(value, int | Decimal) or (isinstance(value, str) and _NUMBER.fullmatch(value)):
        return format_number(Decimal(str(value)))
    return str(value)


_WIDGET_KINDS: dict[str, str] = {
    **dict.fromkeys(Question.PICK_TYPES, "choices"),
    **dict.fromkeys(Question.NUMBER_TYPES, "number"),
    Question.Type.MATRIX: "matrix",
    Question.Type.RANKING: "ranking",
    Question.Type.LONGTEXT: "longtext",
}


def widget_context(form: SectionForm, entry: Entry) -> dict[str, Any]:
    question = entry.question
    bound = form[entry.name]
    data = bound.value() or {"value": "", "other_text": "", "nsp": False}
    value = data.get("value")
    errors = list(bound.errors)
    other_error = False
    if form.is_bound and entry.name in form.errors:
        other_error = any(e.code in OTHER_TEXT_ERRORS for e in form.errors.as_data()[entry.name])
    context = {
        "entry": entry,
        "question": question,
        "type": question.type,
        "id": entry.id,
        "name": entry.name,
        "label": question.text,
        "help": question.help_text,
        "required": question.required,
        "visible": entry.visible,
        "condition": condition_json(question.condition),
        "errors": errors,
        "other_error": other_error,
        "prefilled_from": entry.prefilled_from,
        "unsaved": entry.unsaved,
        "item": entry.item,
        # Which branch of `jinja_templates/surveys/widgets/question.html` renders the question.
        "kind": _WIDGET_KINDS.get(question.type, "text"),
    }
    context["fieldset"] = context["kind"] in ("choices", "matrix", "ranking")
    # A ranking gets a generated instruction unless the edition wrote its own (the help).
    ranking_instruction = question.type == Question.Type.RANKING and not question.help_text
    described = [f"{entry.id}-consigne"] if ranking_instruction else []
    if question.help_text:
        described.append(f"{entry.id}-aide")
    if errors:
        described.append(f"{entry.id}-erreur")
    if entry.prefilled_from:
        described.append(f"{entry.id}-reprise")
    context["describedby"] = " ".join(described)
    choices = list(question.choices.all())
    if question.type in Question.PICK_TYPES:
        selected = set(value if isinstance(value, list | tuple) else [value] if value else [])
        context["choices"] = [
            {
                "code": choice.code,
                "label": choice.label,
                "id": f"{entry.id}-{choice.code}",
                "checked": choice.code in selected,
                "exclusive": choice.exclusive,
                "other": choice.other,
                "condition": condition_json(choice.condition),
                "visible": not choice.condition
                or compile_condition(choice.condition).evaluate(form.context_of(entry)),
            }
            for choice in choices
        ]
        context["input_type"] = "radio" if question.type == Question.Type.SINGLE else "checkbox"
        has_other = any(choice.other for choice in choices)
        context["other"] = has_other
        context["other_text"] = data.get("other_text", "")
        context["other_shown"] = has_other and (
            any(c.other and c.code in selected for c in choices) or bool(context["other_text"])
        )
    elif question.type == Question.Type.MATRIX:
        points = value if isinstance(value, Mapping) else {}
        context["scale"] = [
            {"code": c.code, "label": c.label, "id": f"{entry.id}-h-{c.code}"} for c in choices
        ]
        context["rows"] = [
            {
                "code": row.code,
                "label": row.label,
                "id": f"{entry.id}-{row.code}",
                "name": f"{entry.name}.{row.code}",
                "cells": [
                    {
                        "id": f"{entry.id}-{row.code}-{c.code}",
                        "value": c.code,
                        "label": c.label,
                        "checked": points.get(row.code) == c.code,
                    }
                    for c in choices
                ],
            }
            for row in question.rows.all()
        ]
    elif question.type == Question.Type.RANKING:
        ranks = value if isinstance(value, Mapping) else {}
        count = question.rank_count or len(choices)
        context["rank_count"] = count
        context["ranks"] = [str(rank) for rank in range(1, count + 1)]
        context["items"] = [
            {
                "code": c.code,
                "label": c.label,
                "id": f"{entry.id}-{c.code}",
                "name": f"{entry.name}.{c.code}",
                "rank": str(ranks.get(c.code, "") or ""),
                "condition": condition_json(c.condition),
            }
            for c in choices
        ]
    elif question.type in Question.NUMBER_TYPES:
        nsp = bool(data.get("nsp")) if form.is_bound else value == NSP
        context["nsp"] = nsp
        context["text"] = value if form.is_bound else _display_number(question, value)
        context["unit"] = "€" if question.type == Question.Type.MONEY else ""
    else:
        context["text"] = value or ""
    return context
