# ruff: noqa: S608 — SQL text is built from table names and integer ids only; values go as params.
"""The rows of the Réponses sheet at census scale: answers read per respondent, cells planned.

On PostgreSQL one query per batch gives, per respondent, its collectivité, its dates already in
local time, and one text holding the stored JSON of each exported question in column order
(aggregated by `jsonb_object_agg` in the database, split once in Python). Elsewhere (SQLite: the
demo and the tests) the answers are read row by row and laid out the same way.

A question's cells depend only on the stored text of its answer, and a census has few distinct
answers per question: a writer's encoding of those cells (`Encoder`: XLSX write calls, CSV text…)
is computed once per distinct answer and reused, so that a row costs a lookup per question
instead of a decoding and a conversion per cell.
"""

import json
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from typing import Any

from django.db import connection
from django.utils import timezone

from exports.services.layout import Block, Layout, local_naive, to_number
from respondents.models import Collectivite
from surveys.models import Answer, Question, Response

# `encode(cells, first_column)`: a writer's form of consecutive cells of a row. Equal cells at
# the same position must give equal results (they are cached and reused).
Encoder = Callable[[list, int], Any]

SEPARATOR = "\x1f"  # never in a JSON text (control characters are escaped there)
IDENTITY_WIDTH = 11  # identity, status and the three dates (`layout.identity_columns`)
# Distinct answers remembered per part: enough for every coded question; a part that reaches it
# (free texts, amounts) is no longer cached, so that memory stays flat (`BlockPlan.remember`).
CACHE_LIMIT = 4096
MISSING = ""
HIDDEN = None  # key of an unanswered question that the response's conditions did not ask


class Record:
    """One response as read for the export."""

    __slots__ = (
        "pk", "status", "created_at", "submitted_at", "validated_at", "kind", "code", "siren",
        "name", "epci_type", "population", "region_code", "parts", "answers",
    )  # fmt: skip

    def __init__(self, fields, parts: list[str], answers: dict | None):
        (
            self.pk, self.status, self.created_at, self.submitted_at, self.validated_at,
            self.kind, self.code, self.siren, self.name, self.epci_type, self.population,
            self.region_code,
        ) = fields  # fmt: skip
        self.parts = parts
        # {question pk: (value, "")} of every answer outside rosters, for the conditions.
        self.answers = answers


class BlockPlan:
    """How one part of a question's kept columns is filled and encoded, with its cache.

    `kind` says which stored text the part reads: `value` (the answer), `row` (one row of a
    matrix: each row's text is one of a few scale codes, where the texts of whole matrices are
    nearly all distinct) or `other` (the précisez text).
    """

    __slots__ = ("block", "kind", "pk", "row", "kept", "first", "cache", "full")

    def __init__(self, block: Block, kind: str, kept: list[int], first: int, row=None):
        self.block = block
        self.kind = kind
        self.pk = block.question.pk
        self.row = row
        self.kept = kept
        self.first = first
        self.cache: dict = {}
        self.full = False

    def remember(self, part: str | None, fragment) -> None:
        """Cache the encoding of a newly seen answer. Answers that fill the cache hardly repeat
        (free texts, amounts): it then keeps only the missing and the hidden answer, so that
        its lookups stay cheap and memory flat."""
        cache = self.cache
        cache[part] = fragment
        if len(cache) >= CACHE_LIMIT:
            kept = {key: cache[key] for key in (MISSING, HIDDEN) if key in cache}
            cache.clear()
            cache.update(kept)
            self.full = True

    def cells(self, part: str | None) -> list:
        block = self.block
        if self.kind != "value":
            if part == MISSING:
                return [None]
            value = decoded(part)  # type: ignore[arg-type]
            return [block.shown.get(value, value) if self.kind == "row" else value]
        if part is HIDDEN:
            cells = block.cells(None, hidden=True)
        elif part == MISSING:
            cells = block.empty
        else:
            cells = block.cells((decoded(part), ""))
        if len(self.kept) == block.width:
            return cells
        return [cells[i] for i in self.kept]


