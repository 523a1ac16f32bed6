# ruff: noqa: S608 — SQL text is built from constants and integer ids only; values go as params.
"""Aggregate results of an edition, computed in the database with grouping queries.

Only submitted and validated responses count. The base of a question is the number of answers
it received (a hidden question keeps no answer, so it is "asked and answered"); inside a roster
the unit is the sheet, not the collectivité. Counts (bases, choices, matrices, rankings) are sums
of the pre-aggregated cells of `ResultCount` (see `exports.results.counts`); numbers (mean, median,
brackets, € per inhabitant) come from one grouping query over the numeric answers, since a
median cannot be summed. Python only shapes the grouped rows.
"""

import json
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from exports.results.counts import (
    COUNTED_STATUSES,
    REGION_SQL,
    TRANCHE_SQL,
    TYPE_SQL,
    contribution,
)
from exports.results.models import ResultCount
from exports.results.rounding import DECIMALS_STAFF, percent
from exports.results.sql import ANSWER_ROW, planning_fence, prefer_hashing, prepare_aggregates
from respondents.classification import (
    TRANCHE_LABELS,
    TRANCHES_POPULATION,
    TYPES_COLLECTIVITE,
)
from respondents.models import Collectivite
from respondents.regions import REGIONS, region_name
from surveys.models import Edition, Question, Response
from surveys.rules import NUMBER_STATS, EditionRules, Indicator, rules_of

# Bump when the shape of the computed results changes: cached and stored results are then ignored.
RESULTS_FORMAT = 4

TEXT_TYPES = (Question.Type.TEXT, Question.Type.LONGTEXT)

# code: (label, SQL over the collectivité `c`, names of the groups); the code is also the
# column of ResultCount.
DIMENSIONS = {
    "type": ("Type de collectivité", TYPE_SQL, TYPES_COLLECTIVITE),
    "tranche": ("Tranche de population", TRANCHE_SQL, TRANCHE_LABELS),
    "region": ("Région", REGION_SQL, REGIONS),
}
ALL = "all"


def filter_codes(value: str) -> list[str]:
    """The codes of one filter: one code, or several separated by commas (the exports' filters
    may select several types, brackets or régions; a code never holds a comma)."""
    return [code for code in value.split(",") if code]


@dataclass(frozen=True)
class ResultFilters:
    """Who counts: types of collectivité, population brackets, régions (all optional; each one
    code or several separated by commas, see `filter_codes`)."""

    type: str = ""
    tranche: str = ""
    region: str = ""
    # The benchmark compares a collectivité with its peers, itself excluded.
    exclude_collectivite: int | None = None
    # A constant panel (trends): only the collectivités also counted in this other edition.
    panel_with: int | None = None

    @property
    def is_empty(self) -> bool:
        return not (
            self.type or self.tranche or self.region or self.exclude_collectivite or self.panel_with
        )

    @property
    def key(self) -> str:
        parts = [self.type, self.tranche, self.region, str(self.exclude_collectivite or "")]
        if self.panel_with:
            parts.append(f"panel{self.panel_with}")
        return ":".join(parts)

    def as_dict(self) -> dict:
        return asdict(self)

    def cells(self) -> dict[str, str]:
        """The filters on the cells of ResultCount (its columns type, tranche, region)."""
        return {"type": self.type, "tranche": self.tranche, "region": self.region}

    def describe(self) -> list[str]:
        parts = []
        if self.type:
            parts.append(", ".join(TYPES_COLLECTIVITE.get(c, c) for c in filter_codes(self.type)))
        if self.tranche:
            parts.append(", ".join(TRANCHE_LABELS.get(c, c) for c in filter_codes(self.tranche)))
        if self.region:
            parts.append(", ".join(region_name(c) for c in filter_codes(self.region)))
        return parts


def _type_condition(code: str) -> tuple[str, list]:
    """`TYPE_SQL = code`, spelt on the columns (the rule of `Collectivite.type_collectivite`)."""
    metropoles = list(Collectivite.METROPOLE_TYPES)
    among = ", ".join(["%s"] * len(metropoles))
    if code == "metropole":
        return f"(c.kind = 'epci' AND c.epci_type IN ({among}))", metropoles
    if code == "intercommunalite":
        return (
            f"(c.kind = 'epci' AND (c.epci_type IS NULL OR c.epci_type NOT IN ({among})))",
            metropoles,
        )
    return "c.kind = %s", [code]


