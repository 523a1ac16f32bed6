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
from typing import Any

from django.db import connection
from django.utils import timezone

from exports.services.layout import Block, Layout, local_naive, to_number
from respondents.models import Collectivite
from surveys.models import Answer, Response

# `encode(cells, first_column)`: a writer's form of consecutive cells of a row. Equal cells at
# the same position must give equal results (they are cached and reused).
Encoder = Callable[[list, int], Any]

SEPARATOR = "\x1f"  # never in a JSON text (control characters are escaped there)
IDENTITY_WIDTH = 11  # identity, status and the three dates (`layout.identity_columns`)
# Distinct answers remembered per question: enough for every coded question; free texts past it
# are encoded each time, so that memory stays flat.
CACHE_LIMIT = 4096
MISSING = ""
HIDDEN = None  # key of an unanswered question that the response's conditions did not ask


class Record:
    """One response as read for the export."""

    __slots__ = (
        "pk", "status", "created_at", "submitted_at", "validated_at", "kind", "code", "siren",
        "name", "epci_type", "population", "region_code", "parts", "others", "answers",
    )  # fmt: skip

    def __init__(self, fields, parts: list[str], others: dict, answers: dict | None):
        (
            self.pk, self.status, self.created_at, self.submitted_at, self.validated_at,
            self.kind, self.code, self.siren, self.name, self.epci_type, self.population,
            self.region_code,
        ) = fields  # fmt: skip
        self.parts = parts
        self.others = others
        # {question pk: (value, "")} of every answer outside rosters, for the conditions.
        self.answers = answers


class BlockPlan:
    """How one question's kept columns are filled and encoded, with its cache."""

    __slots__ = ("block", "kept", "first", "other_first", "no_other", "cache", "pk")

    def __init__(self, block: Block, kept: list[int], first: int):
        self.block = block
        self.pk = block.question.pk
        width = block.width - (1 if block.other_choices else 0)
        other = width if block.other_choices else None
        self.kept = [i for i in kept if i < width]
        self.first = first
        # The précisez text is the respondent's own: encoded per row, never cached.
        self.other_first = first + len(self.kept) if other is not None and other in kept else None
        self.cache: dict = {}
        self.no_other = None  # the encoded empty précisez cell, most respondents' one

    def cells(self, part: str | None) -> list:
        block = self.block
        if part is HIDDEN:
            cells = block.cells(None, hidden=True)
        elif part == MISSING:
            cells = block.empty
        else:
            cells = block._fill(json.loads(part))
        return [cells[i] for i in self.kept]


class RowPlan:
    """The Réponses rows of a layout, narrowed to the `kept` column positions."""

    def __init__(self, layout: Layout, kept: list[int], conditional: set[int]):
        self.layout = layout
        kept_set = set(kept)
        self.identity = [i for i in kept if i < IDENTITY_WIDTH]
        self.blocks: list[BlockPlan] = []
        start = IDENTITY_WIDTH
        first = len(self.identity)
        for block in layout.top_blocks:
            local = [i - start for i in range(start, start + block.width) if i in kept_set]
            if local:
                plan = BlockPlan(block, local, first)
                self.blocks.append(plan)
                first += len(local)
            start += block.width
        self.indicators = [
            (start + index, indicator, question.pk)
            for index, (indicator, question) in enumerate(layout.indicators)
            if start + index in kept_set
        ]
        self.indicators_first = first
        self.conditional = {plan.pk for plan in self.blocks if plan.pk in conditional}
        # Questions whose stored text is fetched: the blocks', then the indicators' sources.
        self.keys = [plan.pk for plan in self.blocks] + [pk for _i, _ind, pk in self.indicators]

    def encode_row(
        self,
        record: Record,
        encode: Encoder,
        hidden: set[int],
    ) -> list:
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
        parts = record.parts
        others = record.others
        row = [encode(identity, 0)]
        append = row.append
        for index, plan in enumerate(self.blocks):
            part: str | None = parts[index]
            if hidden and part == MISSING and plan.pk in hidden:
                part = HIDDEN
            fragment = plan.cache.get(part)
            if fragment is None:
                fragment = encode(plan.cells(part), plan.first)
                if len(plan.cache) < CACHE_LIMIT:
                    plan.cache[part] = fragment
            append(fragment)
            if plan.other_first is not None:
                text = others.get(plan.pk)
                if text:
                    append(encode([text], plan.other_first))
                else:
                    if plan.no_other is None:
                        plan.no_other = encode([None], plan.other_first)
                    append(plan.no_other)
        if self.indicators:
            offset = len(self.blocks)
            cells = []
            for index, (_position, indicator, _pk) in enumerate(self.indicators):
                part = parts[offset + index]
                value = json.loads(part) if part else None
                cells.append(to_number(indicator.compute(value, record.population)))
            append(encode(cells, self.indicators_first))
        return row


