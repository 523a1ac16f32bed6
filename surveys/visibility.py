"""Conditions applied to a response: what is shown, and dropping what a condition hides.

The values a condition reads are the response's answers by question code (item 0) and the
derived variables of its collectivité. Inside a roster, the answers of the same item are added on
top: `auteur_synthese` (if `synthese` has_other_than non) reads the `synthese` of its own sheet.

A question is visible when its section's condition, its roster's visibility (for a question asked
per item) and its own condition hold. A choice is visible when its condition holds. Conditions
are compiled once per expression (`compile_condition` caches them), not per respondent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from barometre.prepared import PreparedQuery
from surveys.compiled import compiled_edition, forget
from surveys.conditions import Condition, compile_condition
from surveys.derived import derived_variables
from surveys.models import Answer, Choice, Edition, Question, Response


def condition_of(obj: Question | Choice | Any) -> Condition:
    """The compiled condition of a section, a question or a choice (always true when blank)."""
    return compile_condition(obj.condition or "")


def values_with_derived(
    collectivite, answers: Mapping[str, Any], edition: Edition | None = None
) -> dict[str, Any]:
    """Answer values plus the collectivité's variables and, given the edition, its indicators
    (`budget_par_habitant`…, declared in the definition file); they win over an answer of the
    same code."""
    values = dict(answers)
    values.update(derived_variables(collectivite))
    if edition is not None:
        values.update(compiled_edition(edition).rules.indicator_values(answers, collectivite))
    return values


def answer_values(response: Response) -> dict[str, Any]:
    """{code: stored value} of the response's answers outside rosters, with derived variables."""
    answers = {
        code: value
        for code, value in response.answers.filter(item=0).values_list("question__code", "value")
    }
    return values_with_derived(response.collectivite, answers, response.edition)


def stored_answers(response: Response) -> list[Answer]:
    """The response's answers, each with its question taken from the compiled edition (no join,
    no query per question) and its response being `response`."""
    answers = _ANSWERS.all(response=response.pk)
    questions = compiled_edition(response.edition).by_pk
    if any(answer.question_id not in questions for answer in answers):
        forget(response.edition_id)  # a question created without its stamp moving on
        questions = compiled_edition(response.edition).by_pk
    for answer in answers:
        answer.question = questions[answer.question_id]
        answer.response = response
    return answers


def _answers_of(response: int) -> QuerySet[Answer]:
    return Answer.objects.filter(response_id=response).order_by("pk")


# Nearly every page of the agent reads them: compiled once per process (barometre/prepared.py).
_ANSWERS = PreparedQuery(_answers_of)


def values_of_answers(response: Response, answers: Iterable[Answer]) -> dict[str, Any]:
    """What `answer_values` gives, from answers already loaded (`stored_answers`)."""
    top = {answer.question.code: answer.value for answer in answers if answer.item == 0}
    return values_with_derived(response.collectivite, top, response.edition)


def items_of_answers(answers: Iterable[Answer]) -> dict[int, dict[str, Any]]:
    """What `item_values` gives, from answers already loaded (`stored_answers`)."""
    items: dict[int, dict[str, Any]] = defaultdict(dict)
    for answer in answers:
        if answer.item:
            items[answer.item][answer.question.code] = answer.value
    return dict(items)


def item_values(response: Response) -> dict[int, dict[str, Any]]:
    """{item: {code: value}} for the answers given inside rosters."""
    items: dict[int, dict[str, Any]] = defaultdict(dict)
    rows = response.answers.filter(item__gt=0).values_list("item", "question__code", "value")
    for item, code, value in rows:
        items[item][code] = value
    return dict(items)


def is_visible(question: Question, values: Mapping[str, Any]) -> bool:
    """Whether the question is shown, given the values (with the item's own, inside a roster)."""
    if not condition_of(question.section).evaluate(values):
        return False
    if question.roster is not None and not is_visible(question.roster, values):
        return False
    return condition_of(question).evaluate(values)


def visible_choices(question: Question, values: Mapping[str, Any]) -> list[Choice]:
    return [choice for choice in question.choices.all() if condition_of(choice).evaluate(values)]


def hidden_choice_codes(question: Question, values: Mapping[str, Any]) -> set[str]:
    return {
        choice.code
        for choice in question.choices.all()
        if choice.condition and not condition_of(choice).evaluate(values)
    }


def edition_questions(edition: Edition) -> list[Question]:
    """Every question of the edition in questionnaire order, with what conditions need loaded
    (the compiled edition's: shared, read-only)."""
    return compiled_edition(edition).questions


def visible_questions(
    edition: Edition, values: Mapping[str, Any], questions: Iterable[Question] | None = None
) -> list[Question]:
    """The questions outside rosters that are shown for these values, in order."""
    if questions is None:
        questions = edition_questions(edition)
    return [q for q in questions if q.roster_id is None and is_visible(q, values)]


def _trim(answer: Answer, hidden: set[str]) -> str:
    """What to do with an answer some of whose choices are hidden: keep, update or delete."""
    kind = answer.question.type
    value = answer.value
    if kind == Question.Type.SINGLE:
        return "delete" if value in hidden else "keep"
    if kind == Question.Type.RANKING:
        # Dropping a ranked item would leave a gap in the ranks: the ranking is asked again.
        return "delete" if isinstance(value, dict) and hidden & set(value) else "keep"
    if kind == Question.Type.MULTIPLE and isinstance(value, list):
        kept = [code for code in value if code not in hidden]
        if len(kept) == len(value):
            return "keep"
        if not kept:
            return "delete"
        answer.value = kept
        others = {choice.code for choice in answer.question.choices.all() if choice.other}
        if not others & set(kept):
            answer.other_text = ""
        return "update"
    return "keep"


@transaction.atomic(savepoint=False)
def drop_hidden_answers(response: Response, answers: list[Answer] | None = None) -> int:
    """Delete the answers hidden by a condition; remove hidden choices from multiple answers.

    Repeats until nothing changes, since dropping an answer may hide another question
    (`elections_concernee` hidden → `changement_majorite` hidden). Returns how many answers were
    deleted or trimmed. It does not touch `response.version`: the caller saving answers does.
    `answers`: all the response's answers as they are in the database (`stored_answers`), when
    the caller holds them (not read again).
    """
    answers = stored_answers(response) if answers is None else list(answers)
    changed = 0
    while True:
        top = {a.question.code: a.value for a in answers if a.item == 0}
        values = values_with_derived(response.collectivite, top, response.edition)
        items: dict[int, dict[str, Any]] = defaultdict(dict)
        for a in answers:
            if a.item:
                items[a.item][a.question.code] = a.value
        deleted, updated = [], []
        for answer in answers:
            context = {**values, **items[answer.item]} if answer.item else values
            if not is_visible(answer.question, context):
                deleted.append(answer)
                continue
            hidden = hidden_choice_codes(answer.question, context)
            if hidden:
                action = _trim(answer, hidden)
                if action == "delete":
                    deleted.append(answer)
                elif action == "update":
                    updated.append(answer)
        if not deleted and not updated:
            return changed
        if deleted:
            Answer.objects.filter(pk__in=[a.pk for a in deleted]).delete()
        for answer in updated:
            answer.save(update_fields=["value", "other_text", "updated_at"])
        changed += len(deleted) + len(updated)
        gone = {a.pk for a in deleted}
        answers = [a for a in answers if a.pk not in gone]
