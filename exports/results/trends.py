"""Trends across editions for the questions sharing a code (2018 → 2021).

Two readings: all the respondents of each edition, and the constant panel. The panel of a step
(two successive editions of a question's series, 2018 → 2021 then 2021 → 2022) is the
collectivités with a counted response in both editions: the usual « répondants aux deux
éditions » of a barometer, so each step keeps the largest panel it can (a panel of every edition
of the series would shrink with each new one). Its figures are masked as the public figures are
(`exports.results.disclosure`): a panel is a handful of named collectivités followed in time.
"""

import hashlib
from itertools import pairwise

from django.core.cache import cache

from exports.results.aggregates import RESULTS_FORMAT, ResultFilters, compute_results
from exports.results.cache import (
    CACHE_TIMEOUT,
    NO_SNAPSHOT,
    current_generation,
    current_generations,
    get_results,
)
from exports.results.disclosure import MIN_RESPONDENTS, suppress_question
from exports.results.rounding import DECIMALS_STAFF, percent
from surveys.models import Edition
from surveys.rules import COMPARABLE, NOT_COMPARABLE, NUMBER_STATS, TOP_RANKS, rules_of


def _float(value) -> float | None:
    return None if value is None else float(value)


def scale_mapping(editions: list[Edition]) -> dict[str, str]:
    """{older choice code: today's}, as the editions read declare it (`rules.trends`); a later
    edition's word wins."""
    mapping: dict[str, str] = {}
    for edition in sorted(editions, key=lambda e: e.year):
        mapping.update(rules_of(edition).scale_mapping)
    return mapping


def map_scale(cells: list[dict], base: int | None, mapping: dict[str, str]) -> dict[str, dict]:
    """{code: {count, percent}} with the codes of older scales merged into today's.

    A cell merged with a masked one (`disclosure`) is masked too: its count is not known.
    """
    merged: dict[str, int | None] = {}
    for cell in cells:
        code = mapping.get(cell["code"], cell["code"])
        if cell.get("suppressed") or merged.get(code, 0) is None:
            merged[code] = None
        else:
            merged[code] = (merged.get(code) or 0) + (cell["count"] or 0)
    return {
        code: (
            {"count": None, "percent": None, "masked": True}
            if count is None
            else {"count": count, "percent": _float(percent(count, base or 0, DECIMALS_STAFF))}
        )
        for code, count in merged.items()
    }


# One figure of a series: (label, value, masked).
Figure = tuple[str, float | None, bool]


def _series(question: dict, mapping: dict[str, str]) -> dict[str, Figure]:
    """{series key: (label, value, masked)} of one question in one edition."""
    out: dict[str, Figure] = {}
    hidden = bool(question.get("hidden"))
    if question["kind"] == "choices":
        labels = {c["code"]: c["label"] for c in question.get("choices", [])}
        for code, cell in map_scale(question.get("choices", []), question["base"], mapping).items():
            out[code] = (labels.get(code, code), cell["percent"], bool(cell.get("masked")))
    elif question["kind"] == "matrix":
        for row in question.get("rows", []):
            labels = {c["code"]: c["label"] for c in row["cells"]}
            for code, cell in map_scale(row["cells"], row["base"], mapping).items():
                out[f"{row['code']}:{code}"] = (
                    f"{row['label']} — {labels.get(code, code)}",
                    cell["percent"],
                    bool(cell.get("masked") or row.get("hidden")),
                )
    elif question["kind"] == "ranking":
        for item in question.get("items", []):
            out[item["code"]] = (
                f"{item['label']} (dans le top {question.get('top', TOP_RANKS)})",
                item["top3_percent"],
                bool(item.get("suppressed")),
            )
    elif question["kind"] == "number" and not hidden:
        number = question["number"]
        masked = bool(number.get("suppressed"))
        stats = number.get("stats", NUMBER_STATS)
        for stat, label in (("mean", "Moyenne"), ("median", "Médiane")):
            if stat in stats:
                out[stat] = (label, number[stat], masked)
    return out


