# ruff: noqa: S608 — SQL text is built from constants and integer ids only; values go as params.
"""Aggregate results of an edition, computed in the database with grouping queries.

Only submitted and validated responses count. The base of a question is the number of answers
it received (a hidden question keeps no answer, so it is "asked and answered"); inside a roster
the unit is the sheet, not the collectivité. Every figure comes from a handful of GROUP BY
queries over all the questions at once; Python only shapes the grouped rows.
"""

import json
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from exports.services.sql import json_scalar_text, json_unnest
from respondents.models import Collectivite
from respondents.regions import REGIONS, region_name
from surveys.derived import TRANCHE_LABELS, TRANCHES_POPULATION, TYPES_COLLECTIVITE
from surveys.models import Edition, Question, Response

# Bump when the shape of the computed results changes: cached and stored results are then ignored.
RESULTS_FORMAT = 1

COUNTED_STATUSES = (Response.Status.SUBMITTED, Response.Status.VALIDATED)
CHOICE_TYPES = (Question.Type.SINGLE, Question.Type.MULTIPLE)
NUMBER_TYPES = (Question.Type.INTEGER, Question.Type.DECIMAL, Question.Type.MONEY)
TEXT_TYPES = (Question.Type.TEXT, Question.Type.LONGTEXT)
TOP_RANKS = 3
PER_INHABITANT_THRESHOLD = 1
BUDGET_CODE = "budget_participation"

# Analysis brackets of the spec, as SQL conditions on the value `{x}` (constants, never input).
# ETP are decimals (step 0.1): "1 à 2" holds 1 ≤ x < 3, "3 à 5" holds 3 ≤ x < 6.
NUMBER_BRACKETS: dict[str, list[tuple[str, str, str]]] = {
    "etp_participation": [
        ("lt1", "Moins de 1", "{x} < 1"),
        ("1_2", "De 1 à 2", "{x} >= 1 AND {x} < 3"),
        ("3_5", "De 3 à 5", "{x} >= 3 AND {x} < 6"),
        ("6_10", "De 6 à 10", "{x} >= 6 AND {x} <= 10"),
        ("gt10", "Plus de 10", "{x} > 10"),
    ],
    BUDGET_CODE: [
        ("le5k", "5 000 € ou moins", "{x} <= 5000"),
        ("lt50k", "De 5 000 à 50 000 €", "{x} > 5000 AND {x} < 50000"),
        ("lt100k", "De 50 000 à 100 000 €", "{x} >= 50000 AND {x} < 100000"),
        ("lt500k", "De 100 000 à 500 000 €", "{x} >= 100000 AND {x} < 500000"),
        ("ge500k", "500 000 € ou plus", "{x} >= 500000"),
    ],
}

# Derived variables of the collectivité, as SQL over `c` (respondents_collectivite).
TYPE_SQL = (
    "CASE WHEN c.kind = 'epci' AND c.epci_type IN ('METRO', 'MET69') THEN 'metropole' "
    "WHEN c.kind = 'epci' THEN 'intercommunalite' ELSE c.kind END"
)
TRANCHE_SQL = (
    "CASE WHEN c.population IS NULL THEN NULL "
    + " ".join(
        f"WHEN c.population < {high} THEN '{code}'"
        for code, _label, _low, high in TRANCHES_POPULATION
        if high is not None
    )
    + f" ELSE '{TRANCHES_POPULATION[-1][0]}' END"
)
REGION_SQL = "c.region_code"

DIMENSIONS = {
    "type": ("Type de collectivité", TYPE_SQL, TYPES_COLLECTIVITE),
    "tranche": ("Tranche de population", TRANCHE_SQL, TRANCHE_LABELS),
    "region": ("Région", REGION_SQL, REGIONS),
}
ALL = "all"


@dataclass(frozen=True)
class ResultFilters:
    """Who counts: a type of collectivité, a population bracket, a région (all optional)."""

    type: str = ""
    tranche: str = ""
    region: str = ""
    # The benchmark compares a collectivité with its peers, itself excluded.
    exclude_collectivite: int | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.type or self.tranche or self.region or self.exclude_collectivite)

    @property
    def key(self) -> str:
        return ":".join(
            [self.type, self.tranche, self.region, str(self.exclude_collectivite or "")]
        )

    def as_dict(self) -> dict:
        return asdict(self)

    def describe(self) -> list[str]:
        parts = []
        if self.type:
            parts.append(TYPES_COLLECTIVITE.get(self.type, self.type))
        if self.tranche:
            parts.append(TRANCHE_LABELS.get(self.tranche, self.tranche))
        if self.region:
            parts.append(region_name(self.region))
        return parts


