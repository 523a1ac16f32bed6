"""Where agents stop: the funnel of an edition's started responses, section by section.

Read from the paradata the answering pages record (`surveys.filling.paradata`): a response is
*started* once an agent has saved one of its sections online (responses entered by staff or
imported have no paradata and are left out). For each section, in the questionnaire's order:
how many started responses reached it (opened its page), saved it, how many drafts stop there
(their last saved section), and the median time spent on it by those that saved it.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from statistics import median

from exports.results.rounding import percent
from surveys.models import Edition, Response, Section, SectionActivity


@dataclass(frozen=True)
class FunnelStep:
    section: Section
    reached: int
    saved: int
    stopped: int  # drafts whose last saved section is this one
    median_seconds: int | None
    started: int

    @property
    def reached_rate(self) -> Decimal | None:
        return percent(self.reached, self.started)

    @property
    def saved_rate(self) -> Decimal | None:
        return percent(self.saved, self.started)

    @property
    def median_time(self) -> str:
        return duration(self.median_seconds)


@dataclass(frozen=True)
class Funnel:
    started: int
    drafts: int
    steps: list[FunnelStep]


def duration(seconds: int | None) -> str:
    """`4 min 05 s`, `45 s`, `1 h 02 min`; `—` without a figure."""
    if seconds is None:
        return "—"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}\u00a0h\u00a0{minutes:02d}\u00a0min"
    if minutes:
        return f"{minutes}\u00a0min\u00a0{secs:02d}\u00a0s"
    return f"{secs}\u00a0s"


def section_funnel(edition: Edition) -> Funnel:
    rows = SectionActivity.objects.filter(response__edition=edition).values_list(
        "response_id", "section_id", "active_seconds", "saved_at", "response__status"
    )
    reached: dict[int, set[int]] = defaultdict(set)
    times: dict[int, list[int]] = defaultdict(list)
    last_saved: dict[int, tuple[datetime, int]] = {}
    drafts: set[int] = set()
    for response_id, section_id, seconds, saved_at, status in rows:
        reached[section_id].add(response_id)
        if saved_at is None:
            continue
        times[section_id].append(seconds)
        if response_id not in last_saved or saved_at > last_saved[response_id][0]:
            last_saved[response_id] = (saved_at, section_id)
        if status == Response.Status.DRAFT:
            drafts.add(response_id)
    started = set(last_saved)
    stopped: dict[int, int] = defaultdict(int)
    for response_id in drafts:
        stopped[last_saved[response_id][1]] += 1
    steps = [
        FunnelStep(
            section=section,
            reached=len(reached[section.pk] & started),
            saved=len(times[section.pk]),
            stopped=stopped[section.pk],
            median_seconds=round(median(times[section.pk])) if times[section.pk] else None,
            started=len(started),
        )
        for section in edition.sections.order_by("order", "pk")
    ]
    return Funnel(started=len(started), drafts=len(drafts), steps=steps)