def compute_trends(edition: Edition, panel: bool = False) -> dict:
    """For each question of `edition` also asked in another edition, its figures per year.

    Percentages for choices and matrix cells (older scale codes mapped), share in the top (3
    unless the edition says otherwise) for rankings, the statistics each edition reports for
    numbers (mean and median unless it says otherwise).
    `panel`: each question also gets the figures of the constant panel of each step.
    """
    return _compute_trends(edition, _editions(edition), panel)


def _editions(edition: Edition, among: list[Edition] | None = None) -> list[Edition]:
    """The editions a trend reads: every one past its draft, and `edition` itself."""
    if among is None:
        among = list(Edition.objects.exclude(status=Edition.Status.DRAFT).order_by("year"))
    editions = list(among)
    if edition not in editions:
        editions.append(edition)
        editions.sort(key=lambda e: e.year)
    return editions


class TrendsKey:
    """Where the trends of `edition` are cached, with the editions they read (one query).

    The key holds the results generation and the change stamp of every edition read, so a new
    computation of any of them (a submission, the nightly job, the staff's button), a definition
    or rules change (series breaks, scale mappings), or an edition leaving its draft, is a new
    key: the old figures, and the pages rendered from them, are never read again.
    """

    def __init__(self, edition: Edition, panel: bool = False, among: list[Edition] | None = None):
        self.edition = edition
        self.panel = panel
        self.editions = _editions(edition, among)
        generations = current_generations([e.pk for e in self.editions])
        for e in self.editions:
            if generations[e.pk] == NO_SNAPSHOT:
                # Never computed: computing starts a generation, and the key must not change
                # under the figures it caches.
                get_results(e)
                generations[e.pk] = current_generation(e.pk)
        self.stamps = {
            e.pk: f"{generations[e.pk]}:{e.updated_at.timestamp() if e.updated_at else ''}"
            for e in self.editions
        }
        stamp = ",".join(f"{e.pk}:{self.stamps[e.pk]}" for e in self.editions)
        digest = hashlib.sha256(stamp.encode()).hexdigest()[:24]
        reading = "panel" if panel else "all"
        self.key = f"results:v{RESULTS_FORMAT}:trends:{edition.pk}:{reading}:{digest}"

    @classmethod
    def of_year(cls, year: int, panel: bool = False) -> "TrendsKey | None":
        """The key of the trends of the edition of `year` (None: no such edition), the edition
        read with the others when it is past its draft (one query in all)."""
        among = list(Edition.objects.exclude(status=Edition.Status.DRAFT).order_by("year"))
        edition = next((e for e in among if e.year == year), None)
        if edition is None:
            edition = Edition.objects.filter(year=year).first()
        return None if edition is None else cls(edition, panel, among)

    def page(self, name: str) -> str:
        """The key of something rendered from these figures (a page)."""
        return f"{self.key}:{name}"


def get_trends(edition: Edition, panel: bool = False, key: TrendsKey | None = None) -> dict:
    """`compute_trends` from the cache (see `TrendsKey`)."""
    key = key or TrendsKey(edition, panel)
    data = cache.get(key.key)
    if data is None:
        data = _compute_trends(edition, key.editions, key.panel, key.stamps)
        cache.set(key.key, data, CACHE_TIMEOUT)
    return data


def cached_trends(key: TrendsKey) -> dict | None:
    """The trends under `key` if they are computed, else None (nothing is computed here)."""
    return cache.get(key.key)


