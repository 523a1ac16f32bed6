"""Inviting contacts to an edition, resending links, revoking."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
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
from surveys.models import Response


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
    """Active collectivités of a selection (type, région, bracket, name), biggest first: the
    contacts' confirmation campaign addresses one."""
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


@dataclass(frozen=True)
class Reach:
    """Who of a selection of collectivités a bulk invitation would reach, and why not the others.

    Each collectivité not reached has one reason, the first that applies: no contact; already
    answered the edition; every contact already invited; every contact left opted out of the
    barometer's e-mails.
    """

    selected: int
    with_contact: int
    reached: int  # collectivités with at least one contact who will receive an e-mail
    emails: int  # contacts who will receive an e-mail
    without_contact: int
    answered: int
    already_invited: int
    opted_out: int


def _answered(edition) -> Exists:
    return Exists(
        Response.objects.filter(
            collectivite=OuterRef("pk"), edition=edition, status__in=Response.COUNTED_STATUSES
        )
    )


def reach(collectivites: QuerySet, edition) -> Reach:
    """`Reach` of a bulk invitation to `collectivites`, in one aggregate query (the selection
    joined to its contacts, counted per collectivité, then summed)."""
    invited = Exists(
        Invitation.objects.filter(
            contact=OuterRef("contacts"), edition=edition, revoked_at__isnull=True
        )
    )
    rows = collectivites.order_by().annotate(
        n_contacts=Count("contacts"),
        n_invited=Count("contacts", filter=Q(invited)),
        # Contacts a bulk invitation e-mails: not invited yet, not opted out.
        n_receiving=Count(
            "contacts", filter=Q(contacts__opted_out_of_reminders=False) & ~Q(invited)
        ),
        has_answered=_answered(edition),
    )
    has_contact = Q(n_contacts__gt=0)
    open_ = has_contact & Q(has_answered=False)
    silent = open_ & Q(n_receiving=0)
    totals = rows.aggregate(
        selected=Count("pk"),
        with_contact=Count("pk", filter=has_contact),
        reached=Count("pk", filter=open_ & Q(n_receiving__gt=0)),
        emails=Coalesce(Sum("n_receiving", filter=open_), 0),
        without_contact=Count("pk", filter=~has_contact),
        answered=Count("pk", filter=has_contact & Q(has_answered=True)),
        already_invited=Count("pk", filter=silent & Q(n_invited__gt=0)),
        opted_out=Count("pk", filter=silent & Q(n_invited=0)),
    )
    return Reach(**totals)


@dataclass
class InvitationOutcome:
    invited: list[Invitation] = field(default_factory=list)
    without_contact: list[Collectivite] = field(default_factory=list)
    already_invited: int = 0
    opted_out: int = 0
    answered: int = 0


def invite_collectivites(collectivites, edition, user=None) -> InvitationOutcome:
    """Invite every contact of these collectivités not yet invited to the edition, except
    contacts who asked for no more e-mails and collectivités that have already answered."""
    outcome = InvitationOutcome()
    already = set(
        Invitation.objects.filter(edition=edition, revoked_at__isnull=True).values_list(
            "contact_id", flat=True
        )
    )
    answered = set(
        Response.objects.filter(edition=edition, status__in=Response.COUNTED_STATUSES).values_list(
            "collectivite_id", flat=True
        )
    )
    for collectivite in collectivites:
        contacts = list(collectivite.contacts.all())
        if not contacts:
            outcome.without_contact.append(collectivite)
            continue
        if collectivite.pk in answered:
            outcome.answered += 1
            continue
        for contact in contacts:
            if contact.pk in already:
                outcome.already_invited += 1
            elif contact.opted_out_of_reminders:
                outcome.opted_out += 1
            else:
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
