"""Reminders to the contacts of invited collectivités that have not sent their response."""

from django.db.models import Q
from django.utils import timezone

from respondents.models import EmailLog, Invitation, ReminderSchedule
from respondents.services.emails import queue_email
from surveys.models import Edition, Response


def invitations_to_remind(edition: Edition):
    """Valid invitations of contacts who accept reminders, whose collectivité has not submitted."""
    submitted = Response.objects.filter(edition=edition).exclude(status=Response.Status.DRAFT)
    return (
        Invitation.objects.filter(
            edition=edition,
            revoked_at__isnull=True,
            contact__opted_out_of_reminders=False,
        )
        .exclude(collectivite_id__in=submitted.values("collectivite_id"))
        .select_related("contact", "collectivite", "edition")
        .order_by("collectivite__name", "pk")
    )


def send_reminders(edition: Edition) -> int:
    """Queue a reminder per contact still waited for; returns how many."""
    if edition.status not in Invitation.ACTIVE_EDITION_STATUSES:
        return 0
    count = 0
    for invitation in invitations_to_remind(edition):
        if invitation.is_valid():
            queue_email(invitation.contact, EmailLog.Kind.REMINDER, invitation)
            count += 1
    return count


def send_due_reminders() -> dict[int, int]:
    """For the periodic task: editions whose automatic reminders are due; {year: sent}."""
    sent = {}
    now = timezone.now()
    schedules = ReminderSchedule.objects.filter(
        Q(enabled=True), edition__status=Edition.Status.OPEN
    ).select_related("edition")
    for schedule in schedules:
        if schedule.is_due(now):
            sent[schedule.edition.year] = send_reminders(schedule.edition)
            schedule.last_sent_at = now
            schedule.save(update_fields=["last_sent_at"])
    return sent