class _Panels:
    """The masked figures of the constant panels, each pair of editions computed once."""

    def __init__(self, editions: list[Edition], stamps: dict[int, str] | None = None):
        self.by_year = {e.year: e for e in editions}
        self.figures: dict[tuple[int, int], dict] = {}
        self.stamps = stamps

    def of(self, year: int, other: int) -> dict:
        """{"respondents": n, "questions": {code: masked figures}} of `year`'s collectivités
        also counted in `other`.

        Read from the answers (seconds on a large edition): cached for the results generation
        and change stamp of both editions, so that the trends of every edition share it.
        """
        if (year, other) not in self.figures:
            edition, with_edition = self.by_year[year], self.by_year[other]
            key = None
            if self.stamps is not None:
                key = (
                    f"results:v{RESULTS_FORMAT}:panel:{edition.pk}:{self.stamps[edition.pk]}:"
                    f"{with_edition.pk}:{self.stamps[with_edition.pk]}"
                )
            figures = cache.get(key) if key else None
            if figures is None:
                results = compute_results(edition, ResultFilters(panel_with=with_edition.pk))
                figures = {
                    "respondents": results["respondents"],
                    "questions": {q["code"]: suppress_question(q) for q in results["questions"]},
                }
                if key:
                    cache.set(key, figures, CACHE_TIMEOUT)
            self.figures[(year, other)] = figures
        return self.figures[(year, other)]

    def step(self, code: str, keys: list[tuple[str, str]], before: int, after: int, mapping):
        """The panel's figures of question `code` from `before` to `after`, series by series."""
        first, second = self.of(before, after), self.of(after, before)
        size = first["respondents"]
        figures = [_series(side["questions"][code], mapping) for side in (first, second)]
        bases = [side["questions"][code]["base"] for side in (first, second)]
        series = []
        for key, label in keys:
            cells = [f.get(key, (label, None, False)) for f in figures]
            series.append(
                {
                    "code": key,
                    "label": label,
                    "cells": [
                        {"value": cell[1], "masked": cell[2] or base is None}
                        for cell, base in zip(cells, bases, strict=True)
                    ],
                }
            )
        small = size < MIN_RESPONDENTS
        return {
            "years": [before, after],
            # Fewer than MIN_RESPONDENTS collectivités: how many is not said either.
            "panel": None if small else size,
            "small": small,
            "bases": bases,
            "series": series,
        }


def _compute_trends(
    edition: Edition,
    editions: list[Edition],
    panel: bool = False,
    stamps: dict[int, str] | None = None,
) -> dict:
    by_year = {e.year: {q["code"]: q for q in get_results(e)["questions"]} for e in editions}
    panels = _Panels(editions, stamps) if panel else None
    mapping = scale_mapping(editions)
    breaks_by_year = {e.year: rules_of(e).trend_breaks for e in editions}
    questions = []
    for current in get_results(edition)["questions"]:
        if current["kind"] == "text":
            continue
        asked = {
            year: figures[current["code"]]
            for year, figures in by_year.items()
            if current["code"] in figures and figures[current["code"]]["kind"] == current["kind"]
        }
        # A question changed in an edition (reworded, new scale): its file says whether the
        # series stays comparable (the break is shown) or starts again from that edition.
        breaks = []
        for year in sorted(asked):
            verdict = breaks_by_year.get(year, {}).get(current["code"])
            if verdict == NOT_COMPARABLE:
                asked = {y: q for y, q in asked.items() if y >= year}
                breaks = [{"year": year, "comparable": False}]
            elif verdict == COMPARABLE:
                breaks.append({"year": year, "comparable": True})
        if len(asked) < 2:
            continue
        per_year = {year: _series(q, mapping) for year, q in asked.items()}
        keys = [(key, label) for key, (label, _value, _masked) in _series(current, mapping).items()]
        series = []
        for key, label in keys:
            series.append(
                {
                    "code": key,
                    "label": label,
                    "values": [per_year[year].get(key, (label, None, False))[1] for year in asked],
                }
            )
        trend = {
            "code": current["code"],
            "text": current["text"],
            "kind": current["kind"],
            "unit": "%" if current["kind"] != "number" else "",
            "years": list(asked),
            "bases": [q["base"] for q in asked.values()],
            "series": series,
            "breaks": breaks,
        }
        if panels is not None:
            trend["panel"] = [
                panels.step(current["code"], keys, before, after, mapping)
                for before, after in pairwise(asked)
            ]
        questions.append(trend)
    return {
        "edition": get_results(edition)["edition"],
        "panel": panel,
        "questions": questions,
        "scale_mapping": _mapping_labels(mapping, by_year),
    }


def _mapping_labels(mapping: dict[str, str], by_year: dict[int, dict]) -> list[dict]:
    """Each mapped code with the labels the editions give it, for the page to say so."""
    labels: dict[str, str] = {}
    for year in sorted(by_year):
        for question in by_year[year].values():
            cells = list(question.get("choices", []))
            for row in question.get("rows", []):
                cells.extend(row.get("cells", []))
            for cell in cells:
                labels[cell["code"]] = cell.get("label", cell["code"])
    return [
        {"from": labels.get(old, old), "to": labels.get(new, new)} for old, new in mapping.items()
    ]
