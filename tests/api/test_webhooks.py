import hashlib
import hmac
import json
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from api import tasks, webhooks
from api.models import Webhook, WebhookDelivery
from api.sources import Edition, Response
from surveys import filling
from surveys.backoffice import lifecycle, review
from tests.api.webhook_server import Receiver
from tests.exports.export_data import build_edition, build_responses
from tests.surveys.factories import build_edition as build_answerable_edition
from tests.surveys.filling_helpers import save

ALL_EVENTS = [event.value for event in Webhook.Event]


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Runs the deliveries queued after the commit, as a real commit would."""
    return django_capture_on_commit_callbacks


def documented_check(secret: str, headers: dict, body: bytes) -> bool:
    """The receiver's recipe of the README: HMAC-SHA256 of "<timestamp>.<body>"."""
    timestamp = headers["X-Barometre-Timestamp"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    fresh = abs(time.time() - int(timestamp)) < 300
    return fresh and hmac.compare_digest(
        "sha256=" + expected.hexdigest(), headers["X-Barometre-Signature"]
    )


def hook(url: str, events=ALL_EVENTS) -> Webhook:
    return Webhook.objects.create(url=url, secret=Webhook.new_secret(), events=list(events))


def test_a_test_event_arrives_signed_as_documented(db, commits):
    with Receiver() as receiver:
        webhook = hook(receiver.url)
        with commits(execute=True):
            delivery = webhooks.send_test(webhook)
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert documented_check(webhook.secret, request["headers"], request["body"])
    assert not documented_check("whsec_autre", request["headers"], request["body"])
    tampered = request["body"].replace(b"test", b"TEST")
    assert not documented_check(webhook.secret, request["headers"], tampered)
    payload = json.loads(request["body"])
    assert payload["type"] == "ping" and payload["id"] == str(delivery.event_id)
    assert request["headers"]["X-Barometre-Event"] == "ping"
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("success", 1, 200)


def test_retries_back_off_and_stop_after_a_success(db, monkeypatch, commits):
    waits = []
    monkeypatch.setattr(webhooks, "backoff", lambda attempt: waits.append(attempt) or attempt * 30)
    with Receiver(statuses=[500, 503]) as receiver:
        webhook = hook(receiver.url)
        with commits(execute=True):
            delivery = webhooks.send_test(webhook)
        delivery.refresh_from_db()
        assert [r["answered"] for r in receiver.requests] == [500, 503, 200]
        # Sending the same delivery again (a duplicate task) posts nothing more.
        tasks.deliver_webhook.delay(delivery.pk)
    assert len(receiver.requests) == 3
    assert waits == [1, 2]
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.SUCCESS, 3)
    assert delivery.error == "" and delivery.delivered_at is not None


def test_backoff_doubles_and_is_capped():
    assert [webhooks.backoff(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert webhooks.backoff(20) == 3600


def test_it_gives_up_after_the_last_attempt(db, settings, commits):
    settings.API_WEBHOOK_MAX_ATTEMPTS = 3
    with Receiver(statuses=[500] * 10) as receiver:
        with commits(execute=True):
            delivery = webhooks.send_test(hook(receiver.url))
    delivery.refresh_from_db()
    assert len(receiver.requests) == 3
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 3, 500)
    assert delivery.error == "Réponse HTTP 500"


@pytest.mark.parametrize(
    "url", ["http://10.1.2.3/x", "http://192.168.0.10/x", "http://169.254.169.254/", "ftp://a/"]
)
def test_it_refuses_urls_that_are_not_public(url):
    with pytest.raises(ValidationError):
        webhooks.check_url(url)


def test_loopback_is_allowed_only_by_the_setting(settings):
    webhooks.check_url("http://127.0.0.1:8080/x")
    settings.API_WEBHOOK_ALLOW_LOOPBACK = False
    with pytest.raises(ValidationError):
        webhooks.check_url("http://127.0.0.1:8080/x")


def _events(receiver) -> list[tuple[str, dict]]:
    return [
        (r["headers"]["X-Barometre-Event"], json.loads(r["body"])["data"])
        for r in receiver.requests
    ]


def test_validation_and_reopening_are_sent(alice, rennes, metz_metropole, commits):
    edition = build_edition(2030)
    responses = build_responses(edition, rennes, metz_metropole)
    with Receiver() as receiver:
        hook(receiver.url)
        Webhook.objects.filter(pk=hook("http://127.0.0.1:9/inactif").pk).update(is_active=False)
        with commits(execute=True):
            review.validate(responses["rennes"], alice)
        with commits(execute=True):
            review.reopen(Response.objects.get(pk=responses["ille"].pk), alice)
    events = _events(receiver)
    assert [name for name, _data in events] == ["response.validated", "response.reopened"]
    assert events[0][1]["response"]["collectivite"]["name"] == "Rennes"
    assert events[1][1] == {
        "edition": 2030,
        "response": {
            "id": responses["ille"].pk,
            "status": "draft",
            "collectivite": {"code": "35", "kind": "departement", "name": "Ille-et-Vilaine"},
        },
    }
    assert WebhookDelivery.objects.filter(webhook__is_active=False).count() == 0


def test_an_agents_submission_is_sent_only_to_subscribers(rennes, commits):
    edition = build_answerable_edition(2030)
    response = filling.response_for(edition, rennes)
    save(response, "profil", fonction_repondant="dgs", service_dedie="non")
    save(response, "moyens", budget_participation="5 000", nb_reunions="12")
    response.refresh_from_db()
    with Receiver() as receiver, Receiver() as other:
        hook(receiver.url, [Webhook.Event.SUBMITTED])
        hook(other.url, [Webhook.Event.PUBLISHED])
        with commits(execute=True):
            filling.submit_response(response, response.version)
    assert [name for name, _data in _events(receiver)] == ["response.submitted"]
    assert _events(receiver)[0][1]["response"]["status"] == "submitted"
    assert other.requests == []


def test_publication_is_sent(alice, commits):
    edition = Edition.objects.create(year=2031, title="Baromètre 2031", status="closed")
    with Receiver() as receiver:
        webhook = hook(receiver.url)
        with commits(execute=True):
            lifecycle.change_status(edition, "publier", alice)
    assert _events(receiver) == [
        ("edition.published", {"edition": 2031, "title": "Baromètre 2031"})
    ]
    assert documented_check(
        webhook.secret, receiver.requests[0]["headers"], receiver.requests[0]["body"]
    )


@pytest.fixture
def worker_reaches_loopback(monkeypatch):
    # The worker process reads barometre.settings from its environment: let it post to the
    # test's receiver and retry after one second instead of thirty.
    monkeypatch.setenv("API_WEBHOOK_ALLOW_LOOPBACK", "1")
    monkeypatch.setenv("API_WEBHOOK_RETRY_BASE_SECONDS", "1")


@pytest.mark.worker
def test_the_real_worker_retries_until_the_receiver_accepts(worker_reaches_loopback, celery_worker):
    with Receiver(statuses=[502]) as receiver:
        webhook = hook(receiver.url)
        with transaction.atomic():
            delivery = webhooks.send_test(webhook)
        assert receiver.received.wait(timeout=60), "le worker n'a pas livré l'événement"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            delivery.refresh_from_db()
            if delivery.status != WebhookDelivery.Status.PENDING:
                break
            time.sleep(0.2)
    assert [r["answered"] for r in receiver.requests] == [502, 200]
    assert documented_check(
        webhook.secret, receiver.requests[1]["headers"], receiver.requests[1]["body"]
    )
    assert (delivery.status, delivery.attempts) == (WebhookDelivery.Status.SUCCESS, 2)
