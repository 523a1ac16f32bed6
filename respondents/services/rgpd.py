"""Contacts' personal data (RGPD): what is held about a person, erasure, and retention.

A contact is erased by anonymising it rather than deleting the row: its invitations and e-mail
log stay as anonymous facts (so the follow-up figures of past editions do not change), while
every piece that identifies the person (name, role, address) goes. The collectivité's answers are
the collectivité's and stay. Contacts are kept `CONTACT_RETENTION_DAYS` after the last edition
they were invited to, then erased by the periodic job.
"""

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import (
    CharField,
    DateTimeField,
    Exists,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from respondents.models import AccessRequest, Contact, Invitation

logger = logging.getLogger(__name__)

ERASED_DOMAIN = "efface.invalid"
ERASED_LABEL = "Contact effacé"


def erased_email(contact_id: int) -> str:
    return f"contact-{contact_id}@{ERASED_DOMAIN}"


def is_erased(contact: Contact) -> bool:
    return contact.email.endswith("@" + ERASED_DOMAIN)


def _iso(moment: datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def export_contact(contact: Contact) -> dict[str, Any]:
    """Everything the platform holds about a contact, for a subject access request."""
    invitations = contact.invitations.select_related("edition").order_by("created_at")
    return {
        "contact": {
            "id": contact.pk,
            "prenom": contact.first_name,
            "nom": contact.last_name,
            "fonction": contact.role,
            "courriel": contact.email,
            "collectivite": {
                "nom": contact.collectivite.name,
                "code": contact.collectivite.code,
                "siren": contact.collectivite.siren,
            },
            "ne_veut_plus_de_relances": contact.opted_out_of_reminders,
            "desinscrit_des_relances_le": _iso(contact.opted_out_at),
            "cree_le": _iso(contact.created_at),
            "modifie_le": _iso(contact.updated_at),
        },
        "invitations": [
            {
                "edition": invitation.edition.year,
                "creee_le": _iso(invitation.created_at),
                "dernier_envoi": _iso(invitation.sent_at),
                "premiere_ouverture": _iso(invitation.first_used_at),
                "derniere_ouverture": _iso(invitation.last_used_at),
                "revoquee_le": _iso(invitation.revoked_at),
            }
            for invitation in invitations
        ],
        "courriels": [
            {
                "nature": log.get_kind_display(),
                "statut": log.get_status_display(),
                "destinataire": log.to_email,
                "objet": log.subject,
                "cree_le": _iso(log.created_at),
                "envoye_le": _iso(log.sent_at),
            }
            for log in contact.email_logs.order_by("created_at", "pk")
        ],
        "demandes_d_acces": [
            {
                "edition": request.edition.year,
                "prenom": request.first_name,
                "nom": request.last_name,
                "fonction": request.role,
                "courriel": request.email,
                "statut": request.get_status_display(),
                "recue_le": _iso(request.created_at),
            }
            for request in _access_requests(contact).select_related("edition")
        ],
        "exporte_le": _iso(timezone.now()),
    }


def _access_requests(contact: Contact) -> QuerySet:
    return AccessRequest.objects.filter(
        Q(contact=contact) | Q(collectivite=contact.collectivite_id, email__iexact=contact.email)
    )


@transaction.atomic
def erase_contact(contact: Contact, user=None) -> None:
    """Forget the person: anonymise the contact, its e-mail log and access requests, revoke its
    links. Answers of the collectivité stay."""
    now = timezone.now()
    address = erased_email(contact.pk)
    _access_requests(contact).update(first_name="", last_name="", role="", email=address)
    for invitation in contact.invitations.filter(revoked_at__isnull=True):
        invitation.revoke(user)
    contact.email_logs.update(to_email=address, error="", context={})
    Contact.objects.filter(pk=contact.pk).update(
        first_name="",
        last_name=ERASED_LABEL,
        role="",
        email=address,
        opted_out_of_reminders=True,
        opted_out_at=contact.opted_out_at or now,
        updated_at=now,
    )
    contact.refresh_from_db()
    logger.info(
        "Contact %s effacé (%s)", contact.pk, user.get_username() if user else "conservation"
    )


def last_edition_moment() -> Coalesce:
    """When the contact's last edition ended (its deadline), else when it was last invited."""
    return Coalesce(
        Max("invitations__edition__closes_at"),
        Max("invitations__created_at"),
        "created_at",
        output_field=DateTimeField(),
    )


def contacts_due_for_purge(now: datetime | None = None) -> QuerySet:
    now = now or timezone.now()
    limit = now - timedelta(days=settings.CONTACT_RETENTION_DAYS)
    # A contact invited to a wave that is not over is never due, whatever its dates.
    running = Invitation.objects.filter(
        contact=OuterRef("pk"), edition__status__in=("draft", "open")
    )
    return (
        Contact.objects.exclude(email__endswith="@" + ERASED_DOMAIN)
        .annotate(last_edition_at=last_edition_moment(), in_running_wave=Exists(running))
        .filter(last_edition_at__lt=limit, in_running_wave=False)
    )


def purge_expired_contacts(now: datetime | None = None) -> int:
    """Erase the contacts kept longer than the retention period; returns how many.

    Access requests older than the period lose their personal data too (those that became a
    contact are covered by the contact's own retention until then)."""
    count = 0
    for contact in contacts_due_for_purge(now).select_related("collectivite"):
        erase_contact(contact)
        count += 1
    limit = (now or timezone.now()) - timedelta(days=settings.CONTACT_RETENTION_DAYS)
    AccessRequest.objects.filter(created_at__lt=limit, contact__isnull=True).exclude(
        email__endswith="@" + ERASED_DOMAIN
    ).update(
        first_name="",
        last_name="",
        role="",
        email=Concat(Value("demande-"), Cast("pk", CharField()), Value("@" + ERASED_DOMAIN)),
    )
    return count
