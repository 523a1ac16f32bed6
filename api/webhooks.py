"""Webhooks: which URLs are accepted, the signature, the events and their delivery.

Each event is POSTed as JSON with three headers: `X-Barometre-Event` (its type),
`X-Barometre-Timestamp` (Unix seconds) and `X-Barometre-Signature`, `sha256=` followed by the
hex HMAC-SHA256, keyed with the webhook's secret, of `<timestamp>.<body>` (the raw body bytes).
A receiver recomputes it, compares in constant time and refuses old timestamps.
"""

import hashlib
import hmac
import ipaddress
import json
import socket
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from api.models import Webhook, WebhookDelivery
from api.sources import enqueue_on_commit

TEST_EVENT = "ping"
USER_AGENT = "Barometre-Webhooks/1"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, tolerance: int = 300) -> bool:
    """The documented check a receiver runs (the tests run it too)."""
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)


def _address_allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if ip.is_loopback:
        return settings.API_WEBHOOK_ALLOW_LOOPBACK
    return ip.is_global


def check_url(url: str) -> None:
    """Refuse a URL that is not http(s) or that resolves to a non-public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("L'adresse doit commencer par https:// (ou http://).", code="scheme")
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError(
            f"Le nom « {parts.hostname} » ne se résout pas.", code="unresolved"
        ) from exc
    if not all(_address_allowed(str(info[4][0])) for info in infos):
        raise ValidationError(
            "Cette adresse mène à un réseau privé ou local : seules les adresses publiques "
            "sont acceptées.",
            code="private",
        )


def emit(event: str, data: dict, webhooks=None) -> list[WebhookDelivery]:
    """Record one delivery per subscribed active webhook and send each after the commit."""
    if webhooks is None:
        webhooks = [w for w in Webhook.objects.filter(is_active=True) if event in w.events]
    deliveries = []
    for webhook in webhooks:
        delivery = WebhookDelivery(webhook=webhook, event=event)
        delivery.payload = {
            "id": str(delivery.event_id),
            "type": event,
            "created_at": timezone.now().isoformat(),
            "data": data,
        }
        delivery.save()
        deliveries.append(delivery)
        enqueue_on_commit(deliver_webhook, delivery.pk)
    return deliveries


def send_test(webhook: Webhook) -> WebhookDelivery:
    return emit(TEST_EVENT, {"message": "Événement de test du Baromètre."}, [webhook])[0]


def backoff(attempt: int) -> int:
    """Seconds before attempt `attempt + 1`: doubling from API_WEBHOOK_RETRY_BASE_SECONDS
    (30 s, 1 min, 2 min, …), capped at one hour."""
    return min(3600, settings.API_WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect could lead to an address check_url() refuses: it counts as a failure.
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


def post(delivery: WebhookDelivery) -> int:
    """POST the delivery once; its HTTP status, or an exception when there is none."""
    webhook = delivery.webhook
    check_url(webhook.url)
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(  # noqa: S310 — the scheme is checked above
        webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Barometre-Event": delivery.event,
            "X-Barometre-Delivery": str(delivery.event_id),
            "X-Barometre-Timestamp": timestamp,
            "X-Barometre-Signature": sign(webhook.secret, timestamp, body),
        },
    )
    try:
        with _opener.open(request, timeout=settings.API_WEBHOOK_TIMEOUT) as answer:
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code


# Named as the tasks module that re-exports it, for the worker and for messages already queued.
@shared_task(bind=True, max_retries=None, name="api.tasks.deliver_webhook")
def deliver_webhook(self, delivery_id: int) -> str:
    """POST one webhook delivery; retried with backoff until a 2xx or the last attempt."""
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return delivery.status if delivery else "missing"
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    try:
        status = post(delivery)
        delivery.response_status = status
        delivery.error = "" if 200 <= status < 300 else f"Réponse HTTP {status}"
    except Exception as exc:
        delivery.response_status = None
        delivery.error = f"{exc.__class__.__name__} : {exc}"
    if not delivery.error:
        delivery.status = WebhookDelivery.Status.SUCCESS
        delivery.delivered_at = delivery.last_attempt_at
    elif delivery.attempts >= settings.API_WEBHOOK_MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save()
    if delivery.status == WebhookDelivery.Status.PENDING:
        countdown = backoff(delivery.attempts)
        if self.request.is_eager:
            # Without a broker (tests, the demo) Celery's eager retry re-raises Retry to the
            # code that queued the event: the next attempt runs at once, in process, instead.
            return self.apply((delivery_id,)).result
        raise self.retry(countdown=countdown)
    return delivery.status
