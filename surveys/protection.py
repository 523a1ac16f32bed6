"""Protection of answered editions: what may no longer change once answers rely on it.

Once an edition has answers, a question, a choice or a matrix row that holds answers can no
longer be deleted, a question's type or code cannot change, nor a choice's or a row's code:
answers would then point at the wrong thing (a removed option shifting data into the wrong
columns). Adding and rewording stay allowed. The same checks serve the model signals
(`surveys.signals`), the admin forms and `import_edition` (through
`surveys.definition.evolution`).
"""

from __future__ import annotations

from surveys.models import Answer, Choice, MatrixRow, ProtectedChangeError, Question

__all__ = [
    "ProtectedChangeError",
    "codes_in_use",
    "has_answers",
    "option_change_problems",
    "option_deletion_problems",
    "question_change_problems",
    "question_deletion_problems",
]


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
    return question.deletion_problems()


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
