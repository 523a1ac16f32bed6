# ruff: noqa: S608 — SQL text is built from constants and integer ids only; values go as params.
"""Who answered, against the whole referential; and raking weights to its margins.

Representativeness: the counted respondents (sent or validated) and the active collectivités of
the referential, each counted in one grouping query by cell (type × population bracket ×
région, the SQL spellings of `respondents.classification`); Python adds the cells up by type,
by bracket, by région and by type × bracket. For each group: the response rate (respondents /
referential), the share among the respondents, the share in the referential, and their ratio
(above 1: over-represented; `OVER` and `UNDER` say from when the page calls it so).

Raking (iterative proportional fitting): every respondent of a cell gets the same weight, fitted
in turn to the referential's margin of each dimension (type, bracket, région) until every
weighted margin is within `TOLERANCE` (as a share of the respondents) of the referential's, or
`MAX_ITERATIONS` passes. The weights average 1 (they add up to the number of respondents). A
group of the referential where nobody answered cannot be reached: it is left out of its margin
(the other groups of that dimension share its weight) and the result says so. Respondents in a
group the referential does not hold get no weight, and the result says so too. Weighted figures
are optional; unweighted figures are the default everywhere.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from django.core.cache import cache
from django.db import connection

from exports.results.aggregates import RESULTS_FORMAT, ResultFilters, filter_codes
from exports.results.cache import CACHE_TIMEOUT, current_generation
from exports.results.counts import COUNTED_STATUSES
from exports.results.models import ResultCount
from exports.results.rounding import DECIMALS_STAFF, percent
from exports.results.sql import ANSWER_ROW
from respondents.classification import (
    REGION_SQL,
    TRANCHE_LABELS,
    TRANCHE_SQL,
    TRANCHES_POPULATION,
    TYPE_SQL,
    TYPES_COLLECTIVITE,
)
from respondents.regions import REGIONS, region_name
from surveys.models import Edition, Question

# A cell: (type, population bracket or "", région code or "").
Cell = tuple[str, str, str]

MARGINS = {"type": 0, "tranche": 1, "region": 2}
MAX_ITERATIONS = 100
TOLERANCE = 1e-6
# Ratio of shares (respondents / referential) from which a group is called over- or
# under-represented on the page.
OVER = 1.2
UNDER = 0.8

DIMENSION_LABELS = {
    "type": "Type de collectivité",
    "tranche": "Tranche de population",
    "region": "Région",
    "type_tranche": "Type × tranche de population",
}
UNKNOWN_TRANCHE = "Population inconnue"
UNKNOWN_REGION = "Région inconnue"

REFERENTIAL_KEY = "representativeness:referential:v1"
REFERENTIAL_TIMEOUT = 600
CELL_SQL = f"({TYPE_SQL}), COALESCE({TRANCHE_SQL}, ''), COALESCE({REGION_SQL}, '')"


def _fetch(sql: str, params: list) -> dict[Cell, int]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {(t, tranche, region): int(n) for t, tranche, region, n in cursor.fetchall()}


def referential_cells() -> dict[Cell, int]:
    """The active collectivités of the referential by cell, cached `REFERENTIAL_TIMEOUT`
    (one pass over some 36,000 collectivités took 0.3 s on SQLite) and forgotten when the
    referential announces a change (`forget_referential`)."""
    counts = cache.get(REFERENTIAL_KEY)
    if counts is None:
        counts = _fetch(
            f"SELECT {CELL_SQL}, COUNT(*) FROM respondents_collectivite c "
            "WHERE c.is_active = %s GROUP BY 1, 2, 3",
            [True],
        )
        cache.set(REFERENTIAL_KEY, counts, REFERENTIAL_TIMEOUT)
    return counts


def forget_referential() -> None:
    cache.delete(REFERENTIAL_KEY)


def cells(edition: Edition) -> tuple[dict[Cell, int], dict[Cell, int]]:
    """(respondents, referential) by cell: the counted responses of `edition`, and the active
    collectivités of the referential. The respondents are cached with the edition's figures
    (same generation, see `exports.results.cache`): both count the same responses."""
    key = f"results:v{RESULTS_FORMAT}:{edition.pk}:{current_generation(edition.pk)}:cells"
    respondents = cache.get(key)
    if respondents is None:
        respondents = _fetch(
            f"SELECT {CELL_SQL}, COUNT(*) FROM surveys_response r "
            "JOIN respondents_collectivite c ON c.id = r.collectivite_id "
            "WHERE r.edition_id = %s AND r.status IN (%s, %s) GROUP BY 1, 2, 3",
            [edition.pk, *map(str, COUNTED_STATUSES)],
        )
        cache.set(key, respondents, CACHE_TIMEOUT)
    return respondents, referential_cells()


def _label(dimension: str, code: str) -> str:
    if dimension == "type":
        return TYPES_COLLECTIVITE.get(code, code)
    if dimension == "tranche":
        return TRANCHE_LABELS.get(code, UNKNOWN_TRANCHE) if code else UNKNOWN_TRANCHE
    return region_name(code) if code else UNKNOWN_REGION


def _order(dimension: str, code: str) -> tuple:
    """Types in the barometer's order, brackets by population, régions by code."""
    if dimension == "type":
        known = list(TYPES_COLLECTIVITE)
    elif dimension == "tranche":
        known = [code for code, *_ in TRANCHES_POPULATION]
    else:
        known = list(REGIONS)
    return (known.index(code) if code in known else len(known), code)


