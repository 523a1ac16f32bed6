"""Stored answers as the agent and staff read them (review, "Mes réponses", print)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.template.defaultfilters import linebreaksbr
from django.utils.safestring import SafeString, mark_safe

from surveys.filling.review import Review, review
from surveys.models import Answer, Question, Response
from surveys.validation import NSP, format_number
from surveys.visibility import (
    is_visible,
)

# -- Display of stored answers -------------------------------------------------------------


_CHOICE_TYPES = (*Question.PICK_TYPES, Question.Type.MATRIX, Question.Type.RANKING)


def display_answer(question: Question, answer: Answer | None) -> list[str]:
    """Human-readable lines for a stored answer (empty when unanswered)."""
    if answer is None:
        return []
    value = answer.value
    kind = question.type
    if kind in Question.NUMBER_TYPES:
        if value == NSP:
            return ["Ne sait pas"]
        unit = " €" if kind == Question.Type.MONEY else ""
        return [f"{format_number(Decimal(str(value)))}{unit}"]
    if kind not in _CHOICE_TYPES:
        if kind == Question.Type.ROSTER:
            return [f"{value} fiche{'s' if value != 1 else ''}"]
        return [str(value)]
    # Only the types with choices read them (a queryset per call, even when prefetched).
    labels = {c.code: c.label for c in question.choices.all()}
    if kind == Question.Type.SINGLE:
        line = labels.get(value, value)
        return [f"{line} : {answer.other_text}" if answer.other_text else line]
    if kind == Question.Type.MULTIPLE:
        lines = [labels.get(code, code) for code in value]
        if answer.other_text:
            lines.append(f"Précision : {answer.other_text}")
        return lines
    if kind == Question.Type.MATRIX:
        rows = {r.code: r.label for r in question.rows.all()}
        return [f"{rows.get(r, r)} : {labels.get(p, p)}" for r, p in value.items()]
    if kind == Question.Type.RANKING:
        ordered = sorted(value.items(), key=lambda pair: pair[1])
        return [f"{rank}. {labels.get(code, code)}" for code, rank in ordered]
    return [str(value)]


def answer_sheet(response: Response, data: Review | None = None) -> list[dict[str, Any]]:
    """Every visible section with its visible questions and their displayed answers."""
    data = data or review(response)
    sheet = []
    for state in data.sections:
        rows = []
        for question in data.questions:
            if question.section_id != state.section.pk or question.roster_id is not None:
                continue
            if not is_visible(question, data.values):
                continue
            lines = display_answer(question, data.answers.get((question.pk, 0)))
            row = {"question": question, "lines": lines, "html": _answer_html(lines)}
            if question.type == Question.Type.ROSTER:
                row["sheets"] = _roster_sheet(question, data)
            rows.append(row)
        sheet.append({"state": state, "rows": rows})
    return sheet


def _roster_sheet(roster: Question, data: Review) -> list[dict[str, Any]]:
    answer = data.answers.get((roster.pk, 0))
    children = [q for q in data.questions if q.roster_id == roster.pk]
    items = []
    for item in range(1, (int(answer.value) if answer else 0) + 1):
        context = {**data.values, **data.items.get(item, {})}
        items.append(
            {
                "number": item,
                "rows": [
                    {"question": q, "lines": lines, "html": _item_answer_html(lines)}
                    for q in children
                    if is_visible(q, context)
                    for lines in [display_answer(q, data.answers.get((q.pk, item)))]
                ],
            }
        )
    return items


# -- The sheet's answers as HTML ------------------------------------------------------------
# Built here rather than in `surveys/includes/answer_sheet.html`: the review renders a row per
# visible question, and template tags per line cost more than the rest of its rendering. Each
# line goes through Django's `linebreaksbr` (escaped, its line breaks as <br>).

NO_ANSWER = mark_safe('<span class="no-answer">Sans réponse</span>')


def _answer_html(lines: list[str]) -> SafeString:
    """A question's answer: one line as is, several as a list."""
    if not lines:
        return NO_ANSWER
    if len(lines) == 1:
        return linebreaksbr(lines[0], autoescape=True)
    items = "".join(f"<li>{linebreaksbr(line, autoescape=True)}</li>" for line in lines)
    return mark_safe(f"<ul>{items}</ul>")  # noqa: S308 (each line escaped)


def _item_answer_html(lines: list[str]) -> SafeString:
    """A roster sheet's answer: its lines on one line, separated by « ; »."""
    if not lines:
        return NO_ANSWER
    return linebreaksbr(" ; ".join(lines), autoescape=True)
