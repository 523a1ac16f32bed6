"""A worker killed while the beat's reminder job runs: each reminder still goes out once."""

import time
from datetime import timedelta

import pytest
from django.utils import timezone

from respondents.models import Collectivite, Contact, EmailLog, Invitation, ReminderSchedule
from respondents.tasks import send_scheduled_reminders
from tests.surveys.factories import build_edition

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
CONTACTS = 400


def test_a_worker_killed_during_the_reminder_job_sends_each_reminder_once(start_worker):
    edition = build_edition(2030)
    edition.closes_at = timezone.now() + timedelta(days=2, hours=12)  # J-3 is due.
    edition.save()
    collectivites = Collectivite.objects.bulk_create(
        Collectivite(kind="commune", code=f"R{n:05}", name=f"Commune {n}") for n in range(CONTACTS)
    )
    contacts = Contact.objects.bulk_create(
        Contact(collectivite=c, email=f"agent@commune-{c.pk}.test") for c in collectivites
    )
    Invitation.objects.bulk_create(
        Invitation(edition=edition, collectivite_id=c.collectivite_id, contact=c) for c in contacts
    )
    ReminderSchedule.objects.create(edition=edition, enabled=True)
    worker = start_worker()
    send_scheduled_reminders.apply_async(ignore_result=True)
    deadline = time.monotonic() + 30
    while "send_scheduled_reminders[" not in worker.log.read_text():
        assert time.monotonic() < deadline, "le worker n'a pas reçu la tâche"
        time.sleep(0.01)
    # Received: its child is at work (about 0.4 s for 400 contacts).
    worker.kill_child()
    # The pool replaces its child; the job, acknowledged late, runs again from the start. Beat
    # fires again too, for good measure.
    send_scheduled_reminders.apply_async(ignore_result=True)
    logs = EmailLog.objects.filter(kind=EmailLog.Kind.REMINDER)
    deadline = time.monotonic() + 180
    while logs.count() < CONTACTS or logs.filter(status=EmailLog.Status.QUEUED).exists():
        assert time.monotonic() < deadline, f"{logs.count()} relances, dont en attente : " + str(
            logs.filter(status=EmailLog.Status.QUEUED).count()
        )
        time.sleep(0.5)
    assert logs.count() == CONTACTS
    assert set(logs.values_list("reminder_key", "status")) == {("J-3", "sent")}
    assert logs.values("invitation").distinct().count() == CONTACTS
