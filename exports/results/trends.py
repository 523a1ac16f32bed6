"""Trends across editions for the questions sharing a code (2018 → 2021)."""

import hashlib

from django.core.cache import cache

from exports.results.aggregates import RESULTS_FORMAT
from exports.results.cache import CACHE_TIMEOUT, current_generation, get_results
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
    """{code: {count, percent}} with the codes of older scales merged into today's."""
    merged: dict[str, int] = {}
    for cell in cells:
        code = mapping.get(cell["code"], cell["code"])
        merged[code] = merged.get(code, 0) + (cell["count"] or 0)
    return {
        code: {"count": count, "percent": _float(percent(count, base or 0, DECIMALS_STAFF))}
        for code, count in merged.items()
    }


def _series(question: dict, mapping: dict[str, str]) -> dict[str, tuple[str, float | None]]:
    """{series key: (label, value)} of one question in one edition."""
    out: dict[str, tuple[str, float | None]] = {}
    if question["kind"] == "choices":
        labels = {c["code"]: c["label"] for c in question["choices"]}
        for code, cell in map_scale(question["choices"], question["base"], mapping).items():
            out[code] = (labels.get(code, code), cell["percent"])
    elif question["kind"] == "matrix":
        for row in question["rows"]:
            labels = {c["code"]: c["label"] for c in row["cells"]}
            for code, cell in map_scale(row["cells"], row["base"], mapping).items():
                out[f"{row['code']}:{code}"] = (
                    f"{row['label']} — {labels.get(code, code)}",
                    cell["percent"],
                )
    elif question["kind"] == "ranking":
        for item in question["items"]:
            top = question.get("top", TOP_RANKS)
            out[item["code"]] = (f"{item['label']} (dans le top {top})", item["top3_percent"])
    elif question["kind"] == "number":
        stats = question["number"].get("stats", NUMBER_STATS)
        for stat, label in (("mean", "Moyenne"), ("median", "Médiane")):
            if stat in stats:
                out[stat] = (label, question["number"][stat])
    return out


def compute_trends(edition: Edition) -> dict:
    """For each question of `edition` also asked in another edition, its figures per year.

    Percentages for choices and matrix cells (older scale codes mapped), share in the top (3
    unless the edition says otherwise) for rankings, the statistics each edition reports for
    numbers (mean and median unless it says otherwise).
    """
    return _compute_trends(edition, _editions(edition))


def _editions(edition: Edition) -> list[Edition]:
    """The editions a trend reads: every one past its draft, and `edition` itself."""
    editions = list(Edition.objects.exclude(status=Edition.Status.DRAFT).order_by("year"))
    if edition not in editions:
        editions.append(edition)
        editions.sort(key=lambda e: e.year)
    return editions


def get_trends(edition: Edition) -> dict:
    """`compute_trends` from the cache.

    The key holds the results generation of every edition read, so a new computation of any of
    them, or an edition leaving its draft, is a new key: the old figures are never read again.
    """
    editions = _editions(edition)
    stamp = ",".join(f"{e.pk}:{current_generation(e.pk)}" for e in editions)
    digest = hashlib.sha256(stamp.encode()).hexdigest()[:24]
    key = f"results:v{RESULTS_FORMAT}:trends:{edition.pk}:{digest}"
    data = cache.get(key)
    if data is None:
        data = _compute_trends(edition, editions)
        cache.set(key, data, CACHE_TIMEOUT)
    return data


def _compute_trends(edition: Edition, editions: list[Edition]) -> dict:
    by_year = {e.year: {q["code"]: q for q in get_results(e)["questions"]} for e in editions}
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
        series = []
        for key, (label, _value) in _series(current, mapping).items():
            series.append(
                {
                    "code": key,
                    "label": label,
                    "values": [per_year[year].get(key, (label, None))[1] for year in asked],
                }
            )
        questions.append(
            {
                "code": current["code"],
                "text": current["text"],
                "kind": current["kind"],
                "unit": "%" if current["kind"] != "number" else "",
                "years": list(asked),
                "bases": [q["base"] for q in asked.values()],
                "series": series,
                "breaks": breaks,
            }
        )
    return {
        "edition": get_results(edition)["edition"],
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
