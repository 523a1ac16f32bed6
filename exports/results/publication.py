"""Published figures: frozen when staff publish, versioned, with errata.

Publishing an edition stores every public figure (disclosure-controlled, rounded by the
edition's public rule) as a new `PublishedFigures` version; the public page serves it. When the
figures of a published edition are computed again (a staff correction, a reopening, an import),
each public figure that changed is recorded as an `Erratum` of the current version, and the
frozen figures stay as they were until staff republish.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from exports.results.disclosure import suppress_breakdown, suppress_results
from exports.results.models import Erratum, PublishedFigures
from exports.results.rounding import percent
from surveys.backoffice.models import AnswerAudit
from surveys.models import Edition
from surveys.rules import NUMBER_STATS, TOP_RANKS, rules_of
from surveys.validation import format_number

REASON_RECOMPUTED = "Recalcul après réouverture ou import"
MASKED = "masqué"


def _round(cell: dict, count_key: str, percent_key: str, base: int | None, decimals: int) -> None:
    """The percentage recomputed from its count, never from an already rounded percentage."""
    if cell.get(percent_key) is None or cell.get(count_key) is None or not base:
        return
    value = percent(cell[count_key], base, decimals)
    cell[percent_key] = None if value is None else float(value)


def _round_question(question: dict, decimals: int) -> None:
    if question.get("hidden"):
        return
    base = question.get("base") or 0
    for choice in question.get("choices", []):
        _round(choice, "count", "percent", base, decimals)
    for row in question.get("rows", []):
        for cell in row["cells"]:
            _round(cell, "count", "percent", row["base"], decimals)
    for item in question.get("items", []):
        _round(item, "top3", "top3_percent", base, decimals)
    number = question.get("number") or {}
    for bracket in number.get("brackets", []):
        _round(bracket, "count", "percent", number.get("count"), decimals)
    indicator = question.get("indicator")
    if indicator:
        _round(indicator, "under", "under_percent", indicator.get("count"), decimals)


def public_figures(results: dict, decimals: int) -> dict:
    """What anyone may see of `results`: small cells hidden, percentages with `decimals`."""
    public = suppress_results(results)
    for question in public["questions"]:
        _round_question(question, decimals)
    public["decimals"] = decimals
    return public


def public_breakdown_figures(breakdown: dict, decimals: int) -> dict:
    """A breakdown safe to show to anyone, its percentages with `decimals`."""
    public = suppress_breakdown(breakdown)
    for group in public["groups"]:
        _round_question(group, decimals)
    return public


def latest(edition: Edition) -> PublishedFigures | None:
    """The version of the published figures the public page serves; None if never published."""
    return PublishedFigures.objects.filter(edition=edition).order_by("-version").first()


@transaction.atomic
def latest_version(edition: Edition) -> int | None:
    """The version of the last frozen figures, without reading them."""
    return PublishedFigures.objects.filter(edition=edition).aggregate(last=Max("version"))["last"]


def freeze(edition: Edition, results: dict, by: User | None = None) -> PublishedFigures:
    """Store the public figures of `results` as the edition's next published version."""
    version = (
        PublishedFigures.objects.filter(edition=edition).aggregate(last=Max("version"))["last"] or 0
    ) + 1
    return PublishedFigures.objects.create(
        edition=edition,
        version=version,
        published_at=timezone.now(),
        published_by=by if by is not None and by.is_authenticated else None,
        data=public_figures(results, rules_of(edition).rounding.public),
    )


# Figures, one by one --------------------------------------------------------------------------


def _number(value: Any) -> str:
    return format_number(Decimal(str(value)))


def _share(cell: dict, count_key: str, percent_key: str) -> str:
    if cell.get("suppressed") or cell.get(percent_key) is None:
        return MASKED
    return f"{_number(cell[percent_key])} % ({_number(cell[count_key])})"


def _value(value: Any, unit: str = "") -> str:
    if value is None:
        return MASKED
    return f"{_number(value)} {unit}".strip()


