"""Turnover in a collectivité's team: an agent invites a colleague; after municipal elections,
staff ask each contact to confirm they are still the right person.

Every change is a `ContactEvent` (who did what about whom, and when), listed on the staff side;
staff are also told by e-mail (`STAFF_NOTIFICATION_EMAILS`) of colleagues invited and departures.
"""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone

from barometre.tasks import enqueue_on_commit
from respondents.models import (
    Collectivite,
    Contact,
    ContactEvent,
    EmailLog,
    Invitation,
    normalise_email,
)
from respondents.services.emails import queue_email, send_email
from respondents.services.invitations import collectivites_matching, invite
from respondents.services.rgpd import ERASED_DOMAIN

logger = logging.getLogger(__name__)


class AlreadyInTeam(Exception):
    """The address is already a contact of the collectivité."""


def team_of(collectivite: Collectivite) -> QuerySet[Contact]:
    """The collectivité's contacts still in post (erased ones and those who left excluded)."""
    return (
        collectivite.contacts.exclude(email__endswith="@" + ERASED_DOMAIN)
        .exclude(confirmation=Contact.Confirmation.LEFT)
        .order_by("last_name", "first_name", "email")
    )


def invite_colleague(
    inviter: Contact,
    edition,
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    role: str = "",
) -> Contact:
    """A new contact of the inviter's own collectivité, e-mailed its own link; audited."""
    collectivite = inviter.collectivite
    colleague = Contact.objects.filter(
        collectivite=collectivite, email=normalise_email(email)
    ).first()
    if colleague is None:
        colleague = Contact.objects.create(
            collectivite=collectivite,
            email=email,
            first_name=first_name,
            last_name=last_name,
            role=role,
        )
    elif colleague.confirmation == Contact.Confirmation.LEFT:
        _reinstate(colleague)
    else:
        raise AlreadyInTeam(email)
    event = ContactEvent.objects.create(
        collectivite=collectivite,
        contact=inviter,
        kind=ContactEvent.Kind.COLLEAGUE_INVITED,
        other=colleague,
    )
    invitation = invite(colleague, edition, send=False)
    queue_email(colleague, EmailLog.Kind.COLLEAGUE, invitation)
    notify_staff(event)
    return colleague


def contacts_to_confirm(type_collectivite: str = "", region: str = "") -> QuerySet[Contact]:
    """The contacts of a selection of collectivités that can be asked (not erased, not gone)."""
    return (
        Contact.objects.filter(
            collectivite__in=collectivites_matching(
                type_collectivite=type_collectivite, region=region
            )
        )
        .exclude(email__endswith="@" + ERASED_DOMAIN)
        .exclude(confirmation=Contact.Confirmation.LEFT)
    )


def request_confirmations(contacts: QuerySet[Contact]) -> int:
    """E-mail each contact a link to confirm they are still in post; returns how many.

    In bulk: "all communes" is tens of thousands of contacts."""
    now = timezone.now()
    recipients = list(contacts.values_list("pk", "email"))
    Contact.objects.filter(pk__in=contacts.values("pk")).update(
        confirmation=Contact.Confirmation.REQUESTED,
        confirmation_requested_at=now,
        confirmation_answered_at=None,
    )
    logs = EmailLog.objects.bulk_create(
        (
            EmailLog(contact_id=pk, kind=EmailLog.Kind.CONFIRMATION, to_email=email)
            for pk, email in recipients
        ),
        batch_size=1000,
    )
    for log in logs:
        enqueue_on_commit(send_email, log.pk)
    return len(logs)


def confirm_still_in_post(contact: Contact) -> None:
    """Recorded and listed, without an e-mail to staff: a campaign brings thousands of them."""
    _answer(contact, Contact.Confirmation.CONFIRMED)
    ContactEvent.objects.create(
        collectivite=contact.collectivite, contact=contact, kind=ContactEvent.Kind.CONFIRMED
    )


