# ruff: noqa: S608 — SQL text is built from table names and integer ids only; values go as params.
"""The rows of the Réponses sheet at census scale: answers read per respondent, cells planned.

On PostgreSQL one query per batch gives, per respondent, its collectivité, its dates already in
local time (for a CSV, as the text it writes), and one text holding the stored JSON of each
exported question in column order (aggregated by `jsonb_object_agg` in the database, split once
in Python). Elsewhere (SQLite: the demo and the tests) the answers are read row by row and laid
out the same way.

A question's cells depend only on the stored text of its answer, and a census has few distinct
answers per question: a writer's encoding of those cells (`Encoder`: XLSX write calls, CSV text…)
is computed once per distinct answer and reused, so that a row costs a lookup per question
instead of a decoding and a conversion per cell.
"""

import json
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from functools import partial
from typing import Any, NamedTuple

from django.db import connection
from django.utils import timezone

from exports.services.layout import Block, Layout, local_naive, to_number
from respondents.models import Collectivite
from surveys.models import Answer, Question, Response

# `encode(cells, first_column)`: a writer's form of consecutive cells of a row. Equal cells at
# the same position must give equal results (they are cached and reused).
Encoder = Callable[[list, int], Any]

SEPARATOR = "\x1f"  # never in a JSON text (control characters are escaped there)
# Between the stored texts of a group of parts (`GroupPlan`): never in a JSON text either.
INNER_SEPARATOR = "\x1e"
# Distinct combinations a group of parts may have at most, by the choices of its questions: its
# cache then holds all of them (a row costs one lookup for the whole group).
GROUP_LIMIT = 512
IDENTITY_WIDTH = 11  # identity, status and the three dates (`layout.identity_columns`)
# Distinct answers remembered per part: enough for most coded questions (a multiple choice of
# many choices may have more combinations: it keeps its first ones); a free text or an amount
# that reaches it is no longer cached. Memory stays flat (`PartCache.remember`).
CACHE_LIMIT = 4096
MISSING = ""
HIDDEN = None  # key of an unanswered question that the response's conditions did not ask


class Record(NamedTuple):
    """One response as read for the export (a tuple: a census has tens of thousands)."""

    pk: int
    status: str
    created_at: Any
    submitted_at: Any
    validated_at: Any
    kind: str
    code: str
    siren: str
    name: str
    epci_type: str
    population: int | None
    region_code: str
    parts: list[str]
    # {question pk: (value, "")} of every answer outside rosters, for the conditions.
    answers: dict | None


# A record from a tuple of its fields, without a Python call (`_postgresql_records`).
_record = partial(tuple.__new__, Record)


class PartCache(dict):
    """Encodings by stored text, bounded: what `BlockPlan` and `GroupPlan` share. A subclass
    encodes a key it does not have in `__missing__` and keeps it with `remember`."""

    __slots__ = ("encode", "full", "coded")

    def __init__(self, coded: bool):
        super().__init__()
        self.encode: Encoder | None = None  # the writer's, set by `RowPlan`
        self.full = False
        # Whether the part's answers are codes (choices, scales): see `remember`.
        self.coded = coded

    def remember(self, part: str | None, fragment) -> None:
        """Cache the encoding of a newly seen answer, until CACHE_LIMIT answers are cached;
        later answers are then encoded each time, so that memory stays flat.

        A full cache of codes (the choices of a multiple choice question, say) keeps what it
        holds: the frequent combinations are among the first seen. Free texts and amounts
        hardly repeat: a full cache of them keeps only the missing and the hidden answer, so
        that it does not hold on to thousands of answers that will not come back."""
        self[part] = fragment
        if len(self) >= CACHE_LIMIT:
            self.full = True
            if not self.coded:
                kept = {key: self[key] for key in (MISSING, HIDDEN) if key in self}
                self.clear()
                self.update(kept)

    # A plan is compared and hashed as itself, not as the dict of its cache.
    __eq__ = object.__eq__
    __hash__ = object.__hash__  # type: ignore[assignment]


