"""Inviting contacts to an edition, resending links, revoking."""

from dataclasses import dataclass, field

from django.db.models import F, QuerySet
from django.utils import timezone

from respondents.classification import TRANCHE_LABELS, TYPES_COLLECTIVITE
from respondents.models import (
    Collectivite,
    Contact,
    EmailLog,
    Invitation,
    MagicLink,
    normalise_email,
    normalise_name,
)
from respondents.services.emails import queue_email


def invite(contact: Contact, edition, user=None, send: bool = True) -> Invitation:
    """The contact's invitation to the edition (created, or re-enabled if revoked), e-mailed."""
    invitation, created = Invitation.objects.get_or_create(
        edition=edition,
        contact=contact,
        defaults={
            "collectivite_id": contact.collectivite_id,
            "created_by": user,
        },
    )
    if not created and invitation.revoked_at is not None:
        invitation.revoked_at = None
        invitation.revoked_by = None
        invitation.save(update_fields=["revoked_at", "revoked_by"])
    if send:
        queue_email(contact, EmailLog.Kind.INVITATION, invitation)
    return invitation


def resend_links(email: str) -> int:
    """E-mail a new link for every still valid invitation of this address; returns how many."""
    invitations = (
        Invitation.objects.select_related("edition", "contact", "collectivite")
        .filter(
            contact__email=normalise_email(email),
            revoked_at__isnull=True,
            edition__status__in=Invitation.ACTIVE_EDITION_STATUSES,
        )
        .order_by("pk")
    )
    sent = 0
    for invitation in invitations:
        if invitation.is_valid():
            queue_email(invitation.contact, EmailLog.Kind.RESEND, invitation)
            sent += 1
    return sent


def collectivites_matching(
    *, type_collectivite: str = "", region: str = "", tranche: str = "", query: str = ""
) -> QuerySet:
    """Active collectivités filtered as on the invitations screen, biggest first."""
    queryset = Collectivite.objects.filter(is_active=True)
    if type_collectivite in TYPES_COLLECTIVITE:
        queryset = queryset.filter(Collectivite.type_filter(type_collectivite))
    if region:
        queryset = queryset.filter(region_code=region)
    if tranche in TRANCHE_LABELS:
        queryset = queryset.filter(Collectivite.tranche_filter(tranche))
    if query:
        queryset = queryset.filter(search_name__contains=normalise_name(query))
    return queryset.order_by(F("population").desc(nulls_last=True), "name")


@dataclass
class InvitationOutcome:
    invited: list[Invitation] = field(default_factory=list)
    without_contact: list[Collectivite] = field(default_factory=list)
    already_invited: int = 0


def invite_collectivites(collectivites, edition, user=None) -> InvitationOutcome:
    """Invite every contact of these collectivités not yet invited to the edition."""
    outcome = InvitationOutcome()
    already = set(
        Invitation.objects.filter(edition=edition, revoked_at__isnull=True).values_list(
            "contact_id", flat=True
        )
    )
    for collectivite in collectivites:
        contacts = list(collectivite.contacts.all())
        if not contacts:
            outcome.without_contact.append(collectivite)
        for contact in contacts:
            if contact.pk in already:
                outcome.already_invited += 1
                continue
            outcome.invited.append(invite(contact, edition, user=user))
    return outcome


def revoke(invitation: Invitation, user=None) -> None:
    invitation.revoke(user)


def revoke_contact_links(contact: Contact) -> int:
    """Revoke every link the contact still holds (its invitations stay); returns how many."""
    return MagicLink.objects.filter(invitation__contact=contact, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=MagicLink.RevokedReason.STAFF
    )


def invite_uploaded_contacts(rows, edition, user=None) -> list[Invitation]:
    """Create or update the contacts of validated upload rows and invite them."""
    invitations = []
    for row in rows:
        contact, created = Contact.objects.get_or_create(
            collectivite=row.collectivite,
            email=row.email,
            defaults={"first_name": row.first_name, "last_name": row.last_name, "role": row.role},
        )
        if not created:
            for name in ("first_name", "last_name", "role"):
                if getattr(row, name):
                    setattr(contact, name, getattr(row, name))
            contact.save()
        invitations.append(invite(contact, edition, user=user))
    return invitations
