from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string

from surveys.models import Response


@shared_task(bind=True, max_retries=5, acks_late=True)
def send_receipt(self, response_id: int, email: str) -> str:
    """The acknowledgement of a submitted response, sent to the agent who submitted it."""
    response = (
        Response.objects.select_related("edition", "collectivite").filter(pk=response_id).first()
    )
    if response is None or response.submitted_at is None:
        return "ignoré"
    context = {
        "response": response,
        "edition": response.edition,
        "collectivite": response.collectivite,
        "site_url": settings.SITE_URL,
    }
    subject = f"Baromètre {response.edition.year} : réponse de {response.collectivite} reçue"
    body = render_to_string("surveys/emails/receipt.txt", context)
    try:
        send_mail(subject, body, None, [email])
    except OSError as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
    return "envoyé"


@shared_task
def apply_edition_schedule() -> dict:
    """Open and close waves at their set date-times (beat, every minute); idempotent."""
    from surveys.services.lifecycle import apply_schedule

    run = apply_schedule()
    return {"opened": run.opened, "closed": run.closed}
