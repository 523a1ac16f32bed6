"""Staff review of responses: validate, reopen, correct, enter on paper (flags and their
conversation with the agents: `surveys.backoffice.conversation`).

Corrections and staff entries go through the agents' own form
(`surveys.filling.forms.SectionForm`) and save (`surveys.filling.save_section`), hence the same
validation and messages. Any change to the answers of a response that has been submitted is
written to the audit trail (`AnswerAudit`) by `audited`, whoever makes it; a staff correction
of a submitted response says why (`reason`), and the agents read it.
"""

import logging
from typing import TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.template.defaultfilters import pluralize
from django.utils import timezone

from barometre.textclean import clean_text
from respondents.models import Collectivite
from surveys.backoffice import conversation, notifications
from surveys.backoffice.audit import audited, was_submitted
from surveys.backoffice.models import AnswerAudit, ResponseComment, ResponseEvent, StaffEntry
from surveys.filling import (
    FillingError,
    IncompleteResponse,
    display_answer,
    response_for,
    save_section,
)
from surveys.filling import review as review_of
from surveys.filling.forms import SectionForm
from surveys.hooks import status_changing
from surveys.models import Answer, Edition, Response

REASON_MAX_LENGTH = 1000
ResponsesT = TypeVar("ResponsesT", bound=QuerySet)
logger = logging.getLogger(__name__)


def validate(response: Response, user: User) -> None:
    if response.status == Response.Status.VALIDATED:
        raise ValidationError("Cette réponse est déjà validée.", code="already_validated")
    if response.status != Response.Status.SUBMITTED:
        raise ValidationError(
            "Seule une réponse envoyée peut être validée : celle-ci est encore un brouillon.",
            code="not_submitted",
        )
    now = timezone.now()
    with transaction.atomic():
        Response.objects.filter(pk=response.pk).update(
            status=Response.Status.VALIDATED, validated_at=now, validated_by=user, updated_at=now
        )
        # Nothing is left to check: the open flags are resolved, and the history says so.
        resolved = conversation.resolve_open_flags(response, user)
        note = (
            f"{resolved} signalement{pluralize(resolved)} levé{pluralize(resolved)} à la validation"
            if resolved
            else ""
        )
        ResponseEvent.objects.create(
            response=response, kind=ResponseEvent.Kind.VALIDATED, by=user, note=note
        )
        notifications.response_validated(response)
    response.refresh_from_db()


def flagged(responses: ResponsesT) -> ResponsesT:
    """The responses with an open flag."""
    return responses.filter(Exists(_open_flags_of(OuterRef("pk"))))


def corrected_since_flagged(responses: ResponsesT) -> ResponsesT:
    """The responses with an open flag and an answer changed after it: staff should look again
    and lift the flag."""
    changed = Answer.objects.filter(
        response=OuterRef("response"), updated_at__gt=OuterRef("created_at")
    )
    return responses.filter(Exists(_open_flags_of(OuterRef("pk")).filter(Exists(changed))))


def _open_flags_of(response) -> QuerySet[ResponseComment]:
    return ResponseComment.objects.filter(
        response=response, kind=ResponseComment.Kind.FLAG, resolved_at__isnull=True
    )


@transaction.atomic
def reopen(response: Response, by_user: User) -> Response:
    """Give a submitted (or validated) response back to its agents as a draft; logged, so
    that the agents' later changes go to the audit trail."""
    if response.status not in Response.COUNTED_STATUSES:
        raise FillingError("Cette réponse n'a pas été envoyée : elle est déjà modifiable.")
    with status_changing.around(response):
        Response.objects.filter(pk=response.pk).update(
            status=Response.Status.DRAFT,
            submitted_at=None,
            validated_at=None,
            validated_by=None,
            version=F("version") + 1,
            updated_at=timezone.now(),
        )
    ResponseEvent.objects.create(response=response, kind=ResponseEvent.Kind.REOPENED, by=by_user)
    response.refresh_from_db()
    notifications.response_reopened(response, conversation.open_flags(response).count())
    logger.info("Réponse %s (%s) rouverte par %s", response.pk, response, by_user)
    return response


