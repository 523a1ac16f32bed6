"""The conversation on a response: staff flag a question (or the whole response), the agents and
the staff reply, the staff resolve it (or validating the response does).

A flag is a `ResponseComment` of kind FLAG: its `body` opens the thread, its `messages` follow.
The agents read the open flags and reply through `surveys.hooks` (`agent_notices`,
`agent_reply`), connected in `BackofficeConfig.ready()`: the answering never imports this
module. Each step sends its e-mail (`surveys.backoffice.notifications`).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from barometre.textclean import clean_text
from respondents.models import Contact
from surveys.backoffice import notifications
from surveys.backoffice.audit import mark_staff_notes
from surveys.backoffice.models import ConversationMessage, ResponseComment
from surveys.models import Question, Response

MESSAGE_MAX_LENGTH = 2000
INBOX_STATUSES = {"open": "En cours", "resolved": "Levés"}

UNREAD = Q(last_agent_reply_at__isnull=False) & (
    Q(staff_read_at__isnull=True) | Q(staff_read_at__lt=F("last_agent_reply_at"))
)


def clean_message(body: str | None, empty: str = "Écrivez votre message.") -> str:
    """The text of a message, newlines normalised; a French ValidationError when it is empty,
    too long or holds a control character."""
    text = clean_text((body or "").strip())
    if not text:
        raise ValidationError(empty, code="empty")
    if len(text) > MESSAGE_MAX_LENGTH:
        raise ValidationError(
            f"Le message ne doit pas dépasser {MESSAGE_MAX_LENGTH} caractères "
            f"(il en fait {len(text)}).",
            code="too_long",
        )
    return text


def question_of(response: Response, code: str) -> Question | None:
    if not code:
        return None
    return response.edition.questions.select_related("section").filter(code=code).first()


def flags(response: Response) -> QuerySet[ResponseComment]:
    return response.staff_comments.filter(kind=ResponseComment.Kind.FLAG)


def open_flags(response: Response) -> QuerySet[ResponseComment]:
    """The flags the agents see."""
    return flags(response).filter(resolved_at__isnull=True)


@transaction.atomic
def flag(response: Response, user: User, body: str, question_code: str = "") -> ResponseComment:
    """Flag an inconsistency: the agents see it next to the question and get an e-mail."""
    body = clean_message(body, "Écrivez le commentaire que verra la collectivité.")
    question = None
    if question_code:
        question = question_of(response, question_code)
        if question is None or question.roster_id is not None:
            raise ValidationError(
                "Cette question n'existe pas dans cette édition : choisissez-la dans la liste.",
                code="unknown",
            )
    thread = ResponseComment.objects.create(
        response=response,
        kind=ResponseComment.Kind.FLAG,
        body=body,
        question_code=question_code,
        author=user,
        staff_read_at=timezone.now(),
    )
    thread.question = question
    mark_staff_notes(response)
    notifications.flag_raised(thread)
    return thread


@transaction.atomic
def reply_as_staff(thread: ResponseComment, user: User, body: str) -> ConversationMessage:
    """Staff answer the agents in an open thread; the contacts get an e-mail."""
    if thread.resolved_at is not None:
        raise ValidationError("Ce signalement est levé : on ne peut plus y répondre.", "resolved")
    message = ConversationMessage.objects.create(
        thread=thread,
        author_kind=ConversationMessage.AuthorKind.STAFF,
        author=user,
        body=clean_message(body),
    )
    ResponseComment.objects.filter(pk=thread.pk).update(staff_read_at=timezone.now())
    notifications.staff_replied(thread, message)
    return message


@transaction.atomic
def reply_as_agent(
    response: Response, *, thread: int, body: str, contact: Contact | None = None
) -> ResponseComment | None:
    """Connected to `surveys.hooks.agent_reply`: an agent's reply to an open flag of their own
    response (None when there is no such flag). Not an answer change: allowed on a response
    sent or reopened alike. The staff in STAFF_NOTIFICATION_EMAILS get an e-mail."""
    found = open_flags(response).select_for_update().filter(pk=thread).first()
    if found is None:
        return None
    message = ConversationMessage.objects.create(
        thread=found,
        author_kind=ConversationMessage.AuthorKind.AGENT,
        contact=contact,
        body=clean_message(body, "Écrivez votre réponse à l'équipe."),
    )
    found.last_agent_reply_at = message.created_at
    found.save(update_fields=["last_agent_reply_at"])
    notifications.agent_replied(found, message)
    return found


def resolve(thread: ResponseComment, user: User | None = None) -> None:
    """The flag leaves the agents' view; it stays, with who resolved it and when, in history."""
    if thread.resolved_at is None:
        thread.resolved_at = timezone.now()
        thread.resolved_by = user
        thread.staff_read_at = thread.resolved_at
        thread.save(update_fields=["resolved_at", "resolved_by", "staff_read_at"])


