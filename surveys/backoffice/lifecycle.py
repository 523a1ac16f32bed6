"""The life of a wave: draft → open → closed → published, by hand or at the set date-times.

Every change goes through a conditional UPDATE on the status it starts from, so that the periodic
job and a staff member acting at the same moment cannot both apply it, and each applied change
writes exactly one `EditionEvent` (who, or "automatique", and when).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from surveys.backoffice.models import EDITION_STATUS_LABELS, EditionEvent
from surveys.hooks import edition_published
from surveys.models import Edition

Status = Edition.Status

# action: (status it starts from, status it leads to, label of the button)
ACTIONS: dict[str, tuple[str, str, str]] = {
    "ouvrir": (Status.DRAFT, Status.OPEN, "Ouvrir la collecte"),
    "clore": (Status.OPEN, Status.CLOSED, "Clore la collecte"),
    "publier": (Status.CLOSED, Status.PUBLISHED, "Publier les résultats"),
    # A new version of the published figures, after errata (the results freeze them again).
    "republier": (Status.PUBLISHED, Status.PUBLISHED, "Republier les résultats"),
}
ALLOWED = {(start, end) for start, end, _label in ACTIONS.values()} | {(Status.CLOSED, Status.OPEN)}


def _local(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _refuse(edition: Edition, to_status: str) -> ValidationError:
    labels = EDITION_STATUS_LABELS
    return ValidationError(
        f"Impossible de passer l'édition {edition.year} de « {labels[edition.status]} » "
        f"à « {labels[to_status]} ».",
        code="invalid_transition",
    )


def _apply(edition: Edition, to_status: str, user, automatic: bool) -> bool:
    """Move `edition` to `to_status` if it is still in the status we read; True when done."""
    from_status = edition.status
    now = timezone.now()
    with transaction.atomic():
        closed_at = now if to_status == Status.CLOSED else edition.closed_at
        if to_status == Status.OPEN:
            closed_at = None
        changed = Edition.objects.filter(pk=edition.pk, status=from_status).update(
            status=to_status, closed_at=closed_at, updated_at=now
        )
        if not changed:
            return False
        EditionEvent.objects.create(
            edition=edition,
            kind=EditionEvent.Kind.STATUS,
            from_status=from_status,
            to_status=to_status,
            by=None if automatic else user,
            automatic=automatic,
        )
        edition.status, edition.closed_at = to_status, closed_at
        if to_status == Status.PUBLISHED:
            publication = EditionEvent.objects.filter(
                edition=edition, kind=EditionEvent.Kind.STATUS, to_status=Status.PUBLISHED
            ).count()
            edition_published.send(
                sender=Edition,
                edition=edition,
                publication=publication,
                by=None if automatic else user,
            )
    return True


def available_actions(edition: Edition) -> list[tuple[str, str]]:
    """(action, button label) that staff may take from the edition's current status."""
    return [
        (name, label) for name, (start, _end, label) in ACTIONS.items() if start == edition.status
    ]


def change_status(edition: Edition, action: str, user: User) -> None:
    """Apply a staff action (`ouvrir`, `clore`, `publier`, `republier`); ValidationError in
    French if refused."""
    if action not in ACTIONS:
        raise ValidationError("Action inconnue.", code="unknown_action")
    start, end, _label = ACTIONS[action]
    if edition.status != start:
        raise _refuse(edition, end)
    if end == Status.OPEN and edition.closes_at and edition.closes_at <= timezone.now():
        raise ValidationError(
            f"La date de clôture ({_local(edition.closes_at)}) est passée : "
            "reportez-la avant d'ouvrir la collecte.",
            code="deadline_passed",
        )
    if not _apply(edition, end, user, automatic=False):
        edition.refresh_from_db(fields=["status"])
        raise _refuse(edition, end)


def extend_deadline(edition: Edition, new_closes_at: datetime, user: User) -> None:
    """Move the deadline later; a closed wave reopens since the new deadline is in the future."""
    now = timezone.now()
    if edition.status not in (Status.OPEN, Status.CLOSED):
        raise ValidationError(
            "Seule une collecte ouverte ou close peut être prolongée "
            f"(cette édition est « {EDITION_STATUS_LABELS[edition.status]} »).",
            code="not_extendable",
        )
    if new_closes_at <= now:
        raise ValidationError(
            "La nouvelle date de clôture doit être dans le futur.", code="deadline_in_past"
        )
    if edition.closes_at and new_closes_at <= edition.closes_at:
        raise ValidationError(
            f"La nouvelle date de clôture doit être postérieure à l'actuelle "
            f"({_local(edition.closes_at)}).",
            code="deadline_not_later",
        )
    with transaction.atomic():
        locked = Edition.objects.select_for_update().get(pk=edition.pk)
        EditionEvent.objects.create(
            edition=locked,
            kind=EditionEvent.Kind.DEADLINE,
            old_closes_at=locked.closes_at,
            new_closes_at=new_closes_at,
            by=user,
        )
        Edition.objects.filter(pk=locked.pk).update(closes_at=new_closes_at, updated_at=now)
        edition.closes_at = new_closes_at
        edition.status = locked.status
        if locked.status == Status.CLOSED:
            _apply(edition, Status.OPEN, user, automatic=False)


@dataclass
class ScheduleRun:
    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)


def apply_schedule(now: datetime | None = None) -> ScheduleRun:
    """Open the drafts whose opening time has come and close the open waves past their deadline.

    Idempotent: a second run at the same time changes nothing. A draft whose whole window has
    already passed stays a draft (staff decide what to do with it).
    """
    now = now or timezone.now()
    run = ScheduleRun()
    due_to_open = Edition.objects.filter(status=Status.DRAFT, opens_at__lte=now).exclude(
        closes_at__lte=now
    )
    for edition in due_to_open:
        if _apply(edition, Status.OPEN, None, automatic=True):
            run.opened.append(edition.year)
    for edition in Edition.objects.filter(status=Status.OPEN, closes_at__lte=now):
        if _apply(edition, Status.CLOSED, None, automatic=True):
            run.closed.append(edition.year)
    return run
