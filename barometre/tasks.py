from collections.abc import Callable

from celery import shared_task
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send a task once the current transaction has committed, so the worker sees its data."""
    transaction.on_commit(lambda: task.delay(*args, **kwargs))


def on_commit(callback: Callable[[], object]) -> None:
    transaction.on_commit(callback)


@shared_task
def clear_expired_sessions() -> int:
    """Delete expired sessions (staff and magic-link respondents); returns how many went."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
