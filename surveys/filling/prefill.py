"""Prefill: last edition's answers of the same collectivité, offered on each page.

An answer of last edition is offered when the question keeps its code and type, and the current
question still accepts the value (`clean_answer`: choices still offered, bounds…). The others are
*left out* and listed to the agent with the reason (« choix retiré : Forum », « hors des nouvelles
bornes (0 à 100) », « type changé », « question reformulée : à vérifier » when the edition's
rules mark a series break, `trends.breaks: {code: not_comparable}`). A multiple answer one of
whose choices was withdrawn is kept without it, and the withdrawn choice is listed as left out.

A page whose prefilled answers cover its required questions can be confirmed in one action
(« Rien n'a changé depuis l'an dernier »): `unchanged_data` gives the POST data of the page as
prefilled, saved through the same path as a normal save (`save_section`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.core.exceptions import ValidationError
from django.http import QueryDict

from surveys.filling.display import display_answer
from surveys.filling.previous import previous_response
from surveys.filling.saving import EDITABLE
from surveys.models import Answer, Question, Response, Section
from surveys.rules import NOT_COMPARABLE, rules_of
from surveys.validation import (
    NSP,
    CleanAnswer,
    canonical_decimal,
    clean_answer,
    format_number,
)
from surveys.visibility import (
    answer_values,
)

if TYPE_CHECKING:
    from surveys.filling.forms import SectionForm

TYPE_CHANGED = "type changé"
REWORDED = "question reformulée : à vérifier"
BOUNDS_ERRORS = ("out_of_bounds", "below_minimum", "above_maximum", "step")


@dataclass(frozen=True)
class LeftOut:
    """Last edition's answer to a question, not (or not wholly) offered again, and why."""

    question: Question  # this edition's question
    previous: list[str]  # last edition's answer, in words
    reason: str
    partly_kept: bool = False  # a multiple answer kept without its withdrawn choices

    @property
    def code(self) -> str:
        return self.question.code


class Prefill(NamedTuple):
    """What last edition gives a page: the answers offered, the year, the answers left out."""

    answers: dict[str, CleanAnswer]
    year: int | None
    left_out: dict[str, LeftOut]


NO_PREFILL = Prefill({}, None, {})


@dataclass(frozen=True)
class UnchangedOffer:
    """Whether the page may be confirmed as last year's in one action, or why not."""

    offered: bool
    reason: str = ""
    missing: list[Question] = field(default_factory=list)


# -- Prefill -------------------------------------------------------------------------------


def prefill_for(response: Response, section: Section) -> Prefill:
    """Last edition's answers valid for this section's questions, until the page is saved.

    Roster sheets are taken over on request instead (`copy_previous_roster`). Returns the
    answers {code: answer}, the year and the answers left out {code: LeftOut}.
    """
    if section.code in response.saved_sections or response.status not in EDITABLE:
        return NO_PREFILL
    previous = previous_response(response)
    if previous is None:
        return NO_PREFILL
    questions = {
        q.code: q
        for q in section.questions.filter(roster__isnull=True).prefetch_related("choices", "rows")
        if q.type != Question.Type.ROSTER
    }
    answered = set(
        response.answers.filter(question__section=section).values_list("question__code", flat=True)
    )
    breaks = rules_of(response.edition).trend_breaks
    prefill: dict[str, CleanAnswer] = {}
    left_out: dict[str, LeftOut] = {}
    values = answer_values(response)
    old_answers = (
        previous.answers.filter(item=0, question__code__in=questions)
        .select_related("question")
        .prefetch_related("question__choices", "question__rows")
    )
    for old in old_answers:
        question = questions[old.question.code]
        if question.code in answered:
            continue
        kept, reason = _carry_over(question, old, values, breaks.get(question.code))
        if kept is not None:
            prefill[question.code] = kept
        if reason:
            previous_words = display_answer(old.question, old)
            left_out[question.code] = LeftOut(question, previous_words, reason, kept is not None)
    return Prefill(prefill, previous.edition.year, left_out)


def _carry_over(
    question: Question, old: Answer, values: Mapping[str, Any], series_break: str | None
) -> tuple[CleanAnswer | None, str]:
    """(the answer offered or None, the reason something was left out or "")."""
    if old.question.type != question.type:
        return None, TYPE_CHANGED
    if series_break == NOT_COMPARABLE:
        return None, REWORDED
    try:
        return clean_answer(question, old.value, other_text=old.other_text, context=values), ""
    except ValidationError as error:
        refused = error
    withdrawn = _withdrawn_choices(question, old)
    if withdrawn and question.type == Question.Type.MULTIPLE:
        remaining = [code for code in old.value if code not in withdrawn]
        try:
            kept = clean_answer(question, remaining, other_text=old.other_text, context=values)
        except ValidationError:
            kept = None
        return kept, _withdrawn_reason(old.question, withdrawn)
    if withdrawn:
        return None, _withdrawn_reason(old.question, withdrawn)
    return None, _reason_of(question, refused)


