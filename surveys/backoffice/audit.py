"""The audit trail of answers changed after a response was submitted (who, when, before, after).

Every save path wraps its writes in `audited`: staff corrections (surveys.backoffice.review) and the
agents' own saves once staff reopened their response (surveys.filling).
"""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from django.contrib.auth.models import User
from django.db import transaction

from surveys.backoffice.models import AnswerAudit, ResponseEvent
from surveys.models import Response

AGENT_LABEL = "Agent de la collectivité"

Snapshot = dict[tuple[str, int], tuple[object, str]]


def was_submitted(response: Response) -> bool:
    """Submitted now, or once before being reopened: its changes are audited."""
    return (
        response.status in Response.COUNTED_STATUSES
        or response.submitted_at is not None
        or response.review_events.filter(kind=ResponseEvent.Kind.REOPENED).exists()
    )


def snapshot(response: Response) -> Snapshot:
    return {
        (code, item): (value, other_text)
        for code, item, value, other_text in response.answers.values_list(
            "question__code", "item", "value", "other_text"
        )
    }


def record_changes(
    response: Response,
    before: Snapshot,
    after: Snapshot,
    user: User | None = None,
    label: str = "",
    reason: str = "",
) -> list[AnswerAudit]:
    """One AnswerAudit row per (question, item) whose value or précision changed."""
    audits = []
    for key in sorted(set(before) | set(after)):
        old_value, old_other = before.get(key, (None, ""))
        new_value, new_other = after.get(key, (None, ""))
        if (old_value, old_other) == (new_value, new_other):
            continue
        audits.append(
            AnswerAudit(
                response=response,
                question_code=key[0],
                item=key[1],
                old_value=old_value,
                new_value=new_value,
                old_other_text=old_other,
                new_other_text=new_other,
                changed_by=user,
                changed_by_label="" if user else label,
                reason=reason,
            )
        )
    AnswerAudit.objects.bulk_create(audits)
    if audits and user is not None and reason:
        mark_staff_notes(response)
    return audits


def mark_staff_notes(response: Response) -> None:
    """Tell the agents' pages that this response has staff flags or corrections to show
    (`Response.staff_notes`, read by `conversation.threads_for_agents` and
    `review.corrections_for_agents`)."""
    if not response.staff_notes:
        Response.objects.filter(pk=response.pk).update(staff_notes=True)
        response.staff_notes = True


@contextmanager
def audited(
    response: Response, user: User | None = None, label: str = "", reason: str = ""
) -> Iterator[None]:
    """Record in the audit trail what the block changes, if the response was ever submitted.

    `user` is the staff member; for an agent (no account), `label` says who it was; `reason`
    is why staff corrected it.
    """
    if not was_submitted(response):
        yield
        return
    with transaction.atomic():
        before = snapshot(response)
        yield
        record_changes(response, before, snapshot(response), user, label, reason)


def agent_audit(response: Response, *, by_staff: bool, **_: object) -> AbstractContextManager[None]:
    """Connected to `surveys.hooks.answers_changing`: the agents' saves are audited once the
    response was submitted (staff audit their own, with their name, in `review`)."""
    return nullcontext() if by_staff else audited(response, label=AGENT_LABEL)