def _panel_condition(edition_id: int) -> tuple[str, list]:
    """The collectivité `c` has a counted response in the edition `edition_id` too."""
    return (
        "c.id IN (SELECT p.collectivite_id FROM surveys_response p "
        "WHERE p.edition_id = %s AND p.status IN (%s, %s))",
        [edition_id, *map(str, COUNTED_STATUSES)],
    )


def _tranche_condition(code: str) -> tuple[str, list]:
    """`TRANCHE_SQL = code`, as bounds on the population (none matches an unknown code)."""
    for tranche, _label, low, high in TRANCHES_POPULATION:
        if tranche == code:
            if high is None:
                return "c.population >= %s", [low]
            return "(c.population >= %s AND c.population < %s)", [low, high]
    return "1 = 0", []


class _Sql:
    """The FROM and WHERE shared by every aggregate query of one computation."""

    def __init__(self, edition: Edition, filters: ResultFilters, dimension: str | None):
        self.vendor = connection.vendor
        self.group = DIMENSIONS[dimension][1] if dimension else f"'{ALL}'"
        where = ["r.edition_id = %s", "r.status IN (%s, %s)"]
        params: list = [edition.pk, *map(str, COUNTED_STATUSES)]
        # Plain column conditions rather than `TYPE_SQL = …` / `TRANCHE_SQL = …`: the planner
        # can estimate them, and then hashes the responses instead of looking up each one's
        # answers by index (18,000 lookups took 0.3 s for the < 5,000 inhabitants view).
        spellings = ((filters.type, _type_condition), (filters.tranche, _tranche_condition))
        for value, spell in spellings:
            if value:
                conditions = [spell(code) for code in filter_codes(value)]
                where.append("(" + " OR ".join(c for c, _ in conditions) + ")")
                params.extend(v for _, values in conditions for v in values)
        if filters.region:
            regions = filter_codes(filters.region)
            where.append(f"{REGION_SQL} IN ({', '.join(['%s'] * len(regions))})")
            params.extend(regions)
        if filters.exclude_collectivite:
            where.append("c.id <> %s")
            params.append(filters.exclude_collectivite)
        if filters.panel_with:
            condition, values = _panel_condition(filters.panel_with)
            where.append(condition)
            params.extend(values)
        self.where = " AND ".join(where)
        self.responses = (
            f"SELECT r.id AS id, {self.group} AS grp, c.population AS population "
            "FROM surveys_response r "
            "JOIN respondents_collectivite c ON c.id = r.collectivite_id "
            f"WHERE {self.where} {planning_fence(self.vendor)}"
        )
        self.params = params

    def answers(self, question_ids: list[int], columns: str, extra_where: str = "") -> str:
        """A subquery of the counted answers to `question_ids`, with `grp` and `columns`.

        `columns` may use `a` (the answer) and `rr.population`. The counted responses are a
        separate subquery (OFFSET 0 keeps the planner from flattening it): PostgreSQL then
        hashes them once instead of looking each answer's response up by index, which its
        row estimates (question × non-null number are correlated) would otherwise pick.
        """
        ids = ", ".join(str(int(pk)) for pk in question_ids)
        return (
            f"SELECT a.question_id AS qid, rr.grp AS grp, {columns} "
            "FROM surveys_answer a "
            f"JOIN ({self.responses}) rr ON rr.id = a.response_id "
            f"WHERE a.question_id IN ({ids}) {extra_where}"
        )

    def fetch(self, sql: str, params: list | None = None) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, self.params if params is None else params)
            return cursor.fetchall()


def _percent(count: int, base: int, decimals: int = DECIMALS_STAFF) -> float | None:
    value = percent(count, base, decimals)
    return None if value is None else float(value)


def _number(value) -> float | None:
    if value is None:
        return None
    return round(float(value), 2)


