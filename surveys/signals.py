"""Model-layer protection of answered editions: every save or delete path goes through here.

Deleting an answered question is refused by `Question.delete()` and, on every other path
(querysets, cascades), by the PROTECT foreign key of `Answer`.

The rules themselves live in `surveys.protection`; the admin checks them earlier in its
forms to show a message instead of an error page.
"""

from django.db.models.signals import pre_delete, pre_save
from django.dispatch import receiver

from surveys.models import Choice, MatrixRow, Question
from surveys.protection import (
    ProtectedChangeError,
    option_change_problems,
    option_deletion_problems,
    question_change_problems,
)


def _refuse(problems: list[str]) -> None:
    if problems:
        raise ProtectedChangeError(problems)


@receiver(pre_save, sender=Question, dispatch_uid="surveys_protect_question_save")
def protect_question_save(sender, instance: Question, raw: bool = False, **kwargs) -> None:
    if not raw:
        _refuse(question_change_problems(instance))


@receiver(pre_save, sender=Choice, dispatch_uid="surveys_protect_choice_save")
@receiver(pre_save, sender=MatrixRow, dispatch_uid="surveys_protect_row_save")
def protect_option_save(sender, instance: Choice | MatrixRow, raw: bool = False, **kwargs) -> None:
    if not raw:
        _refuse(option_change_problems(instance))


@receiver(pre_delete, sender=Choice, dispatch_uid="surveys_protect_choice_delete")
@receiver(pre_delete, sender=MatrixRow, dispatch_uid="surveys_protect_row_delete")
def protect_option_delete(sender, instance: Choice | MatrixRow, **kwargs) -> None:
    _refuse(option_deletion_problems(instance))
