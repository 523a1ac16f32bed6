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
from functools import cache
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from surveys.models import Response, Section, SectionActivity

INTERVAL_CAP = 5 * 60  # seconds


def record_view(response: Response, section: Section, now: datetime | None = None) -> None:
    """The agent opens the section's page: an interval starts."""
    epoch = int((now or timezone.now()).timestamp())
    params = {"response": response.pk, "section": section.pk, "now": epoch}
    with connection.cursor() as cursor:
        cursor.execute(_statements(connection.vendor).view, params)


def record_save(response: Response, section: Section, now: datetime | None = None) -> None:
    """The section's answers were saved: the interval since the last event counts (capped)."""
    now = now or timezone.now()
    epoch = int(now.timestamp())
    params = {
        "response": response.pk,
        "section": section.pk,
        "now": epoch,
        "cap": INTERVAL_CAP,
        "saved_at": connection.ops.adapt_datetimefield_value(now),
    }
    with connection.cursor() as cursor:
        cursor.execute(_statements(connection.vendor).save, params)
        updated = cursor.rowcount
    if not updated:
        SectionActivity.objects.get_or_create(
            response=response, section=section, defaults={"last_seen": epoch, "saved_at": now}
        )


class _Statements(NamedTuple):
    view: str
    save: str


@cache
def _statements(vendor: str) -> _Statements:
    """The page view's INSERT … ON CONFLICT and the save's UPDATE, written once.

    They are what `bulk_create([…], update_conflicts=True, unique_fields=["response",
    "section"], update_fields=["last_seen"])` and `update(last_seen=…, active_seconds=
    F("active_seconds") + Greatest(0, Least(now - F("last_seen"), cap)), saved_at=…)` run: on
    every section page and autosave, each cost three to four times more CPU through the ORM
    (bench/README.md, « Pages de l'agent », septième relevé). PostgreSQL and SQLite (3.24
    and later) both read them (a CASE rather than GREATEST, which SQLite lacks); `vendor` keys
    the cache. In an UPDATE, every expression reads the row as it was: the interval is measured
    from the last event, not from this one."""
    quote = connection.ops.quote_name
    meta = SectionActivity._meta
    table = quote(meta.db_table)
    columns = {f.name: quote(f.column) for f in meta.concrete_fields if f.column}
    response, section, active, last, saved = (
        columns[name] for name in ("response", "section", "active_seconds", "last_seen", "saved_at")
    )
    interval = (
        f"CASE WHEN %(now)s - {last} < 0 THEN 0 "
        f"WHEN %(now)s - {last} > %(cap)s THEN %(cap)s ELSE %(now)s - {last} END"
    )
    # Names from the model's _meta, values as parameters.
    view = (
        f"INSERT INTO {table} ({response}, {section}, {active}, {last}) "  # noqa: S608
        f"VALUES (%(response)s, %(section)s, 0, %(now)s) "
        f"ON CONFLICT ({response}, {section}) DO UPDATE SET {last} = EXCLUDED.{last}"
    )
    save = (
        f"UPDATE {table} SET {active} = {active} + {interval}, "  # noqa: S608
        f"{last} = %(now)s, {saved} = %(saved_at)s "
        f"WHERE {response} = %(response)s AND {section} = %(section)s"
    )
    return _Statements(view, save)