def _respondents(sql: _Sql) -> dict[str, int]:
    rows = sql.fetch(
        f"SELECT {sql.group} AS grp, COUNT(*) FROM surveys_response r "
        "JOIN respondents_collectivite c ON c.id = r.collectivite_id "
        f"WHERE {sql.where} GROUP BY grp"
    )
    return {grp: count for grp, count in rows}


def _counts(
    edition: Edition, questions: list[Question], filters: ResultFilters, dimension: str | None
) -> tuple[dict, dict, dict, dict]:
    """Bases of every question, and the counts of choice, matrix and ranking questions.

    Sums of the pre-aggregated cells (`ResultCount`) matching the filters. The benchmark's
    peers leave one collectivité out: its own contribution is taken off the sums.
    Returns (bases, choice counts, matrix counts, ranking counts), keyed by (question id, group);
    a ranking's counts are {item code: {rank: respondents}}.
    """
    bases: dict = {}
    choices: dict = {}
    matrices: dict = {}
    rankings: dict = {}
    if not questions:
        return bases, choices, matrices, rankings
    types = {q.pk: q.type for q in questions}
    ids = ", ".join(str(int(pk)) for pk in types)
    group = dimension if dimension else f"'{ALL}'"
    wanted = {name: filter_codes(value) for name, value in filters.cells().items() if value}
    where = " ".join(
        f"AND {name} IN ({', '.join(['%s'] * len(codes))})" for name, codes in wanted.items()
    )
    totals: dict[tuple, int] = {}
    names = ("type", "tranche", "region")

    def add(rows: list, sign: int) -> None:
        for qid, *cell, key, value, n in rows:
            where_cell = dict(zip(names, cell, strict=True))
            if qid not in types or any(where_cell[k] not in v for k, v in wanted.items()):
                continue
            grp = where_cell[dimension] if dimension else ALL
            totals[(qid, grp, key, value)] = totals.get((qid, grp, key, value), 0) + sign * n

    if filters.panel_with:
        # A panel is no sum of cells: its responses are counted from their answers.
        condition, values = _panel_condition(filters.panel_with)
        if filters.exclude_collectivite:
            condition, values = (
                f"{condition} AND c.id <> %s",
                [*values, filters.exclude_collectivite],
            )
        with connection.cursor() as cursor:
            # The panel's answers unnested and grouped: hash in memory rather than sort.
            prefer_hashing(cursor, True)
            rows = contribution(edition, condition, values)
            prefer_hashing(cursor, False)
        add(rows, 1)
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT question_id, {group}, key, value, SUM(n) "
                f"FROM {ResultCount._meta.db_table} "
                f"WHERE edition_id = %s AND question_id IN ({ids}) {where} "
                "GROUP BY 1, 2, 3, 4",
                [edition.pk, *(code for codes in wanted.values() for code in codes)],
            )
            totals.update(((qid, grp, key, value), int(n)) for qid, grp, key, value, n in cursor)
        if filters.exclude_collectivite:
            add(contribution(edition, "c.id = %s", [filters.exclude_collectivite]), -1)
    grp: str | None
    for (qid, grp, key, value), count in totals.items():
        if dimension == "tranche" and grp == "":
            grp = None  # no population: the same group as the respondents' count gives
        if key == ANSWER_ROW:
            bases[(qid, grp)] = count
        elif types[qid] in Question.PICK_TYPES:
            choices.setdefault((qid, grp), {})[value] = count
        elif types[qid] == Question.Type.MATRIX:
            matrices.setdefault((qid, grp), {}).setdefault(key, {})[value] = count
        elif types[qid] == Question.Type.RANKING:
            ranks = rankings.setdefault((qid, grp), {}).setdefault(key, {})
            ranks[int(value)] = ranks.get(int(value), 0) + count
    return bases, choices, matrices, rankings


FLOAT_NUMBER = "CAST(a.number AS DOUBLE PRECISION)"


@dataclass
class _NumberStats:
    """What one (question, group) gathers: values, € per inhabitant, brackets."""

    count: int = 0
    total: float = 0.0
    median: float | None = None
    hcount: int = 0
    htotal: float = 0.0
    under: int = 0
    hmedian: float | None = None
    brackets: dict = field(default_factory=dict)