def peer_filters(collectivite: Collectivite) -> ResultFilters:
    """Same type and population bracket as `collectivite`, which is left out."""
    from surveys.derived import tranche_population

    return ResultFilters(
        type=collectivite.type_collectivite,
        tranche=tranche_population(collectivite.population) or "",
        exclude_collectivite=collectivite.pk,
    )


class _Sql:
    """The FROM and WHERE shared by every aggregate query of one computation."""

    def __init__(self, edition: Edition, filters: ResultFilters, dimension: str | None):
        self.vendor = connection.vendor
        self.group = DIMENSIONS[dimension][1] if dimension else f"'{ALL}'"
        where = ["r.edition_id = %s", "r.status IN (%s, %s)"]
        params: list = [edition.pk, *map(str, COUNTED_STATUSES)]
        if filters.type:
            where.append(f"({TYPE_SQL}) = %s")
            params.append(filters.type)
        if filters.tranche:
            where.append(f"({TRANCHE_SQL}) = %s")
            params.append(filters.tranche)
        if filters.region:
            where.append(f"{REGION_SQL} = %s")
            params.append(filters.region)
        if filters.exclude_collectivite:
            where.append("c.id <> %s")
            params.append(filters.exclude_collectivite)
        self.where = " AND ".join(where)
        self.params = params

    def answers(self, question_ids: list[int], columns: str, extra_where: str = "") -> str:
        """A subquery of the counted answers to `question_ids`, with `grp` and `columns`."""
        ids = ", ".join(str(int(pk)) for pk in question_ids)
        return (
            f"SELECT a.question_id AS qid, {self.group} AS grp, {columns} "
            "FROM surveys_answer a "
            "JOIN surveys_response r ON r.id = a.response_id "
            "JOIN respondents_collectivite c ON c.id = r.collectivite_id "
            f"WHERE a.question_id IN ({ids}) AND {self.where} {extra_where}"
        )

    def fetch(self, sql: str, params: list | None = None) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, self.params if params is None else params)
            return cursor.fetchall()


def _percent(count: int, base: int) -> float | None:
    return round(100 * count / base, 1) if base else None


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


def _bases(sql: _Sql, ids: list[int]) -> dict:
    rows = sql.fetch(
        f"SELECT qid, grp, COUNT(*) FROM ({sql.answers(ids, '1 AS one')}) t GROUP BY qid, grp"
    )
    return {(qid, grp): count for qid, grp, count in rows}


def _choice_counts(sql: _Sql, single: list[int], multiple: list[int]) -> dict:
    counts: dict = {}
    if single:
        code = json_scalar_text("a.value", sql.vendor)
        rows = sql.fetch(
            f"SELECT qid, grp, code, COUNT(*) FROM ({sql.answers(single, f'{code} AS code')}) t "
            "GROUP BY qid, grp, code"
        )
        for qid, grp, choice, count in rows:
            counts.setdefault((qid, grp), {})[choice] = count
    if multiple:
        rows = sql.fetch(
            f"SELECT t.qid, t.grp, e.value, COUNT(*) "
            f"FROM ({sql.answers(multiple, 'a.value AS value')}) t "
            f"CROSS JOIN {json_unnest('t.value', 'array', sql.vendor)} "
            "GROUP BY t.qid, t.grp, e.value"
        )
        for qid, grp, choice, count in rows:
            counts.setdefault((qid, grp), {})[choice] = count
    return counts


def _matrix_counts(sql: _Sql, ids: list[int]) -> dict:
    counts: dict = {}
    if ids:
        rows = sql.fetch(
            f"SELECT t.qid, t.grp, e.key, CAST(e.value AS TEXT), COUNT(*) "
            f"FROM ({sql.answers(ids, 'a.value AS value')}) t "
            f"CROSS JOIN {json_unnest('t.value', 'object', sql.vendor)} "
            "GROUP BY t.qid, t.grp, e.key, CAST(e.value AS TEXT)"
        )
        for qid, grp, row, scale, count in rows:
            counts.setdefault((qid, grp), {}).setdefault(row, {})[scale] = count
    return counts


