from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from barometre.tasks import clear_expired_sessions

pytestmark = pytest.mark.worker


def test_a_real_worker_clears_expired_sessions_through_redis(celery_worker):
    expired = SessionStore()
    expired["respondent"] = 1
    expired.create()
    Session.objects.filter(pk=expired.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    alive = SessionStore()
    alive.create()

    result = clear_expired_sessions.delay()

    assert result.get(timeout=30) == 1
    assert not Session.objects.filter(pk=expired.session_key).exists()
    assert Session.objects.filter(pk=alive.session_key).exists()


def test_a_task_enqueued_on_commit_runs_after_the_commit(celery_worker):
    import time

    from django.db import transaction

    from barometre.tasks import enqueue_on_commit

    with transaction.atomic():
        enqueue_on_commit(clear_expired_sessions)
        # Had the task been sent now, the worker would have run before this row existed.
        time.sleep(1)
        expired = SessionStore()
        expired.create()
        Session.objects.filter(pk=expired.session_key).update(
            expire_date=timezone.now() - timedelta(days=1)
        )

    deadline = time.monotonic() + 30
    while Session.objects.filter(pk=expired.session_key).exists():
        assert time.monotonic() < deadline, "la tâche n'a pas tourné après le commit"
        time.sleep(0.2)