def resolve_open_flags(response: Response, user: User) -> int:
    """Resolve every open flag of a response (on its validation); returns how many."""
    now = timezone.now()
    return open_flags(response).update(resolved_at=now, resolved_by=user, staff_read_at=now)


def mark_read(response: Response) -> None:
    """Staff opened the response's page: its agents' replies are read."""
    flags(response).filter(UNREAD).update(staff_read_at=timezone.now())


def _with_messages(threads: QuerySet[ResponseComment]) -> QuerySet[ResponseComment]:
    return threads.select_related("author", "resolved_by").prefetch_related(_replies())


def _replies() -> Prefetch:
    messages = ConversationMessage.objects.select_related("author", "contact")
    return Prefetch("messages", queryset=messages, to_attr="replies")


def _attach_questions(response: Response, threads: list[ResponseComment]) -> None:
    codes = {t.question_code for t in threads if t.question_code}
    if not codes:
        for thread in threads:
            thread.question = None
        return
    questions = {
        q.code: q
        for q in response.edition.questions.filter(code__in=codes).select_related("section")
    }
    for thread in threads:
        thread.question = questions.get(thread.question_code)


def threads_of(response: Response) -> list[ResponseComment]:
    """Every flag of a response with its messages and question, open ones first (staff page)."""
    threads = list(
        _with_messages(flags(response)).order_by(
            F("resolved_at").desc(nulls_first=True), "-created_at", "-pk"
        )
    )
    _attach_questions(response, threads)
    return threads


def threads_for_agents(response: Response) -> list[ResponseComment]:
    """Connected to `surveys.hooks.agent_notices`: the open flags, oldest first, each with its
    `question` (None for the whole response) and its `replies`."""
    # Read on every page of the agents: no join of the flag's author or resolver (the agents'
    # templates show neither, and an open flag has no resolver), only its messages.
    if not response.staff_notes:
        return []
    threads = list(open_flags(response).prefetch_related(_replies()).order_by("created_at", "pk"))
    _attach_questions(response, threads)
    return threads


def inbox(status: str = "open", year: int | None = None) -> QuerySet[ResponseComment]:
    """The flags of every response for the staff inbox: unread agent replies first, then the
    most recent activity."""
    threads = ResponseComment.objects.filter(kind=ResponseComment.Kind.FLAG)
    if status == "open":
        threads = threads.filter(resolved_at__isnull=True)
    elif status == "resolved":
        threads = threads.filter(resolved_at__isnull=False)
    if year is not None:
        threads = threads.filter(response__edition__year=year)
    return (
        threads.select_related("response__edition", "response__collectivite", "resolved_by")
        .annotate(
            unread=Case(When(UNREAD, then=Value(1)), default=Value(0), output_field=IntegerField()),
            last_activity=Coalesce("last_agent_reply_at", "created_at"),
        )
        .order_by("-unread", "-last_activity", "-pk")
    )


def threads_awaiting_staff(user: User | None = None) -> QuerySet[ResponseComment]:
    """Open flags whose agents replied since staff last read them (for the staff home).

    Every staff member shares one inbox: `user` is accepted for the home page's call and
    does not narrow the list.
    """
    return inbox("open").filter(UNREAD)
