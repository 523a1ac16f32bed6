"""Editions over time: preparing the next edition, and checking a new definition against answers.

A re-import is checked as a whole before anything is written, so that a refused definition
lists every problem and leaves the edition as it was; a clone keeps every code so that years
line up in exports and trends.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from surveys.models import Answer, Choice, Edition, MatrixRow, Question
from surveys.protection import ProtectedChangeError, codes_in_use, question_deletion_problems


def check_definition_change(edition: Edition, definition: dict) -> None:
    """Refuse a re-import that would delete or retype what answers rely on."""
    answered = set(
        Answer.objects.filter(question__edition=edition)
        .values_list("question_id", flat=True)
        .distinct()
    )
    if not answered:
        return
    wanted = {}
    for section in definition["sections"]:
        for question in section["questions"]:
            wanted[question["code"]] = question
            for child in question["questions"]:
                wanted[child["code"]] = child
    problems = []
    for question in edition.questions.filter(pk__in=answered).order_by("section__order", "order"):
        data = wanted.get(question.code)
        if data is None:
            problems += question_deletion_problems(question)
            continue
        if data["type"] != question.type:
            problems.append(
                f"La question « {question.code} » a déjà des réponses : son type "
                f"({question.type}) ne peut plus changer en {data['type']}."
            )
            continue
        removed_choices = set(question.choices.values_list("code", flat=True)) - {
            choice["code"] for choice in data["choices"]
        }
        removed_rows = set(question.rows.values_list("code", flat=True)) - {
            row["code"] for row in data["rows"]
        }
        if not removed_choices and not removed_rows:
            continue
        used_choices, used_rows = codes_in_use(question)
        for code in sorted(removed_choices & used_choices):
            problems.append(
                f"Question « {question.code} » : le choix « {code} » figure déjà dans des "
                "réponses : il ne peut pas être supprimé ni changer de code."
            )
        for code in sorted(removed_rows & used_rows):
            problems.append(
                f"Question « {question.code} » : la ligne « {code} » a déjà des réponses : elle "
                "ne peut pas être supprimée ni changer de code."
            )
    if problems:
        raise ProtectedChangeError(problems)


def clone_edition(edition: Edition, year: int, title: str) -> Edition:
    """A draft edition for `year` with the same sections, questions and choices (same codes)."""
    if Edition.objects.filter(year=year).exists():
        raise ValidationError(f"L'édition {year} existe déjà.")
    with transaction.atomic():
        clone = Edition.objects.create(
            year=year,
            title=title,
            introduction=edition.introduction,
            status=Edition.Status.DRAFT,
            choice_lists=edition.choice_lists,
            rules=_rules_for_the_next_edition(edition.rules or {}),
            opendata_questions=edition.opendata_questions,
        )
        sections = {}
        for section in edition.sections.all():
            old_pk = section.pk
            section.pk = None
            section.edition = clone
            section.save()
            sections[old_pk] = section
        questions: dict[int, Question] = {}
        ordered = edition.questions.order_by("roster_id", "pk").prefetch_related("choices", "rows")
        # Rosters first (roster_id NULL sorts first on SQLite, last on PostgreSQL).
        for question in sorted(ordered, key=lambda q: q.roster_id is not None):
            old_pk = question.pk
            choices, rows = list(question.choices.all()), list(question.rows.all())
            question.pk = None
            question.edition = clone
            question.section = sections[question.section_id]
            question.roster = questions[question.roster_id] if question.roster_id else None
            question.save()
            questions[old_pk] = question
            for option in choices + rows:
                option.pk = None
                option.question = question
            Choice.objects.bulk_create(choices)
            MatrixRow.objects.bulk_create(rows)
    return clone


def _rules_for_the_next_edition(rules: dict) -> dict:
    """The rules carry over, but for the series breaks: they describe what changed in the
    edition cloned, not in the next one."""
    trends = {key: value for key, value in (rules.get("trends") or {}).items() if key != "breaks"}
    kept = {key: value for key, value in rules.items() if key != "trends"}
    return {**kept, "trends": trends} if trends else kept


def next_edition_title(edition: Edition, year: int | None = None) -> str:
    """The title with the year replaced, e.g. "Baromètre … 2021" → "Baromètre … 2022"."""
    current, following = str(edition.year), str(year or edition.year + 1)
    if current in edition.title:
        return edition.title.replace(current, following)
    return f"{edition.title} {following}"
