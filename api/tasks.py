from celery import shared_task
from django.conf import settings
from django.utils import timezone

from api.models import WebhookDelivery
from api.webhooks import backoff, post


@shared_task(bind=True, max_retries=None)
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
