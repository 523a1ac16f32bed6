"""Redis (cache, broker, result backend) killed: the site keeps answering, nothing is lost."""

import re
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from respondents.models import Contact, EmailLog, Invitation
from respondents.services.emails import requeue_stale_emails
from surveys.models import Response
from tests.surveys.factories import build_edition

from . import urls

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
YEAR = 2030


def version_of(page) -> str:
    return re.search(r'name="version" value="(\d+)"', page.content.decode()).group(1)


def timed(call, *args, **kwargs):
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


def test_with_redis_killed_answering_and_invitations_work_and_emails_go_out_once_back(
    client, staff_member, rennes, site_on_redis, request, monkeypatch
):
    edition = build_edition(YEAR)
    contact = Contact.objects.create(
        collectivite=rennes, first_name="Rose", last_name="Le Goff", email="rose@rennes.test"
    )
    invitation = Invitation.objects.create(edition=edition, collectivite=rennes, contact=contact)
    token = invitation.issue_token()
    site_on_redis.kill()

    # The magic link (its rate limiter reads the cache) opens the respondent's session.
    page, seconds = timed(client.get, urls.magic_link(token))
    assert page.status_code == 200 and seconds < 5
    page, seconds = timed(client.post, urls.magic_link(token))
    assert page.status_code == 302 and seconds < 5

    # Autosave, then a full page save and the submission (which schedules the results).
    profil = urls.section(YEAR, "profil")
    version = version_of(client.get(profil))
    saved, seconds = timed(
        client.post, urls.autosave(YEAR, "profil"), {"version": version, "service_dedie": "oui"}
    )
    assert saved.status_code == 200 and seconds < 5
    assert saved.json()["version"] != int(version)
    client.post(profil, {"version": version_of(client.get(profil)), "fonction_repondant": "dgs"})
    review = urls.review(YEAR)
    submitted, seconds = timed(client.post, review, {"version": version_of(client.get(review))})
    assert submitted.status_code == 302, submitted.content.decode()[:2000]
    assert seconds < 5
    assert Response.objects.get(edition=edition).status == Response.Status.SUBMITTED

    # The staff resend the invitation: answered at once, the e-mail waits in the log.
    client.force_login(staff_member)
    resent, seconds = timed(client.post, urls.invitation_resend(invitation.pk))
    assert resent.status_code == 302 and seconds < 5
    waiting = EmailLog.objects.filter(status=EmailLog.Status.QUEUED)
    assert sorted(waiting.values_list("kind", flat=True)) == ["invitation", "receipt"]

    # /healthz names the broken parts.
    health = client.get("/healthz")
    assert health.status_code == 503
    checks = health.json()["checks"]
    assert checks["database"] == "ok"
    assert "injoignable" in checks["broker"] and "injoignable" in checks["cache"]

    # Redis comes back, with a worker: the beat job hands the waiting e-mails on, sent once.
    site_on_redis.start()
    monkeypatch.setenv("TEST_CELERY_BROKER_URL", site_on_redis.url)
    request.getfixturevalue("celery_worker")
    assert requeue_stale_emails(now=timezone.now() + timedelta(minutes=3)) == 2
    assert requeue_stale_emails(now=timezone.now() + timedelta(minutes=3)) == 0
    deadline = time.monotonic() + 60
    while EmailLog.objects.filter(status=EmailLog.Status.QUEUED).exists():
        assert time.monotonic() < deadline, "les courriels en attente ne sont pas partis"
        time.sleep(0.2)
    sent = EmailLog.objects.filter(status=EmailLog.Status.SENT)
    assert sent.count() == 2
    assert set(sent.values_list("attempts", flat=True)) == {1}
    assert client.get("/healthz").status_code == 200
