import logging
from smtplib import SMTPRecipientsRefused, SMTPResponseException

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from respondents.models import EmailLog
from respondents.services.emails import UndeliverableEmail, build_message

logger = logging.getLogger(__name__)


def _is_permanent(exc: Exception) -> bool:
    """5xx answers will not change on retry; connection problems and 4xx may."""
    if isinstance(exc, SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, SMTPResponseException):
        return exc.smtp_code >= 500
    return False


@shared_task(bind=True, max_retries=5, acks_late=True)
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
    if log.invitation_id and log.kind in (EmailLog.Kind.INVITATION, EmailLog.Kind.RESEND):
        type(log.invitation).objects.filter(pk=log.invitation_id).update(sent_at=now)
        type(log.contact).objects.filter(pk=log.contact_id).update(last_invited_at=now)
    return log.status


@shared_task
def requeue_stale_emails() -> int:
    """Beat: hand again to the broker the e-mails still queued long after (broker was down)."""
    from respondents.services.emails import requeue_stale_emails as requeue

    return requeue()


@shared_task
def send_resend_links(email: str) -> int:
    """Look the address up here, not in the view, so that the form answers alike for all."""
    from respondents.services.invitations import resend_links

    with transaction.atomic():
        return resend_links(email)


@shared_task
def send_edition_reminders(edition_id: int) -> int:
    from respondents.services.reminders import send_reminders
    from surveys.models import Edition

    edition = Edition.objects.filter(pk=edition_id).first()
    if edition is None:
        return 0
    with transaction.atomic():
        return send_reminders(edition)


@shared_task
def send_scheduled_reminders() -> dict:
    """Run by Celery beat; each edition's ReminderSchedule says whether and how often."""
    from respondents.services.reminders import send_due_reminders

    with transaction.atomic():
        return send_due_reminders()


@shared_task
def purge_expired_contact_data() -> int:
    """Erase contacts kept past CONTACT_RETENTION_DAYS after their last edition (beat, daily)."""
    from respondents.services.privacy import purge_expired_contacts

    return purge_expired_contacts()