def _ranking_sums(sql: _Sql, ids: list[int]) -> dict:
    """{(qid, grp): {item: (times ranked, times in top 3, sum of ranks)}}."""
    sums: dict = {}
    if ids:
        rank = "CAST(e.value AS INTEGER)"
        rows = sql.fetch(
            f"SELECT t.qid, t.grp, e.key, COUNT(*), "
            f"SUM(CASE WHEN {rank} <= {TOP_RANKS} THEN 1 ELSE 0 END), SUM({rank}) "
            f"FROM ({sql.answers(ids, 'a.value AS value')}) t "
            f"CROSS JOIN {json_unnest('t.value', 'object', sql.vendor)} "
            "GROUP BY t.qid, t.grp, e.key"
        )
        for qid, grp, item, ranked, top, rank_sum in rows:
            sums.setdefault((qid, grp), {})[item] = (ranked, int(top or 0), int(rank_sum or 0))
    return sums


def _number_stats(sql: _Sql, ids: list[int], expression: str, extra_where: str = "") -> dict:
    """{(qid, grp): {"count", "mean", "median"}} of `expression` over the counted answers.

    The median uses window functions (ROW_NUMBER over the sorted values), which both
    PostgreSQL and SQLite support, instead of a vendor-specific percentile function.
    """
    if not ids:
        return {}
    inner = sql.answers(ids, f"{expression} AS x", f"AND {expression} IS NOT NULL {extra_where}")
    stats = {
        (qid, grp): {"count": count, "mean": _number(mean)}
        for qid, grp, count, mean in sql.fetch(
            f"SELECT qid, grp, COUNT(*), AVG(x) FROM ({inner}) t GROUP BY qid, grp"
        )
    }
    ranked = (
        "SELECT qid, grp, x, ROW_NUMBER() OVER (PARTITION BY qid, grp ORDER BY x) AS rn, "
        f"COUNT(*) OVER (PARTITION BY qid, grp) AS n FROM ({inner}) t"
    )
    for qid, grp, median in sql.fetch(
        f"SELECT qid, grp, AVG(x) FROM ({ranked}) s "
        "WHERE rn IN ((n + 1) / 2, (n + 2) / 2) GROUP BY qid, grp"
    ):
        stats[(qid, grp)]["median"] = _number(median)
    return stats


def _bracket_counts(sql: _Sql, questions: list[Question]) -> dict:
    """{(qid, grp): {bracket code: count}} for the numeric questions with analysis brackets."""
    bracketed = [q for q in questions if q.code in NUMBER_BRACKETS]
    if not bracketed:
        return {}
    whens = " ".join(
        f"WHEN t.qid = {int(q.pk)} AND {condition.format(x='t.x')} THEN '{code}'"
        for q in bracketed
        for code, _label, condition in NUMBER_BRACKETS[q.code]
    )
    inner = sql.answers([q.pk for q in bracketed], "a.number AS x", "AND a.number IS NOT NULL")
    counts: dict = {}
    for qid, grp, code, count in sql.fetch(
        f"SELECT qid, grp, bracket, COUNT(*) FROM "
        f"(SELECT t.qid, t.grp, CASE {whens} END AS bracket FROM ({inner}) t) b "
        "GROUP BY qid, grp, bracket"
    ):
        if code is not None:
            counts.setdefault((qid, grp), {})[code] = count
    return counts


def _per_inhabitant(sql: _Sql, budget: Question | None) -> dict:
    """`budget_par_habitant` (budget / population): mean, median and share under 1 €/hab."""
    if budget is None:
        return {}
    expression = "(a.number * 1.0 / c.population)"
    where = "AND c.population > 0"
    stats = _number_stats(sql, [budget.pk], expression, where)
    inner = sql.answers([budget.pk], f"{expression} AS x", f"AND a.number IS NOT NULL {where}")
    for qid, grp, under in sql.fetch(
        f"SELECT qid, grp, SUM(CASE WHEN x < {PER_INHABITANT_THRESHOLD} THEN 1 ELSE 0 END) "
        f"FROM ({inner}) t GROUP BY qid, grp"
    ):
        entry = stats[(qid, grp)]
        entry["under_1"] = int(under or 0)
        entry["under_1_percent"] = _percent(entry["under_1"], entry["count"])
    return stats