def _by(counts: dict[Cell, int], key) -> dict:
    totals: dict = defaultdict(int)
    for cell, n in counts.items():
        totals[key(cell)] += n
    return totals


def _number(value: float | None, decimals: int = 2) -> float | None:
    return None if value is None else round(value, decimals)


def _row(label: str, answered: int, existing: int, total_answered: int, total: int) -> dict:
    share_answered = answered / total_answered if total_answered else None
    share_referential = existing / total if total else None
    ratio = (
        share_answered / share_referential
        if share_answered is not None and share_referential
        else None
    )
    reading = ""
    if ratio is not None:
        reading = "sur-représenté" if ratio >= OVER else "sous-représenté" if ratio <= UNDER else ""
    elif answered and not existing:
        reading = "absent du référentiel"
    return {
        "label": label,
        "respondents": answered,
        "referential": existing,
        "rate": _float(percent(answered, existing)),
        "share_respondents": _float(percent(answered, total_answered)),
        "share_referential": _float(percent(existing, total)),
        "ratio": _number(ratio),
        "reading": reading,
    }


def cell_order(cell: Cell) -> tuple:
    """Cells by type, then bracket (numeric), then région."""
    return tuple(_order(dimension, cell[i]) for dimension, i in MARGINS.items())


def cell_row(cell: Cell, answered: int, existing: int, total_answered: int, total: int) -> dict:
    """One cell (type × bracket × région) as a row of the representativeness tables."""
    label = " — ".join(_label(dimension, cell[i]) for dimension, i in MARGINS.items())
    return _row(label, answered, existing, total_answered, total)


def _float(value) -> float | None:
    return None if value is None else float(value)


def representativeness(edition: Edition) -> dict:
    """The respondents against the referential by type, bracket, région and type × bracket."""
    return representativeness_of(*cells(edition))