def needs_reason(response: Response) -> bool:
    """A correction of an answer already sent says why; a paper entry in progress does not."""
    return was_submitted(response)


def clean_reason(reason: str | None) -> str:
    """The reason of a correction, required; a French ValidationError otherwise."""
    text = clean_text((reason or "").strip())
    if not text:
        raise ValidationError(
            "Indiquez le motif de la correction : il est gardé dans l'historique et montré "
            "à la collectivité.",
            code="reason_required",
        )
    if len(text) > REASON_MAX_LENGTH:
        raise ValidationError(
            f"Le motif ne doit pas dépasser {REASON_MAX_LENGTH} caractères "
            f"(il en fait {len(text)}).",
            code="too_long",
        )
    return text


def save_as_staff(
    response: Response, form: SectionForm, version: int, user: User, reason: str = ""
) -> Response:
    """Save a section on the collectivité's behalf with the agents' form and validation.

    A correction of a submitted response needs its `reason` (ValidationError before anything
    is saved); it goes with each change to the audit trail and to the review's history.
    """
    submitted = was_submitted(response)
    if submitted:
        reason = clean_reason(reason)
    with audited(response, user, reason=reason):
        response = save_section(response, form, version, by_staff=True)
        if submitted:
            ResponseEvent.objects.create(
                response=response, kind=ResponseEvent.Kind.CORRECTED, by=user, note=reason
            )
    return response


def start_staff_entry(
    edition: Edition, collectivite: Collectivite, user: User, channel: str
) -> Response:
    """The collectivité's response, marked as entered by staff (from paper or phone)."""
    if channel not in StaffEntry.Channel.values:
        raise ValidationError("Indiquez comment la réponse a été reçue.", code="channel")
    with transaction.atomic():
        response = response_for(edition, collectivite)
        _entry, created = StaffEntry.objects.get_or_create(
            response=response, defaults={"channel": channel, "entered_by": user}
        )
        if created:
            ResponseEvent.objects.create(
                response=response, kind=ResponseEvent.Kind.ENTERED, by=user
            )
    return response


def submit_as_staff(response: Response, user: User) -> Response:
    """Mark a response entered by staff as submitted once its required answers are there."""
    if response.status in Response.COUNTED_STATUSES:
        raise ValidationError("Cette réponse est déjà envoyée.", code="already_submitted")
    data = review_of(response)
    if data.missing:
        raise IncompleteResponse(data.missing, [])
    now = timezone.now()
    with status_changing.around(response):
        Response.objects.filter(pk=response.pk).update(
            status=Response.Status.SUBMITTED, submitted_at=now, updated_at=now
        )
        ResponseEvent.objects.create(response=response, kind=ResponseEvent.Kind.SUBMITTED, by=user)
    response.refresh_from_db()
    return response


def audit_trail(response: Response, audits: list[AnswerAudit] | None = None) -> list[AnswerAudit]:
    """The response's audit trail (or these `audits` of it), each change with readable
    `before` and `after` lines."""
    if audits is None:
        audits = list(response.answer_audits.select_related("changed_by"))
    if not audits:
        return []
    questions = {
        q.code: q
        for q in response.edition.questions.filter(
            code__in={a.question_code for a in audits}
        ).prefetch_related("choices", "rows")
    }
    for audit in audits:
        question = questions.get(audit.question_code)
        audit.question = question
        audit.before = _readable(question, audit.old_value, audit.old_other_text)
        audit.after = _readable(question, audit.new_value, audit.new_other_text)
    return audits


def corrections_for_agents(response: Response) -> list[AnswerAudit]:
    """Connected to `surveys.hooks.agent_corrections`: what staff corrected, and why."""
    # Read on the agents' overview and review: the agents' template does not name who corrected,
    # so no join of the staff member.
    if not response.staff_notes:
        return []
    corrections = response.answer_audits.filter(changed_by__isnull=False).exclude(reason="")
    return audit_trail(response, list(corrections))


def _readable(question, value, other_text: str) -> str:
    if value is None:
        return "(vide)"
    if question is None:
        return str(value)
    return " ; ".join(display_answer(question, Answer(value=value, other_text=other_text)))
