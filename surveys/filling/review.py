"""The overview and the review page: what is missing, what looks implausible."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from surveys.filling.previous import previous_response
from surveys.filling.saving import FillingError, visible_sections
from surveys.models import Answer, Question, Response, Section
from surveys.rules import PREVIOUS, EditionRules, rules_of
from surveys.visibility import (
    answer_values,
    edition_questions,
    is_visible,
    items_of_answers,
    stored_answers,
    values_of_answers,
)

# -- Overview, review, warnings ------------------------------------------------------------


@dataclass
class Missing:
    section: Section
    question: Question
    item: int = 0
    anchor: str = ""  # the id of the question's block (or roster) on its section page

    @property
    def label(self) -> str:
        prefix = f"Fiche {self.item} — " if self.item else ""
        return f"{prefix}{self.question.text}"


@dataclass(frozen=True)
class Warning:
    code: str
    question_code: str
    message: str


@dataclass
class SectionState:
    section: Section
    state: str  # not_started, in_progress, complete
    answered: int = 0
    missing: list[Missing] = field(default_factory=list)

    LABELS = {"not_started": "Non commencée", "in_progress": "En cours", "complete": "Complète"}

    @property
    def label(self) -> str:
        return self.LABELS[self.state]


@dataclass
class Review:
    """What the overview and the review page show for a response."""

    sections: list[SectionState]
    answers: dict[tuple[int, int], Answer]
    values: dict[str, Any]
    items: dict[int, dict[str, Any]]
    questions: list[Question]
    response: Response

    @cached_property
    def warnings(self) -> list[Warning]:
        """Computed on first use: the overview never reads them, and a warning comparing with
        last edition costs the query of last edition's answers."""
        rules = rules_of(self.response.edition)
        return warnings_for(rules, warning_values(self.response, self.values, rules))

    @property
    def missing(self) -> list[Missing]:
        return [m for s in self.sections for m in s.missing]

    @property
    def complete_count(self) -> int:
        return sum(1 for s in self.sections if s.state == "complete")


class IncompleteResponse(FillingError):
    def __init__(self, missing: list[Missing], unconfirmed: list[Warning]):
        super().__init__(
            "Votre réponse ne peut pas encore être envoyée : "
            + " ; ".join(
                part
                for part in (
                    f"{len(missing)} réponse(s) obligatoire(s) manquante(s)" if missing else "",
                    f"{len(unconfirmed)} point(s) à confirmer" if unconfirmed else "",
                )
                if part
            )
            + "."
        )
        self.missing = missing
        self.unconfirmed = unconfirmed


def left_incomplete(
    response: Response, code: str, reviewed: Review | None = None
) -> SectionState | None:
    """The section page the agent just left (`code`), if it was started and still lacks required
    answers: the next page reminds them, without blocking anything but the submission.

    A section never started (only looked at, nothing saved nor answered) gives no reminder.
    `reviewed`: the response's review, when the page computed it (not computed twice).
    """
    for state in (reviewed or review(response)).sections:
        if state.section.code == code and state.missing and state.state != "not_started":
            return state
    return None


def warnings_for(rules: EditionRules, values: Mapping[str, Any]) -> list[Warning]:
    """Plausible but unusual answers, to be confirmed before submission: the edition's
    `warnings` whose condition holds on the values (with last edition's under `precedent`)."""
    found = []
    for rule in rules.warnings:
        message = rule.message_for(values)
        if message:
            found.append(Warning(rule.code, rule.question, message))
    return found


def warning_values(response: Response, values: Mapping[str, Any], rules: EditionRules) -> dict:
    """The values warnings read: the response's, and last edition's answers under `precedent`
    when a warning compares with them."""
    if not rules.reads_previous_edition:
        return dict(values)
    previous = previous_response(response)
    earlier = answer_values(previous) if previous is not None else {}
    return {**values, PREVIOUS: earlier}


def _unanswered(question: Question, answer: Answer | None) -> bool:
    """A required question is answered once stored; a matrix, once every row has a choice."""
    if answer is None:
        return True
    if question.type == Question.Type.MATRIX:
        given = answer.value if isinstance(answer.value, dict) else {}
        return any(row.code not in given for row in question.rows.all())
    return False


def review(response: Response) -> Review:
    """Each visible section's state and missing required answers, and the warnings."""
    questions = edition_questions(response.edition)
    stored = stored_answers(response)
    answers = {(a.question_id, a.item): a for a in stored}
    values = values_of_answers(response, stored)
    items = items_of_answers(stored)
    counts = {
        q.pk: int(answers[q.pk, 0].value)
        for q in questions
        if q.type == Question.Type.ROSTER and (q.pk, 0) in answers
    }
    states = []
    for section in visible_sections(response, values):
        section_questions = [q for q in questions if q.section_id == section.pk]
        answered = sum(1 for q in section_questions if any(k[0] == q.pk for k in answers))
        missing = []
        for question in section_questions:
            if question.roster_id is None:
                if not is_visible(question, values):
                    continue
                if question.type == Question.Type.ROSTER:
                    count = counts.get(question.pk, 0)
                    if question.min_items and count < question.min_items:
                        missing.append(Missing(section, question, 0, f"liste-{question.code}"))
                elif question.required and _unanswered(question, answers.get((question.pk, 0))):
                    missing.append(Missing(section, question, 0, f"question-{question.code}"))
                continue
            if not question.required:
                continue
            for item in range(1, counts.get(question.roster_id, 0) + 1):
                context = {**values, **items.get(item, {})}
                if is_visible(question, context) and _unanswered(
                    question, answers.get((question.pk, item))
                ):
                    assert question.roster is not None  # roster_id is set in this branch
                    anchor = f"question-{question.roster.code}-{item}-{question.code}"
                    missing.append(Missing(section, question, item, anchor))
        saved = section.code in response.saved_sections
        if saved and not missing:
            state = "complete"
        elif saved or answered:
            state = "in_progress"
        else:
            state = "not_started"
        states.append(SectionState(section, state, answered, missing))
    return Review(states, answers, values, items, questions, response)
