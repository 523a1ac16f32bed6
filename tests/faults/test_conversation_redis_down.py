"""Redis killed: staff still flag and answer, the agent still replies; the e-mails of the
conversation wait in the log and go out once Redis is back."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from respondents.models import Contact, EmailLog, Invitation
from respondents.services.emails import requeue_stale_emails
from surveys import filling
from surveys.backoffice.models import ConversationMessage, ResponseComment
from tests.surveys.factories import build_edition

from . import urls

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
YEAR = 2030


def test_with_redis_killed_the_conversation_goes_on_and_its_emails_leave_once_back(
    client, staff_member, rennes, site_on_redis, request, monkeypatch, settings
):
    settings.STAFF_NOTIFICATION_EMAILS = ["equipe@decider-ensemble.test"]
    edition = build_edition(YEAR)
    contact = Contact.objects.create(collectivite=rennes, email="rose@rennes.test")
    invitation = Invitation.objects.create(
        edition=edition, collectivite=rennes, contact=contact, token_hash=Invitation.new_token()[1]
    )
    token = invitation.issue_token()
    response = filling.response_for(edition, rennes)
    site_on_redis.kill()

    staff = Client()
    staff.force_login(staff_member)
    started = time.monotonic()
    flagged = staff.post(
        reverse("backoffice:response-flag", args=[response.pk]),
        {"question": "nb_reunions", "body": "Combien de réunions ?"},
    )
    assert flagged.status_code == 302 and time.monotonic() - started < 5
    thread = ResponseComment.objects.get()

    client.post(urls.magic_link(token))
    started = time.monotonic()
    replied = client.post(
        reverse("answering:thread", args=[YEAR, thread.pk]),
        {"body": "Douze.", "retour": "section:moyens"},
    )
    assert replied.status_code == 302 and time.monotonic() - started < 5
    assert ConversationMessage.objects.get().body == "Douze."
    waiting = EmailLog.objects.filter(status=EmailLog.Status.QUEUED)
    assert sorted(waiting.values_list("kind", flat=True)) == ["agent_reply", "flag"]

    site_on_redis.start()
    monkeypatch.setenv("TEST_CELERY_BROKER_URL", site_on_redis.url)
    request.getfixturevalue("celery_worker")
    assert requeue_stale_emails(now=timezone.now() + timedelta(minutes=3)) == 2
    deadline = time.monotonic() + 60
    while EmailLog.objects.filter(status=EmailLog.Status.QUEUED).exists():
        assert time.monotonic() < deadline, "les courriels en attente ne sont pas partis"
        time.sleep(0.2)
    sent = EmailLog.objects.filter(status=EmailLog.Status.SENT)
    assert sorted(sent.values_list("to_email", flat=True)) == [
        "equipe@decider-ensemble.test",
        "rose@rennes.test",
    ]