def representativeness_of(respondents: dict[Cell, int], referential: dict[Cell, int]) -> dict:
    """`representativeness` from the counts by cell (see `cells`)."""
    total_answered = sum(respondents.values())
    total = sum(referential.values())
    tables = []
    for dimension in ("type", "tranche", "region"):
        index = MARGINS[dimension]
        answered = _by(respondents, lambda cell, i=index: cell[i])
        existing = _by(referential, lambda cell, i=index: cell[i])
        codes = sorted(set(answered) | set(existing), key=partial(_order, dimension))
        tables.append(
            {
                "code": dimension,
                "label": DIMENSION_LABELS[dimension],
                "rows": [
                    {
                        "code": code,
                        **_row(
                            _label(dimension, code),
                            answered.get(code, 0),
                            existing.get(code, 0),
                            total_answered,
                            total,
                        ),
                    }
                    for code in codes
                ],
            }
        )
    answered = _by(respondents, lambda cell: cell[:2])
    existing = _by(referential, lambda cell: cell[:2])
    pairs = sorted(
        set(answered) | set(existing),
        key=lambda pair: (_order("type", pair[0]), _order("tranche", pair[1])),
    )
    tables.append(
        {
            "code": "type_tranche",
            "label": DIMENSION_LABELS["type_tranche"],
            "rows": [
                {
                    "code": f"{pair[0]}:{pair[1]}",
                    **_row(
                        f"{_label('type', pair[0])} — {_label('tranche', pair[1])}",
                        answered.get(pair, 0),
                        existing.get(pair, 0),
                        total_answered,
                        total,
                    ),
                }
                for pair in pairs
            ],
        }
    )
    return {
        "respondents": total_answered,
        "referential": total,
        "rate": _float(percent(total_answered, total)),
        "tables": tables,
        "over": OVER,
        "under": UNDER,
    }


@dataclass
class Raking:
    """Raking weights by cell (each respondent of the cell has that weight)."""

    weights: dict[Cell, float] = field(default_factory=dict)
    iterations: int = 0
    converged: bool = False
    # Largest gap between a weighted margin and the referential's, as a share of respondents.
    gap: float = 0.0
    # What could not be fitted, in French, for the page.
    notes: list[str] = field(default_factory=list)


def rake(
    respondents: dict[Cell, int],
    referential: dict[Cell, int],
    tolerance: float = TOLERANCE,
    max_iterations: int = MAX_ITERATIONS,
) -> Raking:
    """Weights fitting the respondents' margins (type, bracket, région) to the referential's."""
    answered = {cell: n for cell, n in respondents.items() if n > 0}
    total = sum(answered.values())
    if not total:
        return Raking(notes=["Aucune réponse comptée : aucune pondération n'est possible."])
    if not sum(referential.values()):
        return Raking(
            notes=["Le référentiel ne compte aucune collectivité active : aucune pondération."]
        )
    targets: dict[int, dict[str, float]] = {}
    notes: list[str] = []
    for dimension, index in MARGINS.items():
        existing = _by(referential, lambda cell, i=index: cell[i])
        present = {cell[index] for cell in answered}
        empty = sorted(
            (code for code, n in existing.items() if n and code not in present),
            key=partial(_order, dimension),
        )
        if empty:
            names = ", ".join(_label(dimension, code) for code in empty)
            notes.append(
                f"{DIMENSION_LABELS[dimension]} : aucun répondant parmi « {names} » ; "
                "ce groupe est laissé hors de la pondération."
            )
        reached = sum(n for code, n in existing.items() if code in present)
        if not reached:
            notes.append(
                f"{DIMENSION_LABELS[dimension]} : aucun groupe des répondants n'est dans le "
                "référentiel ; cette marge n'est pas ajustée."
            )
            continue
        targets[index] = {code: total * existing.get(code, 0) / reached for code in sorted(present)}
        strays = sorted(code for code in present if not existing.get(code))
        if strays:
            names = ", ".join(_label(dimension, code) for code in strays)
            notes.append(
                f"{DIMENSION_LABELS[dimension]} : « {names} » absent du référentiel ; "
                "ces répondants reçoivent un poids nul."
            )
    weights = {cell: 1.0 for cell in answered}

    def margin(index: int) -> dict[str, float]:
        sums: dict[str, float] = defaultdict(float)
        for cell, n in answered.items():
            sums[cell[index]] += weights[cell] * n
        return sums

    def gap() -> float:
        worst = 0.0
        for index, target in targets.items():
            sums = margin(index)
            for code, wanted in target.items():
                worst = max(worst, abs(sums.get(code, 0.0) - wanted) / total)
        return worst

    result = Raking(weights=weights, notes=notes, gap=gap())
    while result.gap > tolerance and result.iterations < max_iterations:
        for index, target in targets.items():
            sums = margin(index)
            for cell in weights:
                current = sums.get(cell[index], 0.0)
                if current > 0:
                    weights[cell] *= target.get(cell[index], 0.0) / current
        result.iterations += 1
        result.gap = gap()
    result.converged = result.gap <= tolerance
    if not result.converged:
        result.notes.append(
            f"La pondération n'a pas convergé en {max_iterations} itérations "
            f"(écart restant : {result.gap:.2%} des répondants)."
        )
    return result


