"""The compiled edition: its structure read once per process per edition version.

The questionnaire's structure (sections, questions with their choices, matrix rows and roster
children, compiled conditions, the edition's rules) does not change while agents answer, yet
every page needs it. `compiled_edition(edition)` reads it once and keeps it in this process,
keyed by the edition's change stamp (`Edition.updated_at`):

- any save or delete of a section, question, choice or matrix row touches the stamp
  (`touch_edition`, from the signals below: the admin goes through them; the definition import
  mutes them and touches the edition once at the end when something changed);
- another process sees the new stamp on the next edition it loads, and rebuilds;
- this process also forgets its copy at once (`forget`), even for an edition object loaded
  before the change.

A queryset `update()` of the structure sends no signal: call `touch_edition` after it.
The compiled objects are shared between requests: read them, never modify them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from surveys.conditions import Condition, compile_condition
from surveys.models import Choice, Edition, MatrixRow, Question, Section
from surveys.rules import EditionRules, parse_rules


@dataclass
class CompiledEdition:
    stamp: datetime | None
    sections: list[Section]
    questions: list[Question]  # questionnaire order, section/roster/choices/rows loaded
    by_section: dict[int, list[Question]] = field(default_factory=dict)
    rules_data: Any = None

    @cached_property
    def rules(self) -> EditionRules:
        return parse_rules(self.rules_data)

    def questions_of(self, section: Section) -> list[Question]:
        return self.by_section.get(section.pk, [])

    @cached_property
    def by_pk(self) -> dict[int, Question]:
        return {q.pk: q for q in self.questions}


_compiled: dict[int, CompiledEdition] = {}


def condition(expr: str | None) -> Condition:
    return compile_condition(expr or "")


def _build(edition: Edition) -> CompiledEdition:
    sections = list(Section.objects.filter(edition_id=edition.pk).order_by("order", "pk"))
    by_pk = {s.pk: s for s in sections}
    questions = list(
        Question.objects.filter(edition_id=edition.pk)
        .prefetch_related("choices", "rows")
        .order_by("section__order", "section_id", "order", "pk")
    )
    questions_by_pk = {q.pk: q for q in questions}
    by_section: dict[int, list[Question]] = {}
    for question in questions:
        # The same section and roster objects everywhere, without a query per question.
        question.section = by_pk[question.section_id]
        if question.roster_id is not None:
            question.roster = questions_by_pk[question.roster_id]
        by_section.setdefault(question.section_id, []).append(question)
        for expr in (question.condition, *(c.condition for c in question.choices.all())):
            condition(expr)
    for section in sections:
        condition(section.condition)
    return CompiledEdition(edition.updated_at, sections, questions, by_section, edition.rules)


def compiled_edition(edition: Edition) -> CompiledEdition:
    """The edition's structure, built once per process per change stamp."""
    found = _compiled.get(edition.pk)
    if found is None or found.stamp != edition.updated_at:
        found = _compiled[edition.pk] = _build(edition)
    return found


def forget(edition_id: int | None = None) -> None:
    """Drop this process's compiled copy of an edition (of all editions without an id)."""
    if edition_id is None:
        _compiled.clear()
    else:
        _compiled.pop(edition_id, None)


# While set, the signals leave the stamp alone (see `muted_signals`).
_muted: ContextVar[bool] = ContextVar("surveys_compiled_muted", default=False)


@contextmanager
def muted_signals() -> Iterator[None]:
    """Many structure changes (an import): the caller touches the edition once at the end."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def touch_edition(edition: Edition | int | None) -> None:
    """Move the edition's change stamp on: every process rebuilds its compiled copy (an
    Edition object given gets the new stamp too)."""
    if edition is None or _muted.get():
        return
    stamp = timezone.now()
    edition_id = edition.pk if isinstance(edition, Edition) else edition
    Edition.objects.filter(pk=edition_id).update(updated_at=stamp)
    if isinstance(edition, Edition):
        edition.updated_at = stamp
    forget(edition_id)


@receiver(post_save, sender=Section, dispatch_uid="surveys_compiled_section_save")
@receiver(post_delete, sender=Section, dispatch_uid="surveys_compiled_section_delete")
@receiver(post_save, sender=Question, dispatch_uid="surveys_compiled_question_save")
@receiver(post_delete, sender=Question, dispatch_uid="surveys_compiled_question_delete")
def _structure_changed(sender: Any, instance: Section | Question, **kwargs: Any) -> None:
    touch_edition(instance.edition_id)


@receiver(post_save, sender=Choice, dispatch_uid="surveys_compiled_choice_save")
@receiver(post_delete, sender=Choice, dispatch_uid="surveys_compiled_choice_delete")
@receiver(post_save, sender=MatrixRow, dispatch_uid="surveys_compiled_row_save")
@receiver(post_delete, sender=MatrixRow, dispatch_uid="surveys_compiled_row_delete")
def _option_changed(sender: Any, instance: Choice | MatrixRow, **kwargs: Any) -> None:
    if _muted.get():
        return
    questions = Question.objects.filter(pk=instance.question_id)
    edition_id = questions.values_list("edition_id", flat=True).first()
    touch_edition(edition_id)