class RowPlan:
    """The Réponses rows of a layout, narrowed to the `kept` column positions."""

    def __init__(self, layout: Layout, kept: list[int], conditional: set[int]):
        self.layout = layout
        kept_set = set(kept)
        self.identity = [i for i in kept if i < IDENTITY_WIDTH]
        self.plans: list[BlockPlan] = []
        start = IDENTITY_WIDTH
        first = len(self.identity)
        for block in layout.top_blocks:
            local = [i - start for i in range(start, start + block.width) if i in kept_set]
            other = block.width - 1 if block.columns[-1].role == "other" else None
            values = [i for i in local if i != other]
            if values and block.question.type == Question.Type.MATRIX:
                for index in values:
                    plan = BlockPlan(block, "row", [index], first, block.row_codes[index])
                    self.plans.append(plan)
                    first += 1
            elif values:
                self.plans.append(BlockPlan(block, "value", values, first))
                first += len(values)
            if other is not None and other in local:
                self.plans.append(BlockPlan(block, "other", [other], first))
                first += 1
            start += block.width
        self.indicators = [
            (start + index, indicator, question.pk)
            for index, (indicator, question) in enumerate(layout.indicators)
            if start + index in kept_set
        ]
        self.indicators_first = first
        # Each indicator with the position of its source's stored text among the parts.
        self.indicator_sources = [
            (len(self.plans) + index, indicator)
            for index, (_position, indicator, _pk) in enumerate(self.indicators)
        ]
        self.caches = [plan.cache for plan in self.plans]
        # Positions of the parts that a response's conditions may hide when unanswered.
        self.conditional = {
            index: plan.pk
            for index, plan in enumerate(self.plans)
            if plan.kind == "value" and plan.pk in conditional
        }
        # The stored texts fetched, as (kind, question pk, matrix row or None): the plans',
        # then the indicators' sources.
        self.keys = [(plan.kind, plan.pk, plan.row) for plan in self.plans] + [
            ("value", pk, None) for _i, _ind, pk in self.indicators
        ]

    def encode_row(self, record: "Record", encode: Encoder, hidden: AbstractSet[int]) -> list:
        """The encoded parts of one response's row, in column order."""
        layout = self.layout
        identity = layout.identity_cells(
            record.kind, record.code, record.siren, record.name, record.epci_type,
            record.population, record.region_code,
        )  # fmt: skip
        identity.append(layout.status_cell(record.status))
        identity.extend((record.created_at, record.submitted_at, record.validated_at))
        if len(self.identity) < IDENTITY_WIDTH:
            identity = [identity[i] for i in self.identity]
        parts: list = record.parts
        if hidden:
            parts = list(parts)
            for index, pk in self.conditional.items():
                if parts[index] == MISSING and pk in hidden:
                    parts[index] = HIDDEN
        # One cache lookup per part, in C; the misses (a first answer) are encoded after.
        fragments = list(map(dict.get, self.caches, parts))
        if None in fragments:
            plans = self.plans
            index = fragments.index(None)
            while True:
                plan, part = plans[index], parts[index]
                fragment = encode(plan.cells(part), plan.first)
                if not plan.full:
                    plan.remember(part, fragment)
                fragments[index] = fragment
                try:
                    index = fragments.index(None, index + 1)
                except ValueError:
                    break
        fragments.insert(0, encode(identity, 0))
        if self.indicators:
            population = record.population
            cells = [
                to_number(indicator.compute(decoded(parts[at]) if parts[at] else None, population))
                for at, indicator in self.indicator_sources
            ]
            fragments.append(encode(cells, self.indicators_first))
        return fragments


def decoded(part: str) -> Any:
    """The value of a stored JSON text; a string without escapes (most answers: codes, amounts,
    texts) is read without the JSON parser, for the same result."""
    if part[:1] == '"' and "\\" not in part:
        return part[1:-1]
    return json.loads(part)


RESPONSE_FIELDS = (
    "pk", "status", "created_at", "submitted_at", "validated_at", "collectivite__kind",
    "collectivite__code", "collectivite__siren", "collectivite__name",
    "collectivite__epci_type", "collectivite__population", "collectivite__region_code",
)  # fmt: skip