def _in_filters(cell: Cell, filters: ResultFilters) -> bool:
    for value, code in ((filters.type, cell[0]), (filters.tranche, cell[1])):
        if value and code not in filter_codes(value):
            return False
    return not (filters.region and cell[2] not in filter_codes(filters.region))


def weighted_choices(
    edition: Edition, raking: Raking, filters: ResultFilters | None = None
) -> dict[str, dict]:
    """Weighted percentages of the single and multiple choice questions, by question code:
    {"base": weighted base, "choices": {code: percent}}. Sums of the pre-aggregated cells
    (`ResultCount`) times each cell's weight: exact, since weights are by cell."""
    filters = filters or ResultFilters()
    questions = {
        q.pk: q.code
        for q in edition.questions.filter(type__in=Question.PICK_TYPES).only("pk", "code")
    }
    if not questions or not raking.weights:
        return {}
    bases: dict[str, float] = defaultdict(float)
    counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    rows = ResultCount.objects.filter(edition=edition, question_id__in=questions).values_list(
        "question_id", "type", "tranche", "region", "key", "value", "n"
    )
    for qid, type_, tranche, region, key, value, n in rows:
        cell = (type_, tranche or "", region or "")
        if not _in_filters(cell, filters):
            continue
        weighted = raking.weights.get(cell, 0.0) * n
        code = questions[qid]
        if key == ANSWER_ROW:
            bases[code] += weighted
        else:
            counts[code][value] += weighted
    return {
        code: {
            "base": round(bases[code], 2),
            "choices": {
                choice: _weighted_percent(count, bases[code])
                for choice, count in counts[code].items()
            },
        }
        for code in questions.values()
        if code in bases
    }


def _weighted_percent(count: float, base: float) -> float | None:
    if base <= 0:
        return None
    # Rounded half up from the weighted sums kept to 6 decimals (the weights are not exact).
    value = percent(round(count * 1_000_000), round(base * 1_000_000), DECIMALS_STAFF)
    return _float(value)


def weighted_table(results: dict, weighted: dict[str, dict]) -> list[dict]:
    """The choice questions of `results` with each choice's weighted percentage beside its
    unweighted one (the page's figures), for the page and the exports."""
    table = []
    for q in results["questions"]:
        if q.get("type") not in Question.PICK_TYPES or "choices" not in q:
            continue
        figures = weighted.get(q["code"], {"base": 0, "choices": {}})
        table.append(
            {
                "code": q["code"],
                "text": q["text"],
                "base": q["base"],
                "weighted_base": figures["base"],
                "choices": [
                    {
                        "code": c["code"],
                        "label": c["label"],
                        "percent": c["percent"],
                        "weighted": figures["choices"].get(
                            c["code"], 0.0 if figures["base"] else None
                        ),
                    }
                    for c in q["choices"]
                ],
            }
        )
    return table


def results_page_section(
    edition: Edition, results: dict, filters: ResultFilters | None, weighted: bool
) -> dict:
    """What the analysts' results page shows: the representativeness tables and, when asked
    for (`weighted`), the raking and the weighted percentages of the choice questions."""
    respondents, referential = cells(edition)
    section = representativeness_of(respondents, referential)
    section["weighted"] = weighted
    if weighted:
        raking = rake(respondents, referential)
        section["raking"] = raking
        section["weighted_questions"] = weighted_table(
            results, weighted_choices(edition, raking, filters)
        )
    return section
