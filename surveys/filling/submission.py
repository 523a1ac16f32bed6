"""Submission: required answers present, warnings confirmed, then the receipt e-mail."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from respondents.models import Contact, EmailLog, Invitation
from respondents.services.emails import queue_email
from surveys.filling.review import IncompleteResponse, Review, Warning, review
from surveys.filling.saving import check_can_save, claim_version
from surveys.hooks import response_submitted, status_changing
from surveys.models import Response

# -- Submission and reopening ------------------------------------------------------------


def remember_confirmations(
    response: Response, confirmed: Iterable[str], warnings: list[Warning]
) -> None:
    """Keep the warnings confirmed on the review page, with their wording, so that an agent who
    goes back to complete a page is not asked again about the same values."""
    confirmed = set(confirmed)
    kept = {w.code: w.message for w in warnings if w.code in confirmed}
    if kept != response.confirmed_warnings:
        Response.objects.filter(pk=response.pk).update(confirmed_warnings=kept)
        response.confirmed_warnings = kept


def already_confirmed(response: Response, warnings: list[Warning]) -> set[str]:
    """The warnings confirmed before whose message (hence value) is still the same."""
    stored = response.confirmed_warnings or {}
    return {w.code for w in warnings if stored.get(w.code) == w.message}


def submit_response(
    response: Response,
    version: int,
    confirmed: Iterable[str] = (),
    *,
    contact: Contact | None = None,
    invitation: Invitation | None = None,
    reviewed: Review | None = None,
) -> Response:
    """Submit: required answers present, warnings confirmed; then the receipt e-mail.

    The receipt goes to `contact` (the agent who submits), logged and sent by the respondents
    app's e-mail task.

    Raises WaveClosed, NotEditable, StaleVersion (the answers changed since the review was
    shown) or IncompleteResponse.

    `reviewed`: the review the page computed in this request, at the response's current
    version (not computed twice; a save in between moves the version on and the claim below
    refuses).
    """
    check_can_save(response)
    data = reviewed if reviewed is not None else review(response)
    confirmed = set(confirmed)
    unconfirmed = [w for w in data.warnings if w.code not in confirmed]
    if data.missing or unconfirmed:
        raise IncompleteResponse(data.missing, unconfirmed)
    # Counted from now on: the results' counts take the response and recompute soon after.
    with status_changing.around(response):
        claim_version(response, version, by_staff=False)
        now = timezone.now()
        Response.objects.filter(pk=response.pk).update(
            status=Response.Status.SUBMITTED, submitted_at=now
        )
        # The claim gave the object its new version: it is now the row, without reading it
        # again (nor its edition and collectivité, which the receivers read).
        response.status, response.submitted_at = Response.Status.SUBMITTED, now
        if contact is not None:
            queue_email(contact, EmailLog.Kind.RECEIPT, invitation)
    response_submitted.send(sender=Response, response=response)
    return response
