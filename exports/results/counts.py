# ruff: noqa: S608 — SQL text is built from constants and integer ids only; values go as params.
"""Pre-aggregated answer counts (`ResultCount`): the results read sums over cells.

A cell is a type of collectivité × population bracket × région. For every question it holds the
number of counted answers (the base) and, for choice, matrix and ranking questions, how many
answers hold each code, cell or rank. Counted answers are those of submitted and validated
responses, as in every figure.

Two ways keep it right, from one SQL definition (`_contribution_selects`):

- `tracking(response)` wraps every change of a response's status or answers (submission,
  reopening, staff correction, paper entry): it reads the response's contribution before the
  change and after it, and applies the difference in the same transaction;
- `rebuild(edition)` recomputes the edition's counts from the answers. The bulk paths (demo
  data, spreadsheet imports) call it, and so do the nightly job and the staff's "recompute"
  button, which heal anything that went around `tracking` (a change made in SQL or a shell).
  A referential import or an admin correction that moves a collectivité to another cell asks
  for the nightly job at once.
"""

from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connection, transaction

from exports.results.models import ResultCount
from exports.results.sql import (
    ANSWER_ROW,
    json_items,
    planning_fence,
    prefer_hashing,
    prepare_aggregates,
)
from respondents.classification import REGION_SQL, TRANCHE_SQL, TYPE_SQL
from surveys.models import Edition, Question, Response

COUNTED_STATUSES = Response.COUNTED_STATUSES
# Question types whose JSON answers are unnested into counts (others only count their base).
ITEM_TYPES = (
    Question.Type.SINGLE,
    Question.Type.MULTIPLE,
    Question.Type.MATRIX,
    Question.Type.RANKING,
)

# Derived variables of the collectivité, as SQL over `c` (respondents_collectivite).
TABLE = ResultCount._meta.db_table
COLUMNS = "edition_id, question_id, type, tranche, region, key, value, n"
# A contribution row: (question id, type, tranche, région, key, value, n).
Row = tuple[int, str, str, str, str, str, int]


def _contribution_selects(edition: Edition, where: str, params: list) -> list[tuple[str, list]]:
    """SELECTs giving the counts of the counted responses of `edition` matching `where`.

    Each yields rows of `COLUMNS` (edition id first). `where` may use `r` (the response) and
    `c` (its collectivité). Identical answers are counted first and unnested once: most codes,
    lists and rankings repeat across thousands of respondents.
    """
    vendor = connection.vendor
    item_ids = list(
        edition.questions.filter(type__in=ITEM_TYPES).values_list("pk", flat=True).order_by()
    )
    in_items = ", ".join(str(int(pk)) for pk in item_ids) or "NULL"
    # The cell of each counted response is worked out once, not once per answer; the fence
    # keeps the planner from merging it back (it then hashes 36,000 responses once).
    responses = (
        f"SELECT r.id AS id, ({TYPE_SQL}) AS type, COALESCE({TRANCHE_SQL}, '') AS tranche, "
        f"{REGION_SQL} AS region "
        "FROM surveys_response r "
        "JOIN respondents_collectivite c ON c.id = r.collectivite_id "
        f"WHERE r.edition_id = %s AND r.status IN (%s, %s) AND {where} {planning_fence(vendor)}"
    )
    answers = (
        "SELECT a.question_id AS qid, rr.type AS type, rr.tranche AS tranche, "
        "rr.region AS region, "
        f"CASE WHEN a.question_id IN ({in_items}) THEN a.value END AS value "
        f"FROM surveys_answer a JOIN ({responses}) rr ON rr.id = a.response_id"
    )
    answer_params = [edition.pk, *map(str, COUNTED_STATUSES), *params]
    distinct = (
        f"SELECT qid, type, tranche, region, value, COUNT(*) AS n FROM ({answers}) d "
        f"GROUP BY qid, type, tranche, region, value {planning_fence(vendor)}"
    )
    item = json_items("t.value", vendor)
    unnested = (
        f"SELECT {int(edition.pk)}, t.qid, t.type, t.tranche, t.region, "
        f"COALESCE({item.key}, ''), COALESCE(CAST({item.value} AS TEXT), ''), SUM(t.n) "
        f"FROM ({distinct}) t CROSS JOIN {item.source} "
        "GROUP BY t.qid, t.type, t.tranche, t.region, 6, 7"
    )
    if item.counts_answers:  # PostgreSQL: the bases come out of the same pass
        return [(unnested, answer_params)]
    bases = (
        f"SELECT {int(edition.pk)}, qid, type, tranche, region, '{ANSWER_ROW}', '', COUNT(*) "
        f"FROM ({answers}) d GROUP BY qid, type, tranche, region"
    )
    return [(bases, answer_params), (unnested, answer_params)]


