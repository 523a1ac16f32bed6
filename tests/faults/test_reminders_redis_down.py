"""Reminders and colleague invitations with Redis killed: queued in the database, sent once
when Redis is back."""

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from respondents.models import Contact, EmailLog, Invitation, ReminderSchedule
from respondents.services.emails import requeue_stale_emails
from respondents.services.reminders import send_due_reminders
from tests.surveys.factories import build_edition

from . import urls

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
YEAR = 2030


def test_with_redis_killed_reminders_and_colleagues_wait_in_the_log_and_go_out_once(
    client, staff_member, rennes, site_on_redis, request, monkeypatch
):
    edition = build_edition(YEAR)
    edition.closes_at = timezone.now() + timedelta(days=2, hours=12)  # J-3 is due.
    edition.save()
    contact = Contact.objects.create(collectivite=rennes, email="rose@rennes.test")
    invitation = Invitation.objects.create(edition=edition, collectivite=rennes, contact=contact)
    token = invitation.issue_token()
    ReminderSchedule.objects.create(edition=edition, enabled=True)
    site_on_redis.kill()

    # The hourly job runs (twice): one reminder, waiting in the log.
    assert send_due_reminders() == {YEAR: 1}
    assert send_due_reminders() == {}
    # Staff send one by hand: answered at once, it waits too.
    client.force_login(staff_member)
    started = time.monotonic()
    page = client.post(reverse("backoffice:reminders", args=[YEAR]), {"action": "envoyer"})
    assert page.status_code == 200 and time.monotonic() - started < 5
    client.logout()
    # The agent invites a colleague.
    client.post(urls.magic_link(token))
    page = client.post(reverse("answering:team", args=[YEAR]), {"email": "paul@rennes.test"})
    assert "Invitation envoyée" in page.content.decode()
    waiting = EmailLog.objects.filter(status=EmailLog.Status.QUEUED)
    assert sorted(waiting.values_list("kind", "reminder_key")) == [
        ("colleague", ""),
        ("reminder", "J-3"),
        ("reminder", f"manuel:{timezone.localdate().isoformat()}"),
    ]

    site_on_redis.start()
    monkeypatch.setenv("TEST_CELERY_BROKER_URL", site_on_redis.url)
    request.getfixturevalue("celery_worker")
    assert requeue_stale_emails(now=timezone.now() + timedelta(minutes=3)) == 3
    deadline = time.monotonic() + 60
    while waiting.exists():
        assert time.monotonic() < deadline, "les courriels en attente ne sont pas partis"
        time.sleep(0.2)
    sent = EmailLog.objects.filter(status=EmailLog.Status.SENT)
    assert sent.count() == 3
    assert set(sent.values_list("attempts", flat=True)) == {1}
