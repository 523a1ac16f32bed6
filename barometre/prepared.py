"""Hot queries compiled once per process.

Django builds a queryset and compiles its SQL again on every evaluation. For the query that
every respondent page runs first (the access check: invitation, edition, collectivité and
contact joined, the link not revoked), building and compiling cost 1.5 ms of CPU, against
0.2 ms to execute it (bench/README.md, "Pages de l'agent").

`PreparedQuery` builds the queryset once per process, database connection and *shape* (how
many values each list holds), with stand-in values; it records where each value lands among
the SQL's parameters. Each call then runs that SQL with its own values and builds the objects
as the ORM does (`ModelIterable`: `select_related` objects, annotations, field converters).
When a shape cannot be prepared (a value that is not an integer, a stand-in that the SQL does
not carry exactly once), the call simply evaluates the queryset.

Django 5.2's compiler and `get_related_populators` are used as `ModelIterable` uses them;
`tests/barometre/test_prepared.py` compares every result with the queryset's own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

Value = int | Sequence[int]

# Stand-ins for the values: within every integer column's range (a value outside it lets the
# ORM drop the condition), and checked against each other (see `_prepare`).
_STAND_INS = range(32_767, 31_767, -1)
_OTHER_STAND_INS = range(30_767, 29_767, -1)


@dataclass(frozen=True)
class _Plan:
    sql: str
    slots: tuple[tuple[str, int | None] | None, ...]  # per parameter: (name, index) or None
    constants: tuple[Any, ...]
    compiler: Any
    model: type[Model]
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]
    annotations: dict[str, int]


class PreparedQuery:
    """`build(**values)` returns the queryset; `first(**values)` its first object, or None;
    `all(**values)` the list of its objects."""

    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build
        # Per thread (a connection and its compiler belong to one thread): the connection the
        # plans were made on, and per shape a plan, or None when the shape is not preparable.
        self._local = threading.local()
        self.compilations = 0  # how many shapes were prepared, in all threads (tests)

    def first(self, **values: Value) -> Any:
        objects = self._objects(values, one=True)
        return objects[0] if objects else None

    def all(self, **values: Value) -> list[Any]:
        return self._objects(values, one=False)

    def _objects(self, values: dict[str, Value], *, one: bool) -> list[Any]:
        shape = _shape(values)
        if shape is None:
            return self._unprepared(values, one)
        connection = connections[self._alias]
        if getattr(self._local, "connection", None) is not connection:
            self._local.connection, self._local.plans = connection, {}
        plans = self._local.plans
        key = (shape, one)
        if key not in plans:
            plans[key] = self._prepare(shape, one)
        plan = plans[key]
        params = _params(plan, values) if plan is not None else None
        if plan is None or params is None:
            return self._unprepared(values, one)
        return self._run(plan, connection, self._alias, params)

    def _unprepared(self, values: dict[str, Value], one: bool) -> list[Any]:
        """What the queryset itself gives: the answer whenever the SQL cannot be reused."""
        queryset = self._ordered(self._build(**values))
        return list(queryset[:1] if one else queryset)

    # -- preparing --

    # The database the querysets read (the project has one; a router would be asked by `db`).
    _alias = DEFAULT_DB_ALIAS

    @staticmethod
    def _ordered(queryset: QuerySet) -> QuerySet:
        return queryset if queryset.ordered else queryset.order_by("pk")

    def _prepare(self, shape: tuple, one: bool) -> _Plan | None:
        # Twice, with two sets of stand-ins: the SQL must be the same text, and the parameters
        # may differ only where a stand-in landed (never where the ORM dropped or changed one).
        first = self._compile(shape, _STAND_INS, one)
        second = self._compile(shape, _OTHER_STAND_INS, one)
        if first is None or second is None:
            return None
        queryset, compiler, sql, params, where = first
        _, _, other_sql, other_params, other = second
        if sql != other_sql or len(params) != len(other_params):
            return None
        slots: list[tuple[str, int | None] | None] = []
        for value, other_value in zip(params, other_params, strict=True):
            slot = where.get(value) if isinstance(value, int) else None
            if slot is None and value == other_value:
                slots.append(None)
            elif slot is not None and other.get(other_value) == slot:
                slots.append(slot)
            else:
                return None
        found = [slot for slot in slots if slot is not None]
        if len(found) != len(where) or len(set(found)) != len(found):
            return None
        klass_info = compiler.klass_info
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        self.compilations += 1
        return _Plan(
            sql=sql,
            slots=tuple(slots),
            constants=tuple(params),
            compiler=compiler,
            model=klass_info["model"],
            init_list=[f[0].target.attname for f in compiler.select[start:end]],
            start=start,
            end=end,
            # (django-stubs describes Django 6, whose signature adds `fetch_mode`)
            populators=get_related_populators(klass_info, compiler.select, queryset.db),  # type: ignore[call-arg]
            annotations=dict(compiler.annotation_col_map or {}),
        )

    def _compile(self, shape: tuple, stand_ins: range, one: bool) -> tuple | None:
        numbers = iter(stand_ins)
        values: dict[str, Value] = {}
        where: dict[int, tuple[str, int | None]] = {}
        for name, length in shape:
            if length is None:
                number = next(numbers)
                values[name], where[number] = number, (name, None)
            else:
                numbers_of_name = [next(numbers) for _ in range(length)]
                values[name] = numbers_of_name
                where.update({v: (name, i) for i, v in enumerate(numbers_of_name)})
        queryset = self._ordered(self._build(**values))
        if one:
            queryset = queryset[:1]
        if queryset.db != self._alias:
            return None
        compiler = queryset.query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # a condition that holds for no row: the queryset answers
            return None
        return queryset, compiler, sql, tuple(params), where

    # -- running --

    @staticmethod
    def _run(plan: _Plan, connection: Any, alias: str, params: list[Any]) -> list:
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, params)
            rows = cursor.fetchall()  # one row at most for `first`: its SQL ends in LIMIT 1
        objects = []
        for row in plan.compiler.results_iter([rows]) if rows else ():
            obj = plan.model.from_db(alias, plan.init_list, row[plan.start : plan.end])
            for populator in plan.populators:
                populator.populate(row, obj)
            for name, position in plan.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


# The integers a parameter's type holds (psycopg's Int2 for a small integer column, say; a plain
# int for an id): beyond them, the database would refuse the query, where the ORM answers "no
# row" without asking it. Such a value goes through the queryset.
_BOUNDS = {"Int2": 2**15, "Int4": 2**31}
_BIGINT = 2**63


def _params(plan: _Plan, values: dict[str, Value]) -> list[Any] | None:
    """The SQL's parameters for these values (each in its stand-in's type), or None when one is
    beyond what its column holds."""
    params = []
    for slot, constant in zip(plan.slots, plan.constants, strict=True):
        if slot is None:
            params.append(constant)
            continue
        name, index = slot
        value = values[name]
        number = value if index is None else value[index]  # type: ignore[index]
        bound = _BOUNDS.get(type(constant).__name__, _BIGINT)
        if not -bound <= number < bound:  # type: ignore[operator]
            return None
        params.append(type(constant)(number))
    return params


def _shape(values: dict[str, Value]) -> tuple | None:
    """(name, length or None) per value, or None when a value is not an integer (or a list of
    integers): such a call is not prepared."""
    shape: list[tuple[str, int | None]] = []
    if sum(len(v) if isinstance(v, list | tuple) else 1 for v in values.values()) > 100:
        return None  # more than the stand-ins; and a query so large is not a hot one
    for name, value in sorted(values.items()):
        if type(value) is int:
            shape.append((name, None))
        elif isinstance(value, list | tuple) and all(type(v) is int for v in value):
            shape.append((name, len(value)))
        else:
            return None
    return tuple(shape)
