# ruff: noqa: S608 — SQL text from constants and the caller's column names only.
"""Vendor-specific SQL for reading JSON answers, behind one small interface.

Answers keep lists (multiple choice) and objects (matrix, ranking) in a JSON column; grouping
queries need them unnested into rows. PostgreSQL (jsonb) and SQLite (JSON1) spell it differently.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.backends.utils import CursorWrapper

# The key of the extra row `json_items` gives once per answer, where the vendor allows it.
ANSWER_ROW = "#answer"
AGGREGATES_WORK_MEM = "128MB"

SUPPORTED_VENDORS = ("postgresql", "sqlite")


def _vendor(vendor: str | None) -> str:
    vendor = vendor or connection.vendor
    if vendor not in SUPPORTED_VENDORS:
        raise NotImplementedError(f"Agrégats non disponibles pour la base « {vendor} ».")
    return vendor


def planning_fence(vendor: str | None = None) -> str:
    """A clause ending a subquery that the planner must not merge into the outer query."""
    return "OFFSET 0" if _vendor(vendor) == "postgresql" else "LIMIT -1 OFFSET 0"


def prepare_aggregates(cursor: CursorWrapper, vendor: str | None = None) -> None:
    """Per-transaction settings for the aggregate queries.

    PostgreSQL's JIT compiles expressions when a plan looks expensive; the JSON unnesting
    functions' default row estimate makes every aggregate look so, and compiling then costs
    seconds, far more than the query itself. Grouping a million answers should hash in memory
    rather than sort on disk: more work memory (for this transaction only).
    """
    if _vendor(vendor) == "postgresql":
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"SET LOCAL work_mem = '{AGGREGATES_WORK_MEM}'")


@dataclass(frozen=True)
class JsonItems:
    source: str  # a FROM-clause item, implicitly lateral on the answer's JSON
    key: str  # NULL for a scalar or a list element, the member name for an object
    value: str  # the scalar, the list element, or the member value
    counts_answers: bool  # whether one extra row per answer has key ANSWER_ROW


def json_items(source: str, vendor: str | None = None) -> JsonItems:
    """Rows of any JSON answer (choice code, list of codes, object of rows or ranks).

    PostgreSQL adds one row per answer keyed ANSWER_ROW, so one scan also gives the bases;
    SQLite, lacking LATERAL subqueries, needs a separate count.
    """
    vendor = _vendor(vendor)
    if vendor == "postgresql":
        typ = f"jsonb_typeof({source})"
        return JsonItems(
            source=(
                f"LATERAL (SELECT '{ANSWER_ROW}'::text AS key, NULL::text AS value "
                f"UNION ALL SELECT NULL, {source} #>> '{{}}' "
                f"WHERE {typ} NOT IN ('array', 'object') "
                f"UNION ALL SELECT NULL, x FROM jsonb_array_elements_text("
                f"CASE WHEN {typ} = 'array' THEN {source} END) AS x(x) "
                f"UNION ALL SELECT k, v FROM jsonb_each_text("
                f"CASE WHEN {typ} = 'object' THEN {source} END) AS kv(k, v)) AS e"
            ),
            key="e.key",
            value="e.value",
            counts_answers=True,
        )
    return JsonItems(
        source=f"json_each({source}) AS e",
        key=f"CASE WHEN json_type({source}) = 'object' THEN e.key END",
        value="e.value",
        counts_answers=False,
    )


def prefer_hashing(cursor: CursorWrapper, enabled: bool, vendor: str | None = None) -> None:
    """Discourage sorts for the next queries of this transaction (PostgreSQL).

    Grouping a million JSON answers by value, the planner's estimate (every value distinct)
    leads it to sort them on disk; hashing in memory measured 2.5 times faster on 36,000
    respondents. Window functions need their sort: turn it back on before them.
    """
    if _vendor(vendor) == "postgresql":
        cursor.execute(f"SET LOCAL enable_sort = {'off' if enabled else 'on'}")
