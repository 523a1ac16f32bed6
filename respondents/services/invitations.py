"""Inviting contacts to an edition, resending links, revoking."""

from respondents.models import Contact, EmailLog, Invitation, normalise_email
from respondents.services.emails import queue_email


def invite(contact: Contact, edition, user=None, send: bool = True) -> Invitation:
    """The contact's invitation to the edition (created, or re-enabled if revoked), e-mailed."""
    invitation, created = Invitation.objects.get_or_create(
        edition=edition,
        contact=contact,
        # A random hash nobody holds the token of: the link only exists once an e-mail issues it.
        defaults={
            "collectivite_id": contact.collectivite_id,
            "token_hash": Invitation.new_token()[1],
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