RESPONSE_FIELDS = (
    "pk", "status", "created_at", "submitted_at", "validated_at", "collectivite__kind",
    "collectivite__code", "collectivite__siren", "collectivite__name",
    "collectivite__epci_type", "collectivite__population", "collectivite__region_code",
)  # fmt: skip


def read_records(batch: list[int], keys: list[int], with_answers: bool) -> Iterator[Record]:
    """The responses of `batch` (ids, in that order) with the stored texts of the `keys`
    questions' answers (item 0); `with_answers` also gives every answer, for the conditions."""
    if connection.vendor == "postgresql":
        records = _postgresql_records(batch, keys, with_answers)
    else:
        records = _portable_records(batch, keys, with_answers)
    by_pk = {record.pk: record for record in records}
    for pk in batch:
        if pk in by_pk:
            yield by_pk[pk]


def _postgresql_records(batch: list[int], keys: list[int], with_answers: bool) -> list[Record]:
    stored = ", ".join(f"a.o -> '{int(pk)}'" for pk in keys)
    dates = ", ".join(
        f"date_trunc('second', r.{name} AT TIME ZONE %(zone)s)"
        for name in ("created_at", "submitted_at", "validated_at")
    )
    sql = f"""
        SELECT r.id, r.status, {dates}, c.kind, c.code, c.siren, c.name, c.epci_type,
               c.population, c.region_code,
               array_to_string(ARRAY[{stored}]::text[], %(separator)s, ''),
               a.others::text, {"a.o::text" if with_answers else "NULL"}
        FROM {Response._meta.db_table} r
        JOIN {Collectivite._meta.db_table} c ON c.id = r.collectivite_id
        LEFT JOIN LATERAL (
            SELECT jsonb_object_agg(question_id::text, value) AS o,
                   jsonb_object_agg(question_id::text, other_text)
                       FILTER (WHERE other_text <> '') AS others
            FROM {Answer._meta.db_table}
            WHERE response_id = r.id AND item = 0
        ) a ON true
        WHERE r.id = ANY(%(ids)s)
    """
    params: dict[str, Any] = {
        "zone": timezone.get_current_timezone_name(),
        "ids": batch,
        "separator": SEPARATOR,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    records = []
    width = len(keys)
    for row in rows:
        parts = row[12].split(SEPARATOR) if width else []
        others = {int(pk): text for pk, text in json.loads(row[13]).items()} if row[13] else {}
        answers = None
        if with_answers:
            stored_answers = json.loads(row[14]) if row[14] else {}
            answers = {int(pk): (value, "") for pk, value in stored_answers.items()}
        records.append(Record(row[:12], parts, others, answers))
    return records


def _portable_records(batch: list[int], keys: list[int], with_answers: bool) -> list[Record]:
    own: dict[int, dict[int, tuple]] = {pk: {} for pk in batch}
    for response_id, question_id, value, other_text in Answer.objects.filter(
        response_id__in=batch, item=0
    ).values_list("response_id", "question_id", "value", "other_text"):
        own[response_id][question_id] = (value, other_text)
    records = []
    for fields in Response.objects.filter(pk__in=batch).values_list(*RESPONSE_FIELDS):
        answers = own[fields[0]]
        fields = (*fields[:2], *(local_naive(value) for value in fields[2:5]), *fields[5:])
        parts = [json.dumps(answers[pk][0]) if pk in answers else MISSING for pk in keys]
        others = {pk: other for pk, (_value, other) in answers.items() if other}
        records.append(Record(fields, parts, others, answers if with_answers else None))
    return records