def read_records(batch: list[int], keys: list[tuple], with_answers: bool) -> Iterator[Record]:
    """The responses of `batch` (ids, in that order) with the stored texts that the `keys`
    (kind, question pk, matrix row or None: see `BlockPlan`) read of their answers (item 0);
    `with_answers` also gives every answer, for the conditions."""
    if connection.vendor == "postgresql":
        yield from _postgresql_records(batch, keys, with_answers)
        return
    by_pk = {record.pk: record for record in _portable_records(batch, keys, with_answers)}
    for pk in batch:
        if pk in by_pk:
            yield by_pk[pk]


def _postgresql_records(batch: list[int], keys: list[tuple], with_answers: bool) -> list[Record]:
    """The records of `batch`, in its order."""
    params: dict[str, Any] = {"zone": timezone.get_current_timezone_name(), "ids": batch}
    stored = []
    for index, (kind, pk, row) in enumerate(keys):
        if kind == "other":
            stored.append(f"a.others -> '{int(pk)}'")
        elif kind == "row":
            params[f"row{index}"] = row
            stored.append(f"a.o -> '{int(pk)}' -> %(row{index})s::text")
        else:
            stored.append(f"a.o -> '{int(pk)}'")
    params["separator"] = SEPARATOR
    dates = ", ".join(
        f"date_trunc('second', r.{name} AT TIME ZONE %(zone)s)"
        for name in ("created_at", "submitted_at", "validated_at")
    )
    sql = f"""
        SELECT r.id, r.status, {dates}, c.kind, c.code, c.siren, c.name, c.epci_type,
               c.population, c.region_code,
               array_to_string(ARRAY[{", ".join(stored)}]::text[], %(separator)s, ''),
               {"a.o::text" if with_answers else "NULL"}
        FROM unnest(%(ids)s::bigint[]) WITH ORDINALITY AS batch(id, position)
        JOIN {Response._meta.db_table} r ON r.id = batch.id
        JOIN {Collectivite._meta.db_table} c ON c.id = r.collectivite_id
        LEFT JOIN LATERAL (
            SELECT jsonb_object_agg(question_id::text, value) AS o,
                   jsonb_object_agg(question_id::text, other_text)
                       FILTER (WHERE other_text <> '') AS others
            FROM {Answer._meta.db_table}
            WHERE response_id = r.id AND item = 0
        ) a ON true
        ORDER BY batch.position
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not keys:
        return [Record(row[:12], [], _answers(row[13]) if with_answers else None) for row in rows]
    if not with_answers:
        return [Record(row[:12], row[12].split(SEPARATOR), None) for row in rows]
    return [Record(row[:12], row[12].split(SEPARATOR), _answers(row[13])) for row in rows]


def _answers(stored: str | None) -> dict:
    """{question pk: (value, "")} from the JSON object of a response's answers."""
    return {int(pk): (value, "") for pk, value in json.loads(stored or "{}").items()}


def _portable_records(batch: list[int], keys: list[tuple], with_answers: bool) -> list[Record]:
    own: dict[int, dict[int, tuple]] = {pk: {} for pk in batch}
    for response_id, question_id, value, other_text in Answer.objects.filter(
        response_id__in=batch, item=0
    ).values_list("response_id", "question_id", "value", "other_text"):
        own[response_id][question_id] = (value, other_text)
    records = []
    for fields in Response.objects.filter(pk__in=batch).values_list(*RESPONSE_FIELDS):
        answers = own[fields[0]]
        fields = (*fields[:2], *(local_naive(value) for value in fields[2:5]), *fields[5:])
        parts = [stored_text(answers, key) for key in keys]
        records.append(Record(fields, parts, answers if with_answers else None))
    return records


def stored_text(answers: dict, key: tuple) -> str:
    """The JSON text that `key` (kind, question pk, matrix row) reads; MISSING when none."""
    kind, pk, row = key
    if pk not in answers:
        return MISSING
    value, other = answers[pk]
    if kind == "other":
        return json.dumps(other) if other else MISSING
    if kind == "row":
        return json.dumps(value[row]) if isinstance(value, dict) and row in value else MISSING
    return json.dumps(value)
