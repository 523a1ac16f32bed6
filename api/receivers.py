"""What the platform announces, turned into webhook events (connected by ApiConfig.ready())."""

from django.db.models.signals import post_save

from api.models import Webhook
from api.sources import Edition, EditionEvent, Response, ResponseEvent, response_submitted
from api.webhooks import emit

REVIEW_EVENTS: dict[str, str] = {
    ResponseEvent.Kind.SUBMITTED: Webhook.Event.SUBMITTED,
    ResponseEvent.Kind.VALIDATED: Webhook.Event.VALIDATED,
    ResponseEvent.Kind.REOPENED: Webhook.Event.REOPENED,
}


def response_data(response: Response) -> dict:
    collectivite = response.collectivite
    return {
        "edition": response.edition.year,
        "response": {
            "id": response.pk,
            "status": response.status,
            "collectivite": {
                "code": collectivite.code,
                "kind": collectivite.kind,
                "name": collectivite.name,
            },
        },
    }


def on_submitted(sender, response: Response, **kwargs) -> None:
    emit(Webhook.Event.SUBMITTED, response_data(response))


def on_review_event(sender, instance: ResponseEvent, created: bool, raw: bool = False, **kwargs):
    if created and not raw and instance.kind in REVIEW_EVENTS:
        response = Response.objects.select_related("edition", "collectivite").get(
            pk=instance.response_id
        )
        emit(REVIEW_EVENTS[instance.kind], response_data(response))


def on_edition_event(sender, instance: EditionEvent, created: bool, raw: bool = False, **kwargs):
    published = Edition.Status.PUBLISHED
    if created and not raw and instance.kind == EditionEvent.Kind.STATUS:
        if instance.to_status == published:
            edition = instance.edition
            emit(Webhook.Event.PUBLISHED, {"edition": edition.year, "title": edition.title})


def connect() -> None:
    response_submitted.connect(on_submitted, dispatch_uid="api-response-submitted")
    post_save.connect(on_review_event, sender=ResponseEvent, dispatch_uid="api-review-event")
    post_save.connect(on_edition_event, sender=EditionEvent, dispatch_uid="api-edition-event")
