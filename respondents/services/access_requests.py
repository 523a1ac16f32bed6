"""Requests from collectivités that were not invited, and their approval by staff."""

from django.db import transaction
from django.utils import timezone

from respondents.models import AccessRequest, Contact, Invitation
from respondents.services.invitations import invite


class AlreadyDecided(Exception):
    pass


def approve(access_request: AccessRequest, user) -> Invitation:
    """Create (or reuse) the contact and send the invitation."""
    with transaction.atomic():
        locked = AccessRequest.objects.select_for_update().get(pk=access_request.pk)
        if locked.status != AccessRequest.Status.PENDING:
            raise AlreadyDecided
        contact, created = Contact.objects.get_or_create(
            collectivite=locked.collectivite,
            email=locked.email,
            defaults={
                "first_name": locked.first_name,
                "last_name": locked.last_name,
                "role": locked.role,
            },
        )
        invitation = invite(contact, locked.edition, user=user)
        locked.status = AccessRequest.Status.APPROVED
        locked.contact = contact
        locked.decided_at = timezone.now()
        locked.decided_by = user
        locked.save(update_fields=["status", "contact", "decided_at", "decided_by"])
    return invitation


def refuse(access_request: AccessRequest, user) -> None:
    with transaction.atomic():
        updated = AccessRequest.objects.filter(
            pk=access_request.pk, status=AccessRequest.Status.PENDING
        ).update(status=AccessRequest.Status.REFUSED, decided_at=timezone.now(), decided_by=user)
    if not updated:
        raise AlreadyDecided
