"""The e-mails of the review of a response: to its contacts when staff flag a question, reply,
reopen or validate it; to the staff (STAFF_NOTIFICATION_EMAILS) when an agent replies.

They go through the contacts' e-mail log and queue (`respondents.services.emails`), which
survives the broker being down. They carry a link to the page, not a new magic link: the agent
opens it with the link already received (as the receipt does); the e-mail says where to ask
for a new one.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from respondents.models import EmailLog, Invitation
from respondents.services.emails import queue_notification
from surveys.backoffice.models import ConversationMessage, ResponseComment
from surveys.models import Question, Response


def invitations_of(response: Response) -> list[Invitation]:
    """The response's contacts: every agent invited for its edition, links not revoked."""
    return list(
        Invitation.objects.filter(
            edition=response.edition_id,
            collectivite=response.collectivite_id,
            revoked_at__isnull=True,
        )
        .select_related("contact")
        .order_by("pk")
    )


def thread_path(thread: ResponseComment) -> str:
    """Where the agents read a flag: next to its question on the section page (which shows a
    sent response's answers instead, the thread with them), else on the flag's own page."""
    response = thread.response
    question: Question | None = getattr(thread, "question", None)
    if question is None and thread.question_code:
        question = (
            response.edition.questions.select_related("section")
            .filter(code=thread.question_code)
            .first()
        )
    year = response.edition.year
    if question is not None:
        url = reverse("answering:section", args=[year, question.section.code])
    else:
        url = reverse("answering:thread", args=[year, thread.pk])
    return f"{url}#echange-{thread.pk}"


def _base(response: Response, path: str) -> dict[str, object]:
    return {
        "year": response.edition.year,
        "collectivite": response.collectivite.name,
        "path": path,
    }


def _question_label(thread: ResponseComment) -> str:
    question = getattr(thread, "question", None)
    return question.text if question is not None else ""


def to_contacts(response: Response, kind: str, path: str, **context: object) -> int:
    """One logged e-mail per contact of the response; returns how many."""
    invitations = invitations_of(response)
    for invitation in invitations:
        queue_notification(
            invitation.contact.email,
            kind,
            {**_base(response, path), **context},
            contact=invitation.contact,
            invitation=invitation,
        )
    return len(invitations)


def flag_raised(thread: ResponseComment) -> int:
    return to_contacts(
        thread.response,
        EmailLog.Kind.FLAG,
        thread_path(thread),
        question=_question_label(thread),
        message=thread.body,
    )


def staff_replied(thread: ResponseComment, message: ConversationMessage) -> int:
    if getattr(thread, "question", None) is None and thread.question_code:
        thread.question = thread.response.edition.questions.filter(
            code=thread.question_code
        ).first()
    return to_contacts(
        thread.response,
        EmailLog.Kind.STAFF_REPLY,
        thread_path(thread),
        question=_question_label(thread),
        message=message.body,
    )


def response_reopened(response: Response, open_flags: int) -> int:
    return to_contacts(
        response,
        EmailLog.Kind.REOPENED,
        reverse("answering:home", args=[response.edition.year]),
        open_flags=open_flags,
    )


def response_validated(response: Response) -> int:
    return to_contacts(
        response,
        EmailLog.Kind.VALIDATED,
        reverse("answering:answers", args=[response.edition.year]),
    )


def agent_replied(thread: ResponseComment, message: ConversationMessage) -> int:
    """To each address of STAFF_NOTIFICATION_EMAILS (none: the inbox only)."""
    response = thread.response
    question = response.edition.questions.filter(code=thread.question_code).first()
    path = reverse("backoffice:response", args=[response.pk]) + f"#echange-{thread.pk}"
    context = {
        **_base(response, path),
        "question": question.text if question is not None else "",
        "message": message.body,
        "author": message.signature,
    }
    addresses = list(dict.fromkeys(settings.STAFF_NOTIFICATION_EMAILS))
    for address in addresses:
        queue_notification(address, EmailLog.Kind.AGENT_REPLY, context)
    return len(addresses)