class BlockPlan(PartCache):
    """How one part of a question's kept columns is filled and encoded: a dict from a stored
    text to its encoding, which encodes a text not seen yet when it is looked up
    (`__missing__`), so that a row's lookups are all made in C (`RowPlan.encode_row`).

    `kind` says which stored text the part reads: `value` (the answer), `row` (one row of a
    matrix: each row's text is one of a few scale codes, where the texts of whole matrices are
    nearly all distinct) or `other` (the précisez text).
    """

    __slots__ = ("block", "kind", "pk", "row", "kept", "first", "text", "narrow", "whole")

    def __init__(self, block: Block, kind: str, kept: list[int], first: int, row=None):
        super().__init__(coded=kind == "row" or (kind == "value" and block.is_coded))
        self.block = block
        self.kind = kind
        self.pk = block.question.pk
        self.row = row
        self.kept = kept
        self.first = first
        # A part whose only cell is the text of its answer (free texts, précisez): a stored JSON
        # string without escapes (most) is that text between its quotes.
        self.text = kind == "other" or (kind == "value" and block.is_plain_text and len(kept) == 1)
        # The kept cells among the block's: all of them (None), a run of them, or a list.
        self.narrow: slice | list[int] | None = None
        if len(kept) != block.width:
            run = kept == list(range(kept[0], kept[-1] + 1))
            self.narrow = slice(kept[0], kept[-1] + 1) if run else kept
        # A number question's cells when its whole value is kept: an amount or a count stored
        # as a JSON string of digits (most) is that whole number, and the status cell empty.
        self.whole: list | None = None
        if kind == "value" and block.is_number and self.narrow is None:
            self.whole = [None] * (block.width - 1)

    @property
    def key(self) -> tuple:
        """What the part reads of an answer: see `read_records`."""
        return (self.kind, self.pk, self.row)

    def __missing__(self, part: str | None):
        if self.text and part and part[0] == '"' and "\\" not in part:
            fragment = self.encode([part[1:-1]], self.first)  # type: ignore[misc]
        elif (
            self.whole is not None
            and part
            and part[0] == '"'
            and (digits := part[1:-1]).isdigit()
            and digits.isascii()
        ):
            fragment = self.encode([int(digits), *self.whole], self.first)  # type: ignore[misc]
        else:
            fragment = self.encode(self.cells(part), self.first)  # type: ignore[misc]
        if not self.full:
            self.remember(part, fragment)
        return fragment

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
        if self.narrow is None:
            return cells
        return cells[self.narrow] if type(self.narrow) is slice else [cells[i] for i in self.narrow]


class GroupPlan(PartCache):
    """Consecutive parts whose answers have few possible values (matrix rows, single choices),
    looked up as one: the key is their stored texts joined by INNER_SEPARATOR, the encoding
    that of all their cells (a row of a census costs a lookup per group, not per part)."""

    __slots__ = ("members", "first")

    def __init__(self, members: list[BlockPlan]):
        super().__init__(coded=all(member.coded for member in members))
        self.members = members
        self.first = members[0].first

    @property
    def key(self) -> tuple:
        return tuple(member.key for member in self.members)

    def __missing__(self, key: str):
        cells: list = []
        for member, part in zip(self.members, key.split(INNER_SEPARATOR), strict=True):
            cells += member.cells(part)
        fragment = self.encode(cells, self.first)  # type: ignore[misc]
        if not self.full:
            self.remember(key, fragment)
        return fragment


def combinations(plan: BlockPlan, conditional: set[int]) -> int | None:
    """How many stored texts `plan` may read, as its question defines them (its choices or
    scale, no answer, and one more for an answer outside them); None when unbounded or when the
    response's conditions may hide it (its part is then looked up alone)."""
    block = plan.block
    if plan.kind == "row" or (
        plan.kind == "value" and block.is_single and plan.pk not in conditional
    ):
        return len(block.choices) + 2
    return None


def grouped(plans: list[BlockPlan], conditional: set[int]) -> list:
    """The plans in order, consecutive bounded ones gathered into groups (`GroupPlan`) of at
    most GROUP_LIMIT combinations."""
    entries: list = []
    run: list[BlockPlan] = []
    product = 1

    def close() -> None:
        if len(run) > 1:
            entries.append(GroupPlan(list(run)))
        else:
            entries.extend(run)
        run.clear()

    for plan in plans:
        count = combinations(plan, conditional)
        if count is None:
            close()
            product = 1
            entries.append(plan)
            continue
        if run and product * count > GROUP_LIMIT:
            close()
            product = 1
        run.append(plan)
        product *= count
    close()
    return entries


