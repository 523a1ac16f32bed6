"""E-mails left queued (broker down when they were logged) are handed on again, with backoff."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from respondents.models import EmailLog
from respondents.services.emails import requeue_stale_emails
from respondents.tasks import send_email


def queued(contact, minutes_ago: int, **fields) -> EmailLog:
    log = EmailLog.objects.create(
        contact=contact, kind=EmailLog.Kind.RECEIPT, to_email=contact.email, **fields
    )
    EmailLog.objects.filter(pk=log.pk).update(
        updated_at=timezone.now() - timedelta(minutes=minutes_ago)
    )
    return log


def test_a_fresh_queued_email_is_left_to_its_task(rennes_contact):
    queued(rennes_contact, minutes_ago=1)
    assert requeue_stale_emails() == 0
    assert mail.outbox == []


def test_a_stale_queued_email_is_sent_once_then_waits_longer_each_time(rennes_contact):
    log = queued(rennes_contact, minutes_ago=3)
    assert requeue_stale_emails() == 1
    log.refresh_from_db()
    assert log.status == EmailLog.Status.SENT and log.requeues == 1
    assert len(mail.outbox) == 1

    stuck = queued(rennes_contact, minutes_ago=3, requeues=2)
    # Two requeues already: the next waits 2 × 2 × 2 minutes.
    assert requeue_stale_emails() == 0
    assert requeue_stale_emails(now=timezone.now() + timedelta(minutes=6)) == 1
    stuck.refresh_from_db()
    assert stuck.requeues == 3


def test_an_email_in_its_own_retries_is_not_overtaken(rennes_contact):
    queued(rennes_contact, minutes_ago=30, attempts=2)
    assert requeue_stale_emails() == 0


def test_a_second_task_for_the_same_email_sends_nothing(rennes_contact):
    log = queued(rennes_contact, minutes_ago=3)
    assert send_email.delay(log.pk).get() == EmailLog.Status.SENT
    assert send_email.delay(log.pk).get() == "ignoré"
    assert len(mail.outbox) == 1