def _number_figures(sql: _Sql, questions: list[Question], rules: EditionRules) -> dict:
    """One pass over the numeric answers: counts, mean, median, the brackets the edition
    declares, and each indicator (e.g. € per inhabitant) with the share under its threshold.

    Values are read as double precision (every figure is rounded to the cent anyway). Medians:
    PostgreSQL's `percentile_cont(0.5)`, an ordered-set aggregate that sorts each group once;
    elsewhere (SQLite) window functions (ROW_NUMBER over the sorted values, nulls last), which
    took three times as long on PostgreSQL.
    """
    if not questions:
        return {}
    whens = " ".join(
        f"WHEN a.question_id = {int(q.pk)} AND {bracket.sql('a.number')} THEN '{bracket.code}'"
        for q in questions
        for bracket in rules.brackets.get(q.code, ())
    )
    bracket = f"CASE {whens} END" if whens else "CAST(NULL AS TEXT)"
    # One indicator per question at most (the loader checks it); only `per: population`.
    ratio = f"{FLOAT_NUMBER} / rr.population"
    indicators = [
        (q, rules.indicators_of(q.code)[0]) for q in questions if rules.indicators_of(q.code)
    ]
    per_sql = (
        "CASE "
        + " ".join(
            f"WHEN a.question_id = {int(q.pk)} AND rr.population > 0 THEN {ratio}"
            for q, _ in indicators
        )
        + " END"
        if indicators
        else "CAST(NULL AS DOUBLE PRECISION)"
    )
    under_sql = (
        "CASE "
        + " ".join(
            f"WHEN a.question_id = {int(q.pk)} AND rr.population > 0 "
            f"AND {ratio} < {indicator.threshold} THEN 1"
            for q, indicator in indicators
            if indicator.threshold is not None
        )
        + " ELSE 0 END"
        if any(indicator.threshold is not None for _, indicator in indicators)
        else "0"
    )
    # Only answers holding a number ("Ne sait pas" holds none): the partial index
    # answer_numbers_idx then covers the whole read. The bases come from the counts.
    inner = sql.answers(
        [q.pk for q in questions],
        f"{FLOAT_NUMBER} AS x, {per_sql} AS xh, {under_sql} AS xu, {bracket} AS bracket",
        "AND a.number IS NOT NULL",
    )
    if sql.vendor == "postgresql":
        stats = _number_stats_percentile(sql, inner)
    else:
        stats = _number_stats_windows(sql, inner)
    figures = {}
    for key, t in stats.items():
        figures[key] = {
            "number": {
                "count": t.count,
                "mean": _number(t.total / t.count) if t.count else None,
                "median": _number(t.median),
            },
            "brackets": t.brackets or {},
            "indicator": {
                "count": t.hcount,
                "mean": _number(t.htotal / t.hcount) if t.hcount else None,
                "median": _number(t.hmedian),
                "under": t.under,
                "under_percent": _percent(t.under, t.hcount, rules.rounding.staff),
            },
        }
    return figures


def _number_stats_percentile(sql: _Sql, inner: str) -> dict[tuple, _NumberStats]:
    """PostgreSQL: the answers once (a materialised CTE), grouped twice in one statement."""
    rows = sql.fetch(
        f"WITH t AS MATERIALIZED ({inner}) "
        "SELECT qid, grp, NULL AS bracket, COUNT(x), SUM(x), "
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY x), COUNT(xh), SUM(xh), "
        "SUM(xu), "
        "percentile_cont(0.5) WITHIN GROUP (ORDER BY xh) "
        "FROM t GROUP BY qid, grp "
        "UNION ALL "
        "SELECT qid, grp, bracket, COUNT(x), 0, NULL, 0, 0, 0, NULL "
        "FROM t WHERE bracket IS NOT NULL GROUP BY qid, grp, bracket"
    )
    stats: dict[tuple, _NumberStats] = {}
    for qid, grp, code, count, total, median, hcount, htotal, under, hmedian in rows:
        t = stats.setdefault((qid, grp), _NumberStats(brackets={}))
        if code is not None:
            t.brackets[code] = count
            continue
        t.count, t.total, t.median = count, float(total or 0), median
        t.hcount, t.htotal, t.under, t.hmedian = hcount, float(htotal or 0), int(under), hmedian
    return stats