class RowPlan:
    """The Réponses rows of a layout, narrowed to the `kept` column positions, encoded by one
    writer's `encode` (the plans' caches hold its forms)."""

    def __init__(self, layout: Layout, kept: list[int], conditional: set[int], encode: Encoder):
        self.layout = layout
        self.encode = encode
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
        # What a row looks up: the plans, consecutive bounded ones in groups.
        self.entries = grouped(self.plans, conditional)
        for entry in [*self.plans, *self.entries]:
            entry.encode = encode
        self.indicators = [
            (start + index, indicator, question.pk)
            for index, (indicator, question) in enumerate(layout.indicators)
            if start + index in kept_set
        ]
        self.indicators_first = first
        # Each indicator with the position of its source's stored text among the parts.
        self.indicator_sources = [
            (len(self.entries) + index, indicator)
            for index, (_position, indicator, _pk) in enumerate(self.indicators)
        ]
        # Positions of the parts that a response's conditions may hide when unanswered.
        self.conditional = {
            index: entry.pk
            for index, entry in enumerate(self.entries)
            if type(entry) is BlockPlan and entry.kind == "value" and entry.pk in conditional
        }
        # The stored texts fetched, each as (kind, question pk, matrix row or None) or, for a
        # group, a tuple of those: the entries', then the indicators' sources.
        self.keys: list[tuple] = [entry.key for entry in self.entries] + [
            ("value", pk, None) for _i, _ind, pk in self.indicators
        ]

    def encode_row(self, record: "Record", hidden: AbstractSet[int]) -> list:
        """The encoded parts of one response's row, in column order."""
        layout = self.layout
        encode = self.encode
        (
            _pk, status, created_at, submitted_at, validated_at, kind, code, siren, name,
            epci_type, population, region_code, parts, _own,
        ) = record  # fmt: skip
        identity = layout.identity_cells(
            kind, code, siren, name, epci_type, population, region_code
        )
        identity.append(layout.status_cell(status))
        identity.extend((created_at, submitted_at, validated_at))
        if len(self.identity) < IDENTITY_WIDTH:
            identity = [identity[i] for i in self.identity]
        if hidden:
            parts = list(parts)
            for index, pk in self.conditional.items():
                if parts[index] == MISSING and pk in hidden:
                    parts[index] = HIDDEN  # type: ignore[call-overload]
        # One lookup per entry, in C (`map` stops at the entries: the indicators' sources
        # follow); a first answer is encoded by the entry's `__missing__`.
        fragments = [encode(identity, 0), *map(_lookup, self.entries, parts)]
        if self.indicators:
            cells = [
                to_number(indicator.compute(decoded(parts[at]) if parts[at] else None, population))
                for at, indicator in self.indicator_sources
            ]
            fragments.append(encode(cells, self.indicators_first))
        return fragments


_lookup = dict.__getitem__


def decoded(part: str) -> Any:
    """The value of a stored JSON text. A string without escapes (most answers: codes, amounts,
    texts) and a list of such strings (the choices of a multiple choice question) are read
    without the JSON parser, for the same result: without a backslash no quote is inside a
    string, and the database (like `json.dumps`) writes a list's items apart by `, `."""
    if "\\" not in part:
        start = part[:2]
        if start[:1] == '"':
            return part[1:-1]
        if start == '["' and part[-2:] == '"]':
            values = part[2:-2].split('", "')
            if part.count('"') == 2 * len(values):
                return values
    return json.loads(part)


RESPONSE_FIELDS = (
    "pk", "status", "created_at", "submitted_at", "validated_at", "collectivite__kind",
    "collectivite__code", "collectivite__siren", "collectivite__name",
    "collectivite__epci_type", "collectivite__population", "collectivite__region_code",
)  # fmt: skip