def _labelled(options: list[tuple[str, str]], counts: dict, base: int) -> list[dict]:
    known = {code for code, _ in options}
    extra = [(code, code) for code in sorted(counts, key=str) if code not in known]
    return [
        {
            "code": code,
            "label": label,
            "count": counts.get(code, 0),
            "percent": _percent(counts.get(code, 0), base),
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
    sql = _Sql(edition, filters, dimension)
    respondents = _respondents(sql)
    by_type: dict[str, list[Question]] = {}
    for question in questions:
        by_type.setdefault(question.type, []).append(question)

    def ids(*types: str) -> list[int]:
        return [q.pk for t in types for q in by_type.get(t, [])]

    aggregated = ids(*CHOICE_TYPES, *NUMBER_TYPES, *TEXT_TYPES, "matrix", "ranking")
    bases = _bases(sql, aggregated) if aggregated else {}
    choices = _choice_counts(sql, ids(Question.Type.SINGLE), ids(Question.Type.MULTIPLE))
    matrices = _matrix_counts(sql, ids(Question.Type.MATRIX))
    rankings = _ranking_sums(sql, ids(Question.Type.RANKING))
    numbers = _number_stats(sql, ids(*NUMBER_TYPES), "a.number")
    brackets = _bracket_counts(sql, [q for t in NUMBER_TYPES for q in by_type.get(t, [])])
    budget = next((q for q in by_type.get(Question.Type.MONEY, []) if q.code == BUDGET_CODE), None)
    per_inhabitant = _per_inhabitant(sql, budget)

    figures: dict = {}
    for question in questions:
        options = [(c.code, c.label) for c in question.choices.all()]
        for group in respondents:
            key = (question.pk, group)
            base = bases.get(key, 0)
            entry: dict = {"base": base}
            if question.type in CHOICE_TYPES:
                entry["choices"] = _labelled(options, choices.get(key, {}), base)
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
                            "cells": _labelled(options, row_counts, row_base),
                        }
                    )
            elif question.type == Question.Type.RANKING:
                points = question.rank_count or len(options)
                entry["points"] = points
                items = rankings.get(key, {})
                entry["items"] = []
                for code, label in options:
                    ranked, top, rank_sum = items.get(code, (0, 0, 0))
                    # rank r earns (points + 1 - r): rank 1 = 3 points of 3, or 10 of 10.
                    score = ranked * (points + 1) - rank_sum
                    entry["items"].append(
                        {
                            "code": code,
                            "label": label,
                            "top3": top,
                            "top3_percent": _percent(top, base),
                            "mean_score": round(score / base, 2) if base else None,
                        }
                    )
            elif question.type in NUMBER_TYPES:
                stats = numbers.get(key, {"count": 0, "mean": None, "median": None})
                entry["number"] = {**stats, "nsp": base - stats["count"]}
                if question.code in NUMBER_BRACKETS:
                    counts = brackets.get(key, {})
                    entry["number"]["brackets"] = [
                        {
                            "code": code,
                            "label": label,
                            "count": counts.get(code, 0),
                            "percent": _percent(counts.get(code, 0), stats["count"]),
                        }
                        for code, label, _ in NUMBER_BRACKETS[question.code]
                    ]
                if question is budget:
                    entry["per_inhabitant"] = per_inhabitant.get(
                        key, {"count": 0, "mean": None, "median": None, "under_1": 0}
                    )
            figures[key] = entry
    return respondents, figures


def _kind(question: Question) -> str:
    if question.type in CHOICE_TYPES:
        return "choices"
    if question.type in NUMBER_TYPES:
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
        "roster": question.roster.text if question.roster_id else "",
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


def own_answers(response: Response) -> dict[str, str]:
    """A collectivité's own answers, as display text per question code."""
    answers = {}
    for answer in (
        response.answers.filter(item=0)
        .select_related("question")
        .prefetch_related("question__choices", "question__rows")
    ):
        question = answer.question
        labels = {c.code: c.label for c in question.choices.all()}
        value = answer.value
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
        elif question.type in NUMBER_TYPES:
            text = "Ne sait pas" if value == "nsp" else str(value)
        else:
            continue
        answers[question.code] = text
    return answers


def own_budget_per_inhabitant(response: Response) -> Decimal | None:
    from surveys.derived import budget_par_habitant

    value = (
        response.answers.filter(question__code=BUDGET_CODE, item=0)
        .values_list("value", flat=True)
        .first()
    )
    return budget_par_habitant(value, response.collectivite.population)


def dumps(results: dict) -> str:
    return json.dumps(results, ensure_ascii=False)