def figures_of(public: dict) -> dict[str, tuple[str, str]]:
    """{stable key: (the figure's path in French, its value as shown)} of published figures."""
    figures: dict[str, tuple[str, str]] = {}
    for question in public["questions"]:
        code = question["code"]
        title = f"« {question['text']} »"
        if question.get("roster"):
            title += f" ({question['roster']})"
        if question.get("hidden"):
            figures[code] = (f"{title} — ensemble", "masquée (moins de 5 réponses)")
            continue
        figures[f"{code}#base"] = (f"{title} — nombre de réponses", _value(question.get("base")))
        for choice in question.get("choices", []):
            figures[f"{code}/{choice['code']}"] = (
                f"{title} — {choice['label']}",
                _share(choice, "count", "percent"),
            )
        for row in question.get("rows", []):
            for cell in row["cells"]:
                figures[f"{code}/{row['code']}/{cell['code']}"] = (
                    f"{title} — {row['label']} — {cell['label']}",
                    _share(cell, "count", "percent"),
                )
        for item in question.get("items", []):
            figures[f"{code}/{item['code']}"] = (
                f"{title} — {item['label']} (dans les {question.get('top', TOP_RANKS)} premiers)",
                _share(item, "top3", "top3_percent"),
            )
        number = question.get("number")
        if number:
            stats = number.get("stats", NUMBER_STATS)
            if "mean" in stats:
                figures[f"{code}#mean"] = (f"{title} — moyenne", _value(number.get("mean")))
            if "median" in stats:
                figures[f"{code}#median"] = (f"{title} — médiane", _value(number.get("median")))
            for bracket in number.get("brackets", []):
                figures[f"{code}/{bracket['code']}"] = (
                    f"{title} — {bracket['label']}",
                    _share(bracket, "count", "percent"),
                )
        indicator = question.get("indicator")
        if indicator:
            label, unit = f"{title} — {indicator['label']}", indicator.get("unit", "")
            figures[f"{code}#{indicator['code']}#mean"] = (
                f"{label}, moyenne",
                _value(indicator.get("mean"), unit),
            )
            figures[f"{code}#{indicator['code']}#median"] = (
                f"{label}, médiane",
                _value(indicator.get("median"), unit),
            )
            if indicator.get("threshold") is not None:
                figures[f"{code}#{indicator['code']}#under"] = (
                    f"{label}, sous le seuil",
                    _share(indicator, "under", "under_percent"),
                )
    return figures


# Errata ---------------------------------------------------------------------------------------


def _shown(figures: dict[str, tuple[str, str]], key: str) -> str | None:
    return figures[key][1] if key in figures else None


def _reason(published: PublishedFigures, since: Any) -> str:
    """The reason of the last staff correction since `since`, else a recomputation's."""
    audit = (
        AnswerAudit.objects.filter(
            response__edition_id=published.edition_id,
            changed_by__isnull=False,
            changed_at__gte=since,
        )
        .exclude(reason="")
        .order_by("-changed_at", "-pk")
        .first()
    )
    return audit.reason if audit is not None else REASON_RECOMPUTED


@transaction.atomic
def note_errata(edition: Edition, results: dict, since: datetime | None = None) -> list[Erratum]:
    """Compare freshly computed `results` with the published figures; one erratum per public
    figure that changed since its last known value. Nothing for an unpublished edition.

    `since`: when the figures were computed before; the reason is that of the last staff
    correction made since then, if any.
    """
    if edition.status != Edition.Status.PUBLISHED:
        return []
    published = latest(edition)
    if published is None:
        return []
    known = figures_of(published.data)
    errata = list(published.errata.all())
    for erratum in errata:
        label = known.get(erratum.key, (erratum.figure, ""))[0]
        known[erratum.key] = (label, erratum.after)
    fresh = figures_of(public_figures(results, rules_of(edition).rounding.public))
    keys = [*known, *(key for key in fresh if key not in known)]
    changed = [key for key in keys if _shown(known, key) != _shown(fresh, key)]
    if not changed:
        return []
    moments = [published.published_at, *(e.noted_at for e in errata)]
    reason = _reason(published, max([*moments, *([since] if since else [])]))
    now = timezone.now()
    return Erratum.objects.bulk_create(
        Erratum(
            published=published,
            key=key,
            figure=(fresh.get(key) or known[key])[0][:600],
            before=known[key][1] if key in known else "—",
            after=fresh[key][1] if key in fresh else "—",
            noted_at=now,
            reason=reason,
        )
        for key in changed
    )
