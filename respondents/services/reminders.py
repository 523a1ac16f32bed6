"""Reminders to the contacts of invited collectivités that have not sent their response.

Each reminder of an invitation has a key: "J-3" before the closing date, "intervalle:<time of
the previous one>" every N days, "manuel:<date>" when staff send one. The e-mail log holds at
most one reminder per invitation and key (a unique constraint), so a beat that runs twice, or
a worker that dies mid-way and runs again, never sends the same reminder twice. A cap per
contact and edition (`ReminderSchedule.max_per_contact`) bounds them all. The e-mails are
queued in the database and sent by tasks; with the broker down they wait for
`requeue_stale_emails`.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from barometre.tasks import enqueue_on_commit
from respondents.models import Collectivite, EmailLog, Invitation, ReminderSchedule
from respondents.services.emails import queue_email, send_email
from surveys.models import Edition, Response

# Why a contact gets no reminder, in the order the staff screen lists them.
REASONS: dict[str, str] = {
    "edition_not_open": "L'édition n'est pas ouverte",
    "no_contact": "Aucun contact avec un lien valable (liens révoqués ou contacts effacés)",
    "opted_out": "Contact désinscrit des relances",
    "submitted": "Réponse déjà envoyée par la collectivité",
    "same_reminder": "Cette relance lui a déjà été envoyée",
    "cap_reached": "Nombre maximal de relances atteint",
}
# Collectivités listed per reason on the screen; the counts cover them all.
LISTED_PER_REASON = 100


@dataclass
class ReminderPlan:
    """Who gets the reminder `key`, and why the others do not."""

    key: str
    to_remind: list[Invitation] = field(default_factory=list)
    skipped: dict[str, list[Invitation]] = field(default_factory=lambda: defaultdict(list))
    # Collectivités that have no valid link at all (reason "no_contact").
    without_contact: list[Collectivite] = field(default_factory=list)
    sent: int = 0

    @property
    def collectivites_reminded(self) -> int:
        return len({invitation.collectivite_id for invitation in self.to_remind})

    def reasons(self) -> list[dict]:
        """Per reason: label, how many contacts (or collectivités), and which collectivités."""
        rows = []
        for code, label in REASONS.items():
            if code == "no_contact":
                collectivites = list(self.without_contact)
                count = len(collectivites)
            else:
                invitations = self.skipped.get(code, [])
                count = len(invitations)
                seen: dict[int, Collectivite] = {}
                for invitation in invitations:
                    seen.setdefault(invitation.collectivite_id, invitation.collectivite)
                collectivites = list(seen.values())
            if count:
                rows.append(
                    {
                        "code": code,
                        "label": label,
                        "count": count,
                        "unit": "collectivité(s)" if code == "no_contact" else "contact(s)",
                        "collectivites": collectivites[:LISTED_PER_REASON],
                        "more": max(0, len(collectivites) - LISTED_PER_REASON),
                    }
                )
        return rows


def schedule_of(edition: Edition) -> ReminderSchedule:
    schedule, _ = ReminderSchedule.objects.get_or_create(edition=edition)
    return schedule


def manual_key(now: datetime | None = None) -> str:
    """Staff send at most one reminder a day to a contact, however many times they click."""
    return f"manuel:{timezone.localdate(now or timezone.now()).isoformat()}"


def plan_reminders(
    edition: Edition,
    key: str,
    now: datetime | None = None,
    collectivite_ids: Iterable[int] | None = None,
) -> ReminderPlan:
    """Every invitation of the edition (or of some collectivités), sorted into the reminded and
    the skipped (with why)."""
    now = now or timezone.now()
    plan = ReminderPlan(key=key)
    schedule = schedule_of(edition)
    chosen = Invitation.objects.filter(edition=edition)
    if collectivite_ids is not None:
        chosen = chosen.filter(collectivite_id__in=list(collectivite_ids))
    # Only what the rules and the screen read: building 35,000 whole rows takes seconds.
    invitations = list(
        chosen.select_related("contact", "collectivite")
        .only(
            "collectivite_id",
            "contact_id",
            "edition_id",
            "revoked_at",
            "collectivite__name",
            "contact__email",
            "contact__opted_out_of_reminders",
        )
        .order_by("collectivite__name", "pk")
    )
    # Counted apart, not as annotations: a GROUP BY over every selected column is much slower.
    logs = EmailLog.objects.filter(invitation__edition=edition, kind=EmailLog.Kind.REMINDER)
    reminded = dict(logs.values_list("invitation_id").annotate(n=Count("id")).order_by())
    same_key = set(logs.filter(reminder_key=key).values_list("invitation_id", flat=True))
    submitted = set(
        Response.objects.filter(edition=edition)
        .exclude(status=Response.Status.DRAFT)
        .values_list("collectivite_id", flat=True)
    )
    edition_open = edition.status in Invitation.ACTIVE_EDITION_STATUSES
    with_link: set[int] = set()
    collectivites: dict[int, Collectivite] = {}
    for invitation in invitations:
        invitation.edition = edition
        collectivites.setdefault(invitation.collectivite_id, invitation.collectivite)
        if not edition_open:
            plan.skipped["edition_not_open"].append(invitation)
            continue
        if not invitation.is_valid(now):
            continue
        with_link.add(invitation.collectivite_id)
        if invitation.collectivite_id in submitted:
            reason = "submitted"
        elif invitation.contact.opted_out_of_reminders:
            reason = "opted_out"
        elif invitation.pk in same_key:
            reason = "same_reminder"
        elif reminded.get(invitation.pk, 0) >= schedule.max_per_contact:
            reason = "cap_reached"
        else:
            plan.to_remind.append(invitation)
            continue
        plan.skipped[reason].append(invitation)
    if edition_open:
        plan.without_contact = [c for pk, c in collectivites.items() if pk not in with_link]
    return plan


def send_reminders(
    edition: Edition,
    key: str = "",
    now: datetime | None = None,
    collectivite_ids: Iterable[int] | None = None,
) -> ReminderPlan:
    """Queue the reminder `key` (by default today's manual one) to every contact due for it."""
    plan = plan_reminders(edition, key or manual_key(now), now, collectivite_ids)
    try:
        with transaction.atomic():
            logs = EmailLog.objects.bulk_create(
                EmailLog(
                    contact=invitation.contact,
                    invitation=invitation,
                    kind=EmailLog.Kind.REMINDER,
                    to_email=invitation.contact.email,
                    reminder_key=plan.key,
                )
                for invitation in plan.to_remind
            )
    except IntegrityError:
        # A concurrent run got there first for some: one by one, skipping those.
        plan.sent = _queue_one_by_one(plan)
        return plan
    for log in logs:
        enqueue_on_commit(send_email, log.pk)
    plan.sent = len(logs)
    return plan


def _queue_one_by_one(plan: ReminderPlan) -> int:
    sent = 0
    for invitation in list(plan.to_remind):
        try:
            with transaction.atomic():
                queue_email(
                    invitation.contact, EmailLog.Kind.REMINDER, invitation, reminder_key=plan.key
                )
        except IntegrityError:
            plan.to_remind.remove(invitation)
            plan.skipped["same_reminder"].append(invitation)
            continue
        sent += 1
    return sent


def send_due_reminders(now: datetime | None = None) -> dict[int, int]:
    """For the periodic task: the reminders due now, per edition; {year: sent}."""
    sent = {}
    now = now or timezone.now()
    schedules = ReminderSchedule.objects.filter(
        enabled=True, edition__status=Edition.Status.OPEN
    ).select_related("edition")
    for schedule in schedules:
        offset = schedule.due_offset(now)
        count = 0
        if offset is not None:
            count = send_reminders(schedule.edition, f"J-{offset}", now).sent
        # A reminder before the closing date also counts as the interval's: one e-mail, not two.
        if not count and schedule.interval_is_due(now):
            # Named after the previous send: two runs that both find it due share the key.
            previous = schedule.last_sent_at
            key = f"intervalle:{int(previous.timestamp()) if previous else 0}"
            count = send_reminders(schedule.edition, key, now).sent
        if count:
            schedule.last_sent_at = now
            schedule.save(update_fields=["last_sent_at"])
            sent[schedule.edition.year] = count
    return sent
