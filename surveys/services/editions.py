"""Editions over time: preparing the next one, and protecting the answers already given.

Once an edition has answers, a question, a choice or a matrix row that holds answers can no
longer be deleted, a question's type or code cannot change, nor a choice's or a row's code:
answers would then point at the wrong thing (a removed option shifting data into the wrong
columns). Adding and rewording stay allowed. The same checks serve the model signals
(`surveys.signals`), the admin forms and `import_edition`.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from surveys.models import Answer, Choice, Edition, MatrixRow, Question


class ProtectedChangeError(ValidationError):
    """A change that would betray answers already given; the message says which."""


def codes_in_use(question: Question) -> tuple[set[str], set[str]]:
    """(choice codes, matrix row codes) that appear in the answers to `question`."""
    choices: set[str] = set()
    rows: set[str] = set()
    values = Answer.objects.filter(question=question).values_list("value", flat=True)
    for value in values.iterator(chunk_size=2000):
        if isinstance(value, str):
            choices.add(value)
        elif isinstance(value, list):
            choices.update(code for code in value if isinstance(code, str))
        elif isinstance(value, dict):
            if question.type == Question.Type.MATRIX:
                rows.update(value)
                choices.update(code for code in value.values() if isinstance(code, str))
            else:
                choices.update(value)
    return choices, rows


def has_answers(question: Question) -> bool:
    return question.pk is not None and Answer.objects.filter(question_id=question.pk).exists()


def question_deletion_problems(question: Question) -> list[str]:
    if has_answers(question):
        return [
            f"La question « {question.code} » a déjà des réponses : elle ne peut pas être "
            "supprimée (vous pouvez la reformuler)."
        ]
    return []


def question_change_problems(question: Question) -> list[str]:
    """What is wrong with saving `question` as it is now, given its stored version."""
    if question.pk is None:
        return []
    stored = Question.objects.filter(pk=question.pk).values("type", "code").first()
    if stored is None or not has_answers(question):
        return []
    problems = []
    if stored["type"] != question.type:
        problems.append(
            f"La question « {stored['code']} » a déjà des réponses : son type "
            f"({stored['type']}) ne peut plus changer."
        )
    if stored["code"] != question.code:
        problems.append(
            f"La question « {stored['code']} » a déjà des réponses : son code ne peut plus "
            "changer (il relie les années entre elles)."
        )
    return problems


def _option_problems(option: Choice | MatrixRow, old_code: str, deleting: bool) -> list[str]:
    question = option.question
    choices, rows = codes_in_use(question)
    if isinstance(option, MatrixRow):
        if old_code not in rows:
            return []
        subject = f"Question « {question.code} » : la ligne « {old_code} » a déjà des réponses"
        consequence = "elle ne peut pas être supprimée (vous pouvez la reformuler)"
    else:
        if old_code not in choices:
            return []
        subject = (
            f"Question « {question.code} » : le choix « {old_code} » figure déjà dans des réponses"
        )
        consequence = "il ne peut pas être supprimé (vous pouvez le reformuler)"
    if not deleting:
        consequence = "son code ne peut plus changer"
    return [f"{subject} : {consequence}."]


def option_deletion_problems(option: Choice | MatrixRow) -> list[str]:
    if option.pk is None:
        return []
    stored = type(option).objects.filter(pk=option.pk).values_list("code", flat=True).first()
    return _option_problems(option, stored or option.code, deleting=True)


def option_change_problems(option: Choice | MatrixRow) -> list[str]:
    if option.pk is None:
        return []
    stored = type(option).objects.filter(pk=option.pk).values_list("code", flat=True).first()
    if stored is None or stored == option.code:
        return []
    return _option_problems(option, stored, deleting=False)


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
        )
        sections = {}
        for section in edition.sections.all():
            old_pk = section.pk
            section.pk = None
            section.edition = clone
            section.save()
            sections[old_pk] = section
        questions = {}
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


def next_edition_title(edition: Edition, year: int | None = None) -> str:
    """The title with the year replaced, e.g. "Baromètre … 2021" → "Baromètre … 2022"."""
    year, following = str(edition.year), str(year or edition.year + 1)
    if year in edition.title:
        return edition.title.replace(year, following)
    return f"{edition.title} {following}"