def _number_stats_windows(sql: _Sql, inner: str) -> dict[tuple, _NumberStats]:
    """Portable: the median is the mean of the one or two middle rows of each sorted group."""
    middle = "IN ((n + 1) / 2, (n + 2) / 2)"
    ranked = (
        "SELECT qid, grp, x, xh, xu, bracket, "
        "ROW_NUMBER() OVER (PARTITION BY qid, grp ORDER BY x IS NULL, x) AS rn, "
        "COUNT(x) OVER (PARTITION BY qid, grp) AS n, "
        "ROW_NUMBER() OVER (PARTITION BY qid, grp ORDER BY xh IS NULL, xh) AS rnh, "
        "COUNT(xh) OVER (PARTITION BY qid, grp) AS nh "
        f"FROM ({inner}) t"
    )
    rows = sql.fetch(
        "SELECT qid, grp, bracket, COUNT(x), SUM(x), "
        f"SUM(CASE WHEN x IS NOT NULL AND rn {middle} THEN x END), "
        f"SUM(CASE WHEN x IS NOT NULL AND rn {middle} THEN 1 ELSE 0 END), "
        "COUNT(xh), SUM(xh), SUM(xu), "
        f"SUM(CASE WHEN xh IS NOT NULL AND rnh {middle.replace('n', 'nh')} THEN xh END), "
        f"SUM(CASE WHEN xh IS NOT NULL AND rnh {middle.replace('n', 'nh')} THEN 1 ELSE 0 END) "
        f"FROM ({ranked}) s GROUP BY qid, grp, bracket"
    )
    stats: dict[tuple, _NumberStats] = {}
    middles: dict[tuple, list[float]] = {}
    for qid, grp, code, count, total, mid, mids, hcount, htotal, under, hmid, hmids in rows:
        t = stats.setdefault((qid, grp), _NumberStats(brackets={}))
        m = middles.setdefault((qid, grp), [0.0, 0, 0.0, 0])
        t.count += count
        t.total += float(total or 0)
        t.hcount += hcount
        t.htotal += float(htotal or 0)
        t.under += int(under or 0)
        m[0] += float(mid or 0)
        m[1] += int(mids or 0)
        m[2] += float(hmid or 0)
        m[3] += int(hmids or 0)
        if code is not None:
            t.brackets[code] = count
    for key, (mid, mids, hmid, hmids) in middles.items():
        stats[key].median = mid / mids if mids else None
        stats[key].hmedian = hmid / hmids if hmids else None
    return stats


def _labelled(
    options: list[tuple[str, str]], counts: dict, base: int, decimals: int = DECIMALS_STAFF
) -> list[dict]:
    known = {code for code, _ in options}
    extra = [(code, code) for code in sorted(counts, key=str) if code not in known]
    return [
        {
            "code": code,
            "label": label,
            "count": counts.get(code, 0),
            "percent": _percent(counts.get(code, 0), base, decimals),
        }
        for code, label in [*options, *extra]
    ]


