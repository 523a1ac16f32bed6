"""Rosters (one sheet per item: devices, tools…): adding, removing, and taking over last
edition's sheets."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError

from surveys.compiled import compiled_edition
from surveys.filling.previous import previous_response
from surveys.filling.saving import (
    EDITABLE,
    FillingError,
    check_can_save,
    refresh,
    write_answers,
    writing,
)
from surveys.models import Answer, Question, Response, Section
from surveys.validation import clean_answer
from surveys.visibility import (
    answer_values,
    drop_hidden_answers,
)


def _roster_count_answer(response: Response, roster: Question) -> Answer | None:
    return response.answers.filter(question=roster, item=0).first()


def stored_roster_count(response: Response, roster: Question) -> int:
    stored = _roster_count_answer(response, roster)
    return int(stored.value) if stored else 0


def add_roster_item(
    response: Response, roster: Question, version: int, *, by_staff: bool = False
) -> int:
    """Add an empty item at the end of a roster; returns its number."""
    check_can_save(response, by_staff=by_staff)
    with writing(response, version, roster.section.code, by_staff=by_staff):
        count = stored_roster_count(response, roster)
        try:
            cleaned = clean_answer(roster, count + 1)
        except ValidationError as error:
            raise FillingError(error.messages[0]) from error
        write_answers(response, [(roster, 0, cleaned)])
    refresh(response)
    return count + 1


def roster_item_exists(response: Response, roster: Question, item: int) -> bool:
    return 1 <= item <= stored_roster_count(response, roster)


def remove_roster_item(
    response: Response, roster: Question, item: int, version: int, *, by_staff: bool = False
) -> None:
    """Delete a roster item; the following items move up one place with all their answers."""
    check_can_save(response, by_staff=by_staff)
    with writing(response, version, roster.section.code, by_staff=by_staff):
        stored = _roster_count_answer(response, roster)
        count = int(stored.value) if stored else 0
        if not 1 <= item <= count:
            raise FillingError("Cette fiche n'existe pas ou a déjà été supprimée.")
        assert stored is not None  # an item exists, so the roster's count is stored
        children = roster.item_questions.all()
        response.answers.filter(question__in=children, item=item).delete()
        # One item at a time, upwards, so that (response, question, item) stays unique.
        for later in range(item + 1, count + 1):
            response.answers.filter(question__in=children, item=later).update(item=later - 1)
        stored.value, stored.number = count - 1, Decimal(count - 1)
        stored.save(update_fields=["value", "number", "updated_at"])
    refresh(response)


def _previous_sheets(response: Response, roster: Question) -> tuple[int, Response] | None:
    """(number of sheets, the response) of last edition's roster of the same code, while this
    one is still empty; None when there is nothing to take over."""
    if response.status not in EDITABLE or stored_roster_count(response, roster):
        return None
    previous = previous_response(response)
    if previous is None:
        return None
    old = (
        previous.answers.filter(
            item=0, question__code=roster.code, question__type=Question.Type.ROSTER
        )
        .values_list("value", flat=True)
        .first()
    )
    count = int(old or 0)
    if roster.max_items is not None:
        count = min(count, roster.max_items)
    return (count, previous) if count else None


def roster_offer(response: Response, roster: Question) -> tuple[int, int] | None:
    """(number of sheets, year) the collectivité described in this roster last edition, which
    it may take over while its roster is still empty; None when there is nothing to offer."""
    sheets = _previous_sheets(response, roster)
    return (sheets[0], sheets[1].edition.year) if sheets else None


def roster_offers(response: Response, section: Section) -> dict[str, tuple[int, int]]:
    """`roster_offer` of each roster of the section, by roster code."""
    rosters = [
        question
        for question in compiled_edition(response.edition).questions_of(section)
        if question.type == Question.Type.ROSTER
    ]
    # Nothing to offer without a roster, once the response is sent, or without last edition's.
    if not rosters or response.status not in EDITABLE or previous_response(response) is None:
        return {}
    offers = {}
    for roster in rosters:
        offer = roster_offer(response, roster)
        if offer:
            offers[roster.code] = offer
    return offers


def copy_previous_roster(
    response: Response, roster: Question, version: int, *, by_staff: bool = False
) -> int:
    """Take over last edition's sheets of this (empty) roster; returns how many.

    Every copied answer goes through `clean_answer` against this edition's question: an answer
    it no longer accepts (a choice withdrawn, a bound changed) is left out, as in the prefill.
    """
    check_can_save(response, by_staff=by_staff)
    sheets = _previous_sheets(response, roster)
    if sheets is None:
        raise FillingError("Il n'y a pas de fiches de l'édition précédente à reprendre ici.")
    count, previous = sheets
    children = {q.code: q for q in roster.item_questions.prefetch_related("choices", "rows")}
    with writing(response, version, roster.section.code, by_staff=by_staff):
        if stored_roster_count(response, roster):  # someone added a sheet in between
            raise FillingError("Cette liste a déjà des fiches : elles n'ont pas été remplacées.")
        values = answer_values(response)
        changes = [(roster, 0, clean_answer(roster, count))]
        old_answers = previous.answers.filter(
            item__gte=1,
            item__lte=count,
            question__roster__code=roster.code,
            question__code__in=children,
        ).select_related("question")
        for old in old_answers:
            question = children[old.question.code]
            if old.question.type != question.type:
                continue
            try:
                cleaned = clean_answer(
                    question, old.value, other_text=old.other_text, context=values
                )
            except ValidationError:
                continue
            if cleaned is not None:
                changes.append((question, old.item, cleaned))
        write_answers(response, changes)
        drop_hidden_answers(response)
    refresh(response)
    return count