def record_departure(contact: Contact, successor_email: str = "") -> Contact | None:
    """The contact has left: no more links nor reminders; the successor, if named, is invited
    to the waves the contact was invited to."""
    _answer(contact, Contact.Confirmation.LEFT)
    Contact.objects.filter(pk=contact.pk).update(
        opted_out_of_reminders=True, opted_out_at=timezone.now()
    )
    running = list(
        contact.invitations.filter(
            edition__status__in=Invitation.ACTIVE_EDITION_STATUSES
        ).select_related("edition")
    )
    for invitation in running:
        invitation.revoke()
    event = ContactEvent.objects.create(
        collectivite=contact.collectivite, contact=contact, kind=ContactEvent.Kind.LEFT
    )
    successor = None
    if successor_email:
        successor, _ = Contact.objects.get_or_create(
            collectivite=contact.collectivite, email=successor_email
        )
        if successor.confirmation == Contact.Confirmation.LEFT:
            _reinstate(successor)
        event = ContactEvent.objects.create(
            collectivite=contact.collectivite,
            contact=contact,
            kind=ContactEvent.Kind.SUCCESSOR,
            other=successor,
        )
        for invitation in running:
            invite(successor, invitation.edition)
    notify_staff(event)
    return successor


def _reinstate(contact: Contact) -> None:
    """Someone who had left is back (re-invited by a colleague or named successor)."""
    contact.confirmation = ""
    contact.opted_out_of_reminders = False
    contact.opted_out_at = None
    contact.save(update_fields=["confirmation", "opted_out_of_reminders", "opted_out_at"])


def _answer(contact: Contact, confirmation: str) -> None:
    now = timezone.now()
    contact.confirmation = confirmation
    contact.confirmation_answered_at = now
    Contact.objects.filter(pk=contact.pk).update(
        confirmation=confirmation, confirmation_answered_at=now, updated_at=now
    )


def confirmation_counts(contacts: QuerySet[Contact]) -> dict[str, int]:
    """How many contacts confirmed, did not answer yet, left, or were never asked."""
    counts = dict(
        contacts.exclude(email__endswith="@" + ERASED_DOMAIN)
        .values_list("confirmation")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {
        "confirmed": counts.get(Contact.Confirmation.CONFIRMED, 0),
        "requested": counts.get(Contact.Confirmation.REQUESTED, 0),
        "left": counts.get(Contact.Confirmation.LEFT, 0),
        "never_asked": counts.get("", 0),
    }


def notify_staff(event: ContactEvent) -> None:
    """E-mail the staff notification addresses once the change is saved (best effort: the event
    stays listed on the staff side whatever happens to the e-mail)."""
    if settings.STAFF_NOTIFICATION_EMAILS:
        enqueue_on_commit(send_staff_notification, event.pk)


def staff_notification(event: ContactEvent) -> tuple[str, str]:
    """Subject and body of the staff e-mail about an event."""
    who = event.contact.full_name or event.contact.email
    subject = f"Baromètre : {event.collectivite.name} — {who} {event.get_kind_display()}"
    lines = [
        f"{who} ({event.contact.email}), contact de {event.collectivite.name}, "
        f"{event.get_kind_display()} le {timezone.localtime(event.created_at):%d/%m/%Y à %H:%M}.",
    ]
    if event.other is not None:
        lines.append(f"Nouveau contact : {event.other.full_name or '—'} <{event.other.email}>.")
    lines.append(
        "Mouvements des contacts : " + settings.SITE_URL + reverse("backoffice:contact-events")
    )
    return subject[:200], "\n\n".join(lines) + "\n"


@shared_task(bind=True, max_retries=5, acks_late=True)
def send_staff_notification(self, event_id: int) -> str:
    event = (
        ContactEvent.objects.select_related("contact", "collectivite", "other")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return "ignoré"
    subject, body = staff_notification(event)
    try:
        send_mail(subject, body, None, settings.STAFF_NOTIFICATION_EMAILS)
    except OSError as exc:
        raise self.retry(exc=exc, countdown=60 * 2**self.request.retries) from exc
    return "envoyé"