def rebuild(edition: Edition) -> int:
    """Recompute the counts of `edition` from its answers; returns the number of rows."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            prepare_aggregates(cursor)
            # Grouping a million JSON answers: hash in memory rather than sort on disk.
            prefer_hashing(cursor, True)
            cursor.execute(f"DELETE FROM {TABLE} WHERE edition_id = %s", [edition.pk])
            for select, params in _contribution_selects(edition, "1 = 1", []):
                cursor.execute(f"INSERT INTO {TABLE} ({COLUMNS}) {select}", params)
            prefer_hashing(cursor, False)
        return ResultCount.objects.filter(edition=edition).count()


def contribution(edition: Edition, where: str, params: Sequence) -> list[Row]:
    """What the counted responses matching `where` add to the counts (usually one response)."""
    rows: list[Row] = []
    with connection.cursor() as cursor:
        for select, select_params in _contribution_selects(edition, where, list(params)):
            cursor.execute(select, select_params)
            rows.extend(
                (qid, type_, tranche, region, key, value, int(n))
                for _edition, qid, type_, tranche, region, key, value, n in cursor.fetchall()
            )
    return rows


def _apply(edition_id: int, before: list[Row], after: list[Row]) -> None:
    """Replace a contribution `before` by `after`, as one net change; cells at zero go.

    One pass in one order for every writer (the cells sorted), so that concurrent
    submissions, reopenings and corrections cannot deadlock on the cells they share.
    """
    delta: dict[tuple, int] = defaultdict(int)
    for row in after:
        delta[row[:6]] += row[6]
    for row in before:
        delta[row[:6]] -= row[6]
    changes = sorted((key, n) for key, n in delta.items() if n)
    if not changes:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {TABLE} ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (question_id, type, tranche, region, key, value) "
            f"DO UPDATE SET n = {TABLE}.n + EXCLUDED.n",
            [(edition_id, *key, n) for key, n in changes],
        )
        if any(n < 0 for _key, n in changes):
            ids = ", ".join(sorted({str(int(key[0])) for key, n in changes if n < 0}))
            cursor.execute(f"DELETE FROM {TABLE} WHERE question_id IN ({ids}) AND n <= 0")


def _counted_state(response_id: int) -> tuple[int, bool] | None:
    """(edition id, counted?) of the response, its row locked until the transaction ends."""
    state = (
        Response.objects.select_for_update()
        .filter(pk=response_id)
        .values_list("edition_id", "status")
        .first()
    )
    if state is None:
        return None
    return state[0], state[1] in COUNTED_STATUSES


class Change:
    """What `tracking` found: whether the response counted before or after the change."""

    affects_figures = False


@contextmanager
def tracking(response: Response) -> Iterator[Change]:
    """Keep the counts right while the block changes `response` (status or answers).

    Opens a transaction (or joins the caller's). The `Change` it yields says, once the block
    is over, whether the response counted before or after it (so the figures must be
    recomputed: `exports.results.watchers` schedules that).
    """
    change = Change()
    with transaction.atomic():
        state = _counted_state(response.pk)
        if state is None:
            yield change
            return
        edition = Edition(pk=state[0])
        where = "r.id = %s"
        counted_before = state[1]
        before = contribution(edition, where, [response.pk]) if counted_before else []
        yield change
        state = _counted_state(response.pk)
        counted_after = bool(state and state[1])
        after = contribution(edition, where, [response.pk]) if counted_after else []
        _apply(edition.pk, before, after)
        change.affects_figures = counted_before or counted_after


def count_response(response: Response) -> None:
    """Add a response created already submitted (tests, one-off scripts) to the counts."""
    if response.status in COUNTED_STATUSES:
        edition = Edition(pk=response.edition_id)
        _apply(edition.pk, [], contribution(edition, "r.id = %s", [response.pk]))
