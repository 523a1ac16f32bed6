"""Paradata with the minimum of personal data: time spent per section, last section saved.

Rule of the time spent: a page view of a section starts an interval, each save of that section
(autosave, button, roster button) ends one and starts the next; the seconds of an interval are
added to the section's `active_seconds`, at most `INTERVAL_CAP` each, so that a page left open
overnight, or during a meeting, counts a few minutes, not 8 h. Reading a page without saving
it counts nothing. Nothing but the response, the section and these figures is stored (no
person, IP address or browser), nothing leaves the platform, and it goes with the response
(and with the contact's erasure, `respondents.services.rgpd`).

Each record is one query: a page view inserts the section's row or moves its `last_seen` on (an
INSERT … ON CONFLICT DO UPDATE); a save is an UPDATE (an INSERT when the page was never viewed).
"""

from datetime import datetime

from django.db.models import F, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone

from surveys.models import Response, Section, SectionActivity

INTERVAL_CAP = 5 * 60  # seconds


def record_view(response: Response, section: Section, now: datetime | None = None) -> None:
    """The agent opens the section's page: an interval starts."""
    epoch = int((now or timezone.now()).timestamp())
    SectionActivity.objects.bulk_create(
        [SectionActivity(response=response, section=section, last_seen=epoch)],
        update_conflicts=True,
        unique_fields=["response", "section"],
        update_fields=["last_seen"],
    )


def record_save(response: Response, section: Section, now: datetime | None = None) -> None:
    """The section's answers were saved: the interval since the last event counts (capped)."""
    now = now or timezone.now()
    epoch = int(now.timestamp())
    interval = Greatest(Value(0), Least(Value(epoch) - F("last_seen"), Value(INTERVAL_CAP)))
    rows = SectionActivity.objects.filter(response=response, section=section)
    if not rows.update(
        last_seen=epoch, active_seconds=F("active_seconds") + interval, saved_at=now
    ):
        SectionActivity.objects.get_or_create(
            response=response, section=section, defaults={"last_seen": epoch, "saved_at": now}
        )
