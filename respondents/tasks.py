"""The respondents' Celery tasks: e-mail delivery, lost links, reminders, RGPD purge."""

from celery import shared_task
from django.db import transaction

from respondents.services.emails import requeue_stale_emails as requeue
from respondents.services.emails import send_email
from respondents.services.invitations import resend_links
from respondents.services.reminders import send_due_reminders, send_reminders
from respondents.services.rgpd import purge_expired_contacts
from respondents.services.team import (
    contacts_to_confirm,
    request_confirmations,
    send_staff_notification,
)
from surveys.models import Edition

__all__ = [
    "purge_expired_contact_data",
    "requeue_stale_emails",
    "request_contact_confirmations",
    "send_edition_reminders",
    "send_email",
    "send_resend_links",
    "send_scheduled_reminders",
    "send_staff_notification",
]


@shared_task
def requeue_stale_emails() -> int:
    """Beat: hand again to the broker the e-mails still queued long after (broker was down)."""
    return requeue()


@shared_task
def send_resend_links(email: str) -> int:
    """Look the address up here, not in the view, so that the form answers alike for all."""
    with transaction.atomic():
        return resend_links(email)


@shared_task
def send_edition_reminders(edition_id: int, key: str) -> int:
    """Staff's "send now": the reminder `key` (never twice to a contact, however often run)."""
    edition = Edition.objects.filter(pk=edition_id).first()
    if edition is None:
        return 0
    with transaction.atomic():
        return send_reminders(edition, key).sent


@shared_task
def send_scheduled_reminders() -> dict:
    """Run by Celery beat; each edition's ReminderSchedule says whether and how often."""
    with transaction.atomic():
        return send_due_reminders()


@shared_task
def request_contact_confirmations(type_collectivite: str, region: str) -> int:
    """Staff's "Confirmer les contacts" for a selection (e.g. every commune)."""
    with transaction.atomic():
        return request_confirmations(contacts_to_confirm(type_collectivite, region))


@shared_task
def purge_expired_contact_data() -> int:
    """Erase contacts kept past CONTACT_RETENTION_DAYS after their last edition (beat, daily)."""
    return purge_expired_contacts()
