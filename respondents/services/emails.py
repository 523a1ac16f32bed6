"""E-mails to contacts (and the staff's notices): each one is logged (EmailLog) and sent by the
task `send_email` below.

An e-mail that carries the magic link issues a new token when it is built, in the worker: the
clear token never sits in the database or in the broker, only in the message itself.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from smtplib import SMTPRecipientsRefused, SMTPResponseException

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from barometre.tasks import enqueue_on_commit, send_task
from respondents.models import Contact, EmailLog, Invitation

logger = logging.getLogger(__name__)

OPT_OUT_SALT = "respondents.reminder-opt-out"
SUBJECTS: dict[str, str] = {
    EmailLog.Kind.INVITATION: "Baromètre {year} : votre invitation à répondre pour {name}",
    EmailLog.Kind.REMINDER: "Baromètre {year} : rappel — la réponse de {name} est attendue",
    EmailLog.Kind.RESEND: "Baromètre {year} : votre lien pour répondre pour {name}",
    EmailLog.Kind.RECEIPT: "Baromètre {year} : nous avons bien reçu la réponse de {name}",
    EmailLog.Kind.FLAG: "Baromètre {year} : un point à vérifier dans la réponse de {name}",
    EmailLog.Kind.STAFF_REPLY: "Baromètre {year} : l'équipe vous répond (réponse de {name})",
    EmailLog.Kind.REOPENED: "Baromètre {year} : la réponse de {name} est rouverte",
    EmailLog.Kind.VALIDATED: "Baromètre {year} : la réponse de {name} est validée",
    EmailLog.Kind.AGENT_REPLY: "Baromètre {year} : {name} a répondu à un signalement",
}
KINDS_WITH_LINK = {EmailLog.Kind.INVITATION, EmailLog.Kind.REMINDER, EmailLog.Kind.RESEND}


# (file name, content, MIME type)
Attachment = tuple[str, bytes, str]
AttachmentProvider = Callable[[EmailLog], list[Attachment]]


class EmailAttachments:
    """Documents that upper layers join to the e-mails of a kind, registered in their
    `AppConfig.ready()` (the answering joins the receipt's PDF to the acknowledgement).

    A document that cannot be made is logged and left out: the e-mail goes without it.
    """

    def __init__(self) -> None:
        self._providers: dict[str, list[AttachmentProvider]] = {}

    def connect(self, kind: str, provider: AttachmentProvider) -> AttachmentProvider:
        providers = self._providers.setdefault(kind, [])
        if provider not in providers:
            providers.append(provider)
        return provider

    def collect(self, log: EmailLog) -> list[Attachment]:
        found: list[Attachment] = []
        for provider in self._providers.get(log.kind, []):
            try:
                # A savepoint: a failed query leaves the sending transaction usable.
                with transaction.atomic():
                    found.extend(provider(log))
            except Exception:
                logger.exception(
                    "Pièce jointe non produite pour le courriel %s (%s) : envoyé sans elle",
                    log.pk,
                    log.kind,
                )
        return found


email_attachments = EmailAttachments()


class UndeliverableEmail(Exception):
    """The e-mail must not be sent any more (e.g. its invitation was revoked)."""


def queue_email(contact: Contact, kind: str, invitation: Invitation | None = None) -> EmailLog:
    """Log an e-mail as queued and send it from a task once the transaction commits."""
    log = EmailLog.objects.create(
        contact=contact, invitation=invitation, kind=kind, to_email=contact.email
    )
    enqueue_on_commit(send_email, log.pk)
    return log


def queue_notification(
    to_email: str,
    kind: str,
    context: dict[str, object],
    contact: Contact | None = None,
    invitation: Invitation | None = None,
) -> EmailLog:
    """Log and queue an e-mail whose text comes from `context` (plain JSON values): the
    conversation's notices to contacts, and to the staff (no contact) on an agent's reply.

    `context["path"]`, a path of the site, becomes `context["url"]`; no magic link is issued.
    """
    log = EmailLog.objects.create(
        contact=contact, invitation=invitation, kind=kind, to_email=to_email, context=context
    )
    enqueue_on_commit(send_email, log.pk)
    return log


# An e-mail still queued this long after its last change was not handed to the broker (it was
# down) or the broker lost it; each new try waits twice as long, up to REQUEUE_MAX_DELAY.
REQUEUE_BASE_DELAY = 120
REQUEUE_MAX_DELAY = 6 * 3600
# send_email's own retries wait up to an hour between attempts: never overtake them.
RETRY_MAX_COUNTDOWN = 3600


def requeue_delay(log: EmailLog) -> int:
    delay = min(REQUEUE_BASE_DELAY * 2**log.requeues, REQUEUE_MAX_DELAY)
    return delay + (RETRY_MAX_COUNTDOWN if log.attempts else 0)


def requeue_stale_emails(now=None) -> int:
    """Queue again every e-mail left queued past its backoff; returns how many were sent on."""
    now = now or timezone.now()
    stale = EmailLog.objects.filter(
        status=EmailLog.Status.QUEUED,
        updated_at__lte=now - timedelta(seconds=REQUEUE_BASE_DELAY),
    ).only("pk", "attempts", "requeues", "updated_at")
    count = 0
    for log in stale.iterator():
        if log.updated_at > now - timedelta(seconds=requeue_delay(log)):
            continue
        EmailLog.objects.filter(pk=log.pk).update(requeues=log.requeues + 1, updated_at=now)
        if send_task(send_email, (log.pk,)):
            count += 1
    return count


def magic_link_url(token: str) -> str:
    return settings.SITE_URL + reverse("access:magic-link", args=[token])


def opt_out_token(contact: Contact) -> str:
    return signing.dumps(contact.pk, salt=OPT_OUT_SALT)


def contact_from_opt_out_token(token: str) -> Contact | None:
    try:
        contact_id = signing.loads(token, salt=OPT_OUT_SALT)
    except signing.BadSignature:
        return None
    return Contact.objects.filter(pk=contact_id).select_related("collectivite").first()


def opt_out_url(contact: Contact) -> str:
    return settings.SITE_URL + reverse("access:reminder-opt-out", args=[opt_out_token(contact)])


def build_message(log: EmailLog) -> EmailMessage:
    """The message of a log entry; issues a fresh magic-link token when the kind carries one."""
    contact = log.contact
    invitation = log.invitation
    extra = log.context or {}
    context = {
        **extra,
        "contact": contact,
        "collectivite": contact.collectivite if contact else extra.get("collectivite", ""),
        "site_url": settings.SITE_URL,
    }
    if extra.get("path"):
        context["url"] = settings.SITE_URL + str(extra["path"])
        context["resend_url"] = settings.SITE_URL + reverse("access:resend-link")
    headers = {}
    if invitation is not None:
        context["edition"] = invitation.edition
        context["invitation"] = invitation
        context["respondent_url"] = settings.SITE_URL + reverse(
            "answering:home", args=[invitation.edition.year]
        )
    if log.kind in KINDS_WITH_LINK:
        if invitation is None or not invitation.is_valid():
            raise UndeliverableEmail("Invitation révoquée ou expirée : lien non envoyé.")
        context["link"] = magic_link_url(invitation.issue_token())
        context["resend_url"] = settings.SITE_URL + reverse("access:resend-link")
    if log.kind == EmailLog.Kind.REMINDER and contact is not None:
        context["opt_out_url"] = opt_out_url(contact)
        headers["List-Unsubscribe"] = f"<{context['opt_out_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if invitation:
        year = invitation.edition.year
    else:
        year = extra.get("year") or timezone.now().year
    name = contact.collectivite.name if contact else str(extra.get("collectivite", ""))
    subject = SUBJECTS[log.kind].format(year=year, name=name)
    attachments = email_attachments.collect(log)
    context["attachments"] = [name for name, _content, _mimetype in attachments]
    body = render_to_string(f"respondents/emails/{log.kind}.txt", context)
    log.subject = subject[:200]
    message = EmailMessage(subject, body, to=[log.to_email], headers=headers)
    for name, content, mimetype in attachments:
        message.attach(name, content, mimetype)
    return message


def _is_permanent(exc: Exception) -> bool:
    """5xx answers will not change on retry; connection problems and 4xx may."""
    if isinstance(exc, SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, SMTPResponseException):
        return exc.smtp_code >= 500
    return False


# Named as when it lived in respondents.tasks, so that messages already queued still run.
@shared_task(bind=True, max_retries=5, acks_late=True, name="respondents.tasks.send_email")
def send_email(self, log_id: int):
    """Send one logged e-mail; retried with exponential backoff on SMTP and network errors."""
    log = (
        EmailLog.objects.select_related(
            "contact__collectivite", "invitation__edition", "invitation__collectivite"
        )
        .filter(pk=log_id)
        .first()
    )
    if log is None or log.status != EmailLog.Status.QUEUED:
        return "ignoré"
    # The beat job may have queued it twice: only one task claims each attempt.
    claimed = EmailLog.objects.filter(
        pk=log.pk, status=EmailLog.Status.QUEUED, attempts=log.attempts
    ).update(attempts=F("attempts") + 1)
    if not claimed:
        return "ignoré"
    log.attempts += 1
    try:
        with transaction.atomic():
            message = build_message(log)
            message.send()
    except UndeliverableEmail as exc:
        log.status, log.error = EmailLog.Status.FAILED, str(exc)
        log.save(update_fields=["status", "error", "attempts", "subject", "updated_at"])
        return log.status
    except OSError as exc:  # smtplib.SMTPException is an OSError, as are refused connections.
        log.error = f"{type(exc).__name__}: {exc}"[:2000]
        final = _is_permanent(exc) or self.request.retries >= self.max_retries
        if final:
            log.status = EmailLog.Status.FAILED
        log.save(update_fields=["status", "error", "attempts", "subject", "updated_at"])
        if final:
            logger.warning("Courriel %s non distribué : %s", log_id, log.error)
            return log.status
        countdown = get_exponential_backoff_interval(
            factor=30, retries=self.request.retries, maximum=3600, full_jitter=True
        )
        if self.request.is_eager:
            # In-process tasks (demo, tests) propagate a raised Retry; returned, Celery's
            # apply() runs the retry at once instead.
            return self.retry(exc=exc, countdown=countdown, throw=False)
        raise self.retry(exc=exc, countdown=countdown) from exc
    now = timezone.now()
    log.status, log.sent_at, log.error = EmailLog.Status.SENT, now, ""
    log.save(update_fields=["status", "sent_at", "error", "attempts", "subject", "updated_at"])
    invited = log.kind in (EmailLog.Kind.INVITATION, EmailLog.Kind.RESEND)
    if log.invitation_id and log.contact_id and invited:
        Invitation.objects.filter(pk=log.invitation_id).update(sent_at=now)
        Contact.objects.filter(pk=log.contact_id).update(last_invited_at=now)
    return log.status