def read_records(
    batch: list[int], keys: list[tuple], with_answers: bool, dates_as_text: str | None = None
) -> Iterator[Record]:
    """The responses of `batch` (ids, in that order) with the stored texts that the `keys`
    (kind, question pk, matrix row or None: see `BlockPlan`) read of their answers (item 0);
    `with_answers` also gives every answer, for the conditions.

    Dates are local and naive, to the second; with `dates_as_text` (a separator), they come as
    the ISO text `YYYY-MM-DD<separator>HH:MM:SS` that a text writer prints (the database
    formats them as it sends them: no date object is made and formatted again per row)."""
    if connection.vendor == "postgresql":
        yield from _postgresql_records(batch, keys, with_answers, dates_as_text)
        return
    records = _portable_records(batch, keys, with_answers, dates_as_text)
    by_pk = {record.pk: record for record in records}
    for pk in batch:
        if pk in by_pk:
            yield by_pk[pk]


def _postgresql_records(
    batch: list[int], keys: list[tuple], with_answers: bool, dates_as_text: str | None
) -> list[Record]:
    """The records of `batch`, in its order."""
    # The ids as one array literal: psycopg would adapt and check each of them in Python.
    ids = "{" + ",".join(map(str, batch)) + "}"
    params: dict[str, Any] = {"zone": timezone.get_current_timezone_name(), "ids": ids}

    def expression(key: tuple) -> str:
        kind, pk, row = key
        if kind == "other":
            return f"a.others -> '{int(pk)}'"
        if kind == "row":
            name = f"row{len(params)}"
            params[name] = row
            return f"a.o -> '{int(pk)}' -> %({name})s::text"
        return f"a.o -> '{int(pk)}'"

    stored = []
    for key in keys:
        if type(key[0]) is tuple:  # a group: its members' texts joined
            inner = ", ".join(expression(member) for member in key)
            stored.append(f"array_to_string(ARRAY[{inner}]::text[], %(inner)s, '')")
        else:
            stored.append(expression(key))
    params["separator"] = SEPARATOR
    params["inner"] = INNER_SEPARATOR
    if dates_as_text is None:
        date = "date_trunc('second', r.{} AT TIME ZONE %(zone)s)"
    else:
        # `to_char` copies a quoted text as it is; YYYY has at least four digits, as in Python.
        params["date_format"] = f'YYYY-MM-DD"{dates_as_text}"HH24:MI:SS'
        date = "to_char(r.{} AT TIME ZONE %(zone)s, %(date_format)s)"
    dates = ", ".join(date.format(name) for name in ("created_at", "submitted_at", "validated_at"))
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
        return [
            _record((*row[:12], [], _answers(row[13]) if with_answers else None)) for row in rows
        ]
    if not with_answers:
        return [_record((*row[:12], row[12].split(SEPARATOR), None)) for row in rows]
    return [_record((*row[:12], row[12].split(SEPARATOR), _answers(row[13]))) for row in rows]


def _answers(stored: str | None) -> dict:
    """{question pk: (value, "")} from the JSON object of a response's answers."""
    return {int(pk): (value, "") for pk, value in json.loads(stored or "{}").items()}


def _portable_records(
    batch: list[int], keys: list[tuple], with_answers: bool, dates_as_text: str | None
) -> list[Record]:
    own: dict[int, dict[int, tuple]] = {pk: {} for pk in batch}
    for response_id, question_id, value, other_text in Answer.objects.filter(
        response_id__in=batch, item=0
    ).values_list("response_id", "question_id", "value", "other_text"):
        own[response_id][question_id] = (value, other_text)
    records = []
    for fields in Response.objects.filter(pk__in=batch).values_list(*RESPONSE_FIELDS):
        answers = own[fields[0]]
        dates: list = [local_naive(value) for value in fields[2:5]]
        if dates_as_text is not None:
            dates = [date and date.isoformat(dates_as_text) for date in dates]
        fields = (*fields[:2], *dates, *fields[5:])
        parts = [stored_text(answers, key) for key in keys]
        records.append(_record((*fields, parts, answers if with_answers else None)))
    return records


def stored_text(answers: dict, key: tuple) -> str:
    """The JSON text that `key` (kind, question pk, matrix row) reads, MISSING when none; a
    group's key reads its members' joined by INNER_SEPARATOR."""
    if type(key[0]) is tuple:
        return INNER_SEPARATOR.join(stored_text(answers, member) for member in key)
    kind, pk, row = key
    if pk not in answers:
        return MISSING
    value, other = answers[pk]
    if kind == "other":
        return json.dumps(other) if other else MISSING
    if kind == "row":
        return json.dumps(value[row]) if isinstance(value, dict) and row in value else MISSING
    return json.dumps(value)