def aggregate_questions(
    edition: Edition,
    questions: list[Question],
    filters: ResultFilters,
    dimension: str | None = None,
) -> tuple[dict[str, int], dict]:
    """Figures of `questions` for the counted responses, per group of `dimension`.

    Returns ({group: respondents}, {(question id, group): question figures}).
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            prepare_aggregates(cursor)
        return _aggregate_questions(edition, questions, filters, dimension)


def _aggregate_questions(
    edition: Edition,
    questions: list[Question],
    filters: ResultFilters,
    dimension: str | None,
) -> tuple[dict[str, int], dict]:
    sql = _Sql(edition, filters, dimension)
    respondents = _respondents(sql)
    if dimension is None:
        # No respondent (an empty edition, a filter selecting nobody): figures of base 0, in
        # the shape the pages and trends read, rather than no figure at all.
        respondents.setdefault(ALL, 0)
    by_type: dict[str, list[Question]] = {}
    for question in questions:
        by_type.setdefault(question.type, []).append(question)

    def ids(*types: str) -> list[int]:
        return [q.pk for t in types for q in by_type.get(t, [])]

    rules = rules_of(edition)
    decimals = rules.rounding.staff
    bases, choices, matrices, rankings = _counts(edition, questions, filters, dimension)
    numbers = _number_figures(
        sql, [q for t in Question.NUMBER_TYPES for q in by_type.get(t, [])], rules
    )

    figures: dict = {}
    for question in questions:
        options = [(c.code, c.label) for c in question.choices.all()]
        for group in respondents:
            key = (question.pk, group)
            number = numbers.get(key)
            base = bases.get(key, 0)
            entry: dict = {"base": base}
            if question.type in Question.PICK_TYPES:
                entry["choices"] = _labelled(options, choices.get(key, {}), base, decimals)
            elif question.type == Question.Type.MATRIX:
                cells = matrices.get(key, {})
                entry["rows"] = []
                for row in question.rows.all():
                    row_counts = cells.get(row.code, {})
                    row_base = sum(row_counts.values())
                    entry["rows"].append(
                        {
                            "code": row.code,
                            "label": row.label,
                            "base": row_base,
                            "cells": _labelled(options, row_counts, row_base, decimals),
                        }
                    )
            elif question.type == Question.Type.RANKING:
                reporting = rules.reporting_of(question.code)
                ranks = question.rank_count or len(options)
                top_ranks = reporting.top_of(ranks)
                points = reporting.points_of(ranks)
                # The best score an item can get: the points of rank 1.
                entry["points"] = points[0] if points else 0
                entry["top"] = top_ranks
                items = rankings.get(key, {})
                entry["items"] = []
                for code, label in options:
                    by_rank = items.get(code, {})
                    # Keys stay `top3…`: published figures frozen in the database carry them.
                    top = sum(n for rank, n in by_rank.items() if rank <= top_ranks)
                    score = sum(
                        n * points[rank - 1] for rank, n in by_rank.items() if rank <= len(points)
                    )
                    entry["items"].append(
                        {
                            "code": code,
                            "label": label,
                            "top3": top,
                            "top3_percent": _percent(top, base, decimals),
                            "mean_score": round(score / base, 2) if base else None,
                        }
                    )
            elif question.type in Question.NUMBER_TYPES:
                empty: dict[str, Any] = {"count": 0, "mean": None, "median": None}
                stats = number["number"] if number else empty
                entry["number"] = {**stats, "nsp": base - stats["count"]}
                # Only the statistics the edition reports (`rules.reporting`) are given.
                reported = rules.reporting_of(question.code).stats
                entry["number"]["stats"] = list(reported)
                for stat in NUMBER_STATS:
                    if stat not in reported:
                        entry["number"][stat] = None
                if question.code in rules.brackets:
                    counts = number["brackets"] if number else {}
                    entry["number"]["brackets"] = [
                        {
                            "code": bracket.code,
                            "label": bracket.label,
                            "count": counts.get(bracket.code, 0),
                            "percent": _percent(
                                counts.get(bracket.code, 0), stats["count"], decimals
                            ),
                        }
                        for bracket in rules.brackets[question.code]
                    ]
                for indicator in rules.indicators_of(question.code):
                    figures_of = (
                        number["indicator"]
                        if number
                        else {**empty, "under": 0, "under_percent": None}
                    )
                    entry["indicator"] = {**_indicator_header(indicator), **figures_of}
            figures[key] = entry
    return respondents, figures


def _kind(question: Question) -> str:
    if question.type in Question.PICK_TYPES:
        return "choices"
    if question.type in Question.NUMBER_TYPES:
        return "number"
    if question.type in TEXT_TYPES:
        return "text"
    return question.type


def results_questions(edition: Edition) -> list[Question]:
    """The questions that have figures, in questionnaire order (rosters hold no value)."""
    return list(
        edition.questions.exclude(type=Question.Type.ROSTER)
        .select_related("section", "roster")
        .prefetch_related("choices", "rows")
        .order_by("section__order", "section__pk", "roster__order", "order", "pk")
    )


def _describe(question: Question) -> dict:
    return {
        "code": question.code,
        "text": question.text,
        "type": question.type,
        "kind": _kind(question),
        "section": question.section.title,
        "unit": "fiches" if question.roster_id else "collectivités",
        "roster": question.roster.text if question.roster is not None else "",
    }


def compute_results(edition: Edition, filters: ResultFilters | None = None) -> dict:
    """Every figure of `edition` for the responses matching `filters` (JSON-serialisable)."""
    filters = filters or ResultFilters()
    started = timezone.now()
    questions = results_questions(edition)
    respondents, figures = aggregate_questions(edition, questions, filters)
    return {
        "format": RESULTS_FORMAT,
        "edition": {"id": edition.pk, "year": edition.year, "title": edition.title},
        "filters": filters.as_dict(),
        "computed_at": started.isoformat(),
        "respondents": respondents.get(ALL, 0),
        "questions": [{**_describe(q), **figures.get((q.pk, ALL), {"base": 0})} for q in questions],
    }


def compute_breakdown(
    edition: Edition, question: Question, dimension: str, filters: ResultFilters | None = None
) -> dict:
    """Figures of one question for each type, population bracket or région."""
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    label, _sql, names = DIMENSIONS[dimension]
    respondents, figures = aggregate_questions(
        edition, [question], filters or ResultFilters(), dimension
    )
    order = list(names)
    groups = sorted(
        (g for g in respondents if g is not None),
        key=lambda g: (order.index(g) if g in order else len(order), g),
    )
    return {
        "format": RESULTS_FORMAT,
        "question": _describe(question),
        "dimension": {"code": dimension, "label": label},
        "groups": [
            {
                "code": group,
                "label": names.get(group, group),
                "respondents": respondents[group],
                **figures[(question.pk, group)],
            }
            for group in groups
        ],
    }


def own_answers(response: Response) -> dict[str, str | Decimal]:
    """A collectivité's own answers per question code: labels as text, numbers as Decimal."""
    answers: dict[str, str | Decimal] = {}
    for answer in (
        response.answers.filter(item=0)
        .select_related("question")
        .prefetch_related("question__choices", "question__rows")
    ):
        question = answer.question
        labels = {c.code: c.label for c in question.choices.all()}
        value = answer.value
        text: str | Decimal
        if question.type == Question.Type.SINGLE:
            text = labels.get(value, str(value))
        elif question.type == Question.Type.MULTIPLE:
            text = " ; ".join(labels.get(v, str(v)) for v in value)
        elif question.type == Question.Type.MATRIX:
            rows = {r.code: r.label for r in question.rows.all()}
            text = " ; ".join(f"{rows.get(k, k)} : {labels.get(v, v)}" for k, v in value.items())
        elif question.type == Question.Type.RANKING:
            ordered = sorted(value.items(), key=lambda item: int(item[1]))
            text = " ; ".join(f"{rank}. {labels.get(k, k)}" for k, rank in ordered)
        elif question.type in Question.NUMBER_TYPES:
            text = "Ne sait pas" if value == "nsp" else Decimal(str(value))
        else:
            continue
        answers[question.code] = text
    return answers


def _indicator_header(indicator: Indicator) -> dict:
    return {
        "code": indicator.code,
        "label": indicator.label,
        "unit": indicator.unit,
        "decimals": indicator.decimals,
        "threshold": float(indicator.threshold) if indicator.threshold is not None else None,
    }


def own_indicators(response: Response) -> dict[str, Decimal | None]:
    """{indicator code: value} of one response (its edition's indicators)."""
    rules = rules_of(response.edition)
    codes = [indicator.question for indicator in rules.indicators]
    answers = dict(
        response.answers.filter(question__code__in=codes, item=0).values_list(
            "question__code", "value"
        )
    )
    return rules.indicator_values(answers, response.collectivite)


def dumps(results: dict) -> str:
    return json.dumps(results, ensure_ascii=False)
