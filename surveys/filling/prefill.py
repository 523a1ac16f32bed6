"""Prefill: last edition's answers of the same collectivité, offered on each page."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from surveys.filling.saving import EDITABLE
from surveys.models import Question, Response, Section
from surveys.validation import CleanAnswer, clean_answer
from surveys.visibility import (
    answer_values,
)

# -- Prefill -------------------------------------------------------------------------------


def previous_response(response: Response) -> Response | None:
    """The collectivité's response to the latest earlier edition it submitted."""
    return (
        Response.objects.filter(
            collectivite_id=response.collectivite_id,
            edition__year__lt=response.edition.year,
            status__in=Response.COUNTED_STATUSES,
        )
        .select_related("edition")
        .order_by("-edition__year")
        .first()
    )


def prefill_for(response: Response, section: Section) -> tuple[dict[str, CleanAnswer], int | None]:
    """Last edition's answers valid for this section's questions, until the page is saved.

    Same code, same type, and a value the current question accepts (choices still offered,
    bounds…); roster sheets are taken over on request instead (`copy_previous_roster`).
    Returns ({code: answer}, the year).
    """
    if section.code in response.saved_sections or response.status not in EDITABLE:
        return {}, None
    previous = previous_response(response)
    if previous is None:
        return {}, None
    questions = {
        q.code: q
        for q in section.questions.filter(roster__isnull=True).prefetch_related("choices", "rows")
        if q.type != Question.Type.ROSTER
    }
    answered = set(
        response.answers.filter(question__section=section).values_list("question__code", flat=True)
    )
    prefill = {}
    values = answer_values(response)
    old_answers = previous.answers.filter(item=0, question__code__in=questions).select_related(
        "question"
    )
    for old in old_answers:
        question = questions[old.question.code]
        if question.code in answered or old.question.type != question.type:
            continue
        try:
            cleaned = clean_answer(question, old.value, other_text=old.other_text, context=values)
        except ValidationError:
            continue
        if cleaned is not None:
            prefill[question.code] = cleaned
    return prefill, previous.edition.year
