import logging
from collections.abc import Callable

from celery import shared_task
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import KombuError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args, **kwargs) -> None:
    """Send a task once the current transaction has committed, so the worker sees its data."""
    transaction.on_commit(lambda: send_task(task, args, kwargs))


def send_task(task, args=(), kwargs=None, **options) -> bool:
    """Enqueue a task; with the broker down, log it and go on (the request must not fail).

    Whatever was to be done is kept in the database and done later: queued e-mails are
    re-sent by `respondents.tasks.requeue_stale_emails`, results by the nightly recount.
    """
    try:
        # Nothing here waits for a result: not subscribing to it spares the result backend,
        # whose consumer, once it has given up on a dead Redis, never recovers.
        task.apply_async(args, kwargs, ignore_result=True, **options)
    except (KombuError, RedisError, OSError) as exc:
        logger.warning(
            "Broker indisponible (%s : %s) : tâche %s non envoyée",
            type(exc).__name__,
            exc,
            task.name,
        )
        return False
    return True


def on_commit(callback: Callable[[], object]) -> None:
    transaction.on_commit(callback)


@shared_task
def clear_expired_sessions() -> int:
    """Delete expired sessions (staff and magic-link respondents); returns how many went."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
