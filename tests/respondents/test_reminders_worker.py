"""Scheduled reminders through a real Celery worker on Redis: never twice the same one."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from respondents.models import EmailLog, ReminderSchedule
from respondents.tasks import send_scheduled_reminders

from .conftest import invitation_with_token

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_sends_each_due_reminder_once_however_often_the_beat_runs(
    celery_worker, rennes_contact, metz_contact, edition_2021
):
    edition_2021.closes_at = timezone.now() + timedelta(days=2, hours=12)  # J-3 is due.
    edition_2021.save()
    invitation_with_token(rennes_contact, edition_2021)
    invitation_with_token(metz_contact, edition_2021)
    ReminderSchedule.objects.create(edition=edition_2021, enabled=True)
    # The beat fires three times (a restart, two beat processes): the worker runs them in turn.
    results = [send_scheduled_reminders.apply_async() for _ in range(3)]
    outcomes = [result.get(timeout=60) for result in results]
    assert outcomes == [{"2021": 2}, {}, {}]
    logs = EmailLog.objects.filter(kind=EmailLog.Kind.REMINDER)
    deadline = time.monotonic() + 60
    while logs.filter(status=EmailLog.Status.QUEUED).exists():
        assert time.monotonic() < deadline, "le worker n'a pas envoyé les relances"
        time.sleep(0.3)
    assert sorted(logs.values_list("to_email", "reminder_key", "status", "attempts")) == [
        ("marc.schmitt@metzmetropole.test", "J-3", "sent", 1),
        ("rose.legoff@ville-rennes.test", "J-3", "sent", 1),
    ]