def _withdrawn_choices(question: Question, old: Answer) -> list[str]:
    """Codes of last edition's answer that this edition's question no longer has."""
    codes = {choice.code for choice in question.choices.all()}
    value = old.value
    if question.type == Question.Type.SINGLE and isinstance(value, str):
        picked = [value]
    elif question.type == Question.Type.MULTIPLE and isinstance(value, list):
        picked = [str(code) for code in value]
    elif question.type == Question.Type.RANKING and isinstance(value, Mapping):
        picked = list(value)
    elif question.type == Question.Type.MATRIX and isinstance(value, Mapping):
        picked = [str(point) for point in value.values()]
    else:
        return []
    return [code for code in dict.fromkeys(picked) if code not in codes]


def _withdrawn_reason(old_question: Question, withdrawn: list[str]) -> str:
    labels = {choice.code: choice.label for choice in old_question.choices.all()}
    words = ", ".join(labels.get(code, code) for code in withdrawn)
    return f"choix retiré{'s' if len(withdrawn) > 1 else ''} : {words}"


def _reason_of(question: Question, error: ValidationError) -> str:
    code = getattr(error, "code", None)
    if code in BOUNDS_ERRORS:
        return f"hors des nouvelles bornes ({_bounds_of(question)})"
    if code == "nsp_not_allowed":
        return "« Ne sait pas » n'est plus possible"
    if code == "hidden_choice":
        return "choix qui ne s'applique plus à votre collectivité"
    if code == "invalid_row":
        return "ligne du tableau retirée"
    return f"ne convient plus à la question : {' '.join(error.messages)}"


def _bounds_of(question: Question) -> str:
    low = None if question.min_value is None else Decimal(str(question.min_value))
    high = None if question.max_value is None else Decimal(str(question.max_value))
    if question.type == Question.Type.MONEY and (low is None or low < 0):
        low = Decimal(0)
    parts = []
    if low is not None and high is not None:
        parts.append(f"{format_number(low)} à {format_number(high)}")
    elif low is not None:
        parts.append(f"au moins {format_number(low)}")
    elif high is not None:
        parts.append(f"au plus {format_number(high)}")
    if question.step:
        parts.append(f"par pas de {format_number(Decimal(str(question.step)))}")
    return ", ".join(parts) or "nouvelle règle"


# -- « Rien n'a changé depuis l'an dernier » -----------------------------------------------


def unchanged_offer(form: SectionForm, prefill: Prefill) -> UnchangedOffer:
    """The page (an unbound form built with `prefill`) may be confirmed in one action when it
    carries prefilled answers and each of its visible required questions has one, none left
    out, or is already answered."""
    if not prefill.answers:
        return UnchangedOffer(False)
    stored = set(form.stored_top)
    required = [e.question for e in form.entries if not e.item and e.visible]
    required += [q for q in form.top_questions if q.type == Question.Type.ROSTER]
    missing = [
        question
        for question in required
        if (question.required or (question.min_items or 0) > 0)
        and question.code not in stored
        and (question.code not in prefill.answers or question.code in prefill.left_out)
    ]
    if missing:
        labels = " ; ".join(f"« {question.text} »" for question in missing)
        which = "les questions obligatoires" if len(missing) > 1 else "la question obligatoire"
        verb = "n'ont" if len(missing) > 1 else "n'a"
        reason = (
            f"La confirmation en une fois n'est pas proposée : {which} {labels} {verb} pas de "
            "réponse reprise de l'an dernier. Répondez sur la page puis enregistrez-la."
        )
        return UnchangedOffer(False, reason, missing)
    return UnchangedOffer(True)


def left_out_shown(form: SectionForm, prefill: Prefill) -> dict[str, LeftOut]:
    """The answers left out of the questions the page shows (conditions applied)."""
    return {
        code: left_out
        for code, left_out in prefill.left_out.items()
        if code in form.by_name and form.by_name[code].visible
    }


def unchanged_data(form: SectionForm) -> QueryDict:
    """The POST data of the page exactly as shown: the prefilled answers and those already
    stored (the form's contract, see `surveys.filling.forms`), for an unbound `form`."""
    data = QueryDict(mutable=True)
    for entry in form.entries:
        initial = form.initial.get(entry.name)
        if not initial:
            continue
        question, name, value = entry.question, entry.name, initial["value"]
        if initial.get("other_text"):
            data[f"{name}_autre"] = initial["other_text"]
        if question.type == Question.Type.MULTIPLE:
            data.setlist(name, [str(code) for code in value or []])
        elif question.type in (Question.Type.MATRIX, Question.Type.RANKING):
            for key, point in (value or {}).items():
                data[f"{name}.{key}"] = str(point)
        elif question.type in Question.NUMBER_TYPES and value == NSP:
            data[f"{name}_nsp"] = "1"
        elif question.type in Question.NUMBER_TYPES and value not in (None, ""):
            data[name] = canonical_decimal(Decimal(str(value)))
        elif value is not None:
            data[name] = str(value)
    return data
