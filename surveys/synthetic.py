"""Valid synthetic responses for any edition, for the demo, the tests and the benchmarks.

Every generated answer is what `clean_answer` would store (types, bounds, step, exclusive
choices, *other* with its précisez text, top-N rankings, full matrices, rosters within their
bounds) and respects the conditions of sections, questions and choices for its collectivité.

Respondents are active collectivités of the referential, in a realistic mix (mostly communes,
then intercommunalités, départements, métropoles and régions; bigger ones answer more often). When
the referential is too small, synthetic collectivités are created, clearly marked: code `SYN00042`,
name "Collectivité fictive 00042". Synthetic responses carry `Response.is_synthetic`; seeding an
edition again replaces its synthetic responses and never touches real ones.

Speed: the questionnaire is compiled once, responses are inserted with bulk_create and their
answers with COPY on PostgreSQL (bulk_create elsewhere), a chunk of respondents at a time.
"""

from __future__ import annotations

import json
import math
import random
import time
from bisect import bisect
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from respondents.models import Collectivite, normalise_name
from respondents.regions import REGIONS
from surveys.conditions import Condition, compile_condition
from surveys.derived import derived_variables
from surveys.hooks import responses_loaded
from surveys.models import Answer, Edition, Question, Response
from surveys.rules import Indicator, rules_of
from surveys.validation import NSP, canonical_decimal

SYNTHETIC_PREFIX = "SYN"
CHUNK = 2000
# Share of respondents of each type, as in the Baromètre's past waves (mostly communes).
TYPE_MIX = {
    "commune": 0.62,
    "intercommunalite": 0.20,
    "metropole": 0.03,
    "departement": 0.10,
    "region": 0.05,
}
# Share of each status with --status mixed.
STATUS_MIX = {
    Response.Status.DRAFT: 0.25,
    Response.Status.SUBMITTED: 0.60,
    Response.Status.VALIDATED: 0.15,
}
SKIP_OPTIONAL = 0.04  # an optional question left blank
RARE_CODES = {NSP}  # picked less often than the other choices, like those asking for details
# How many choices a multiple answer picks: 1 to 5, two or three most often.
MULTIPLE_COUNTS = (1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 4, 4, 5)

WORDS = (
    "participation citoyenne démocratie locale concertation quartier budget projet plateforme "
    "consultation habitants jeunesse mobilité urbanisme environnement numérique atelier conseil "
    "débat transition solidarité culture proximité innovation dialogue territoire"
).split()


@dataclass
class _Choice:
    code: str
    exclusive: bool
    other: bool
    condition: Condition | None
    weight: float


class _Pool:
    """Choices with their cumulative weights, for fast weighted draws."""

    __slots__ = ("choices", "cum", "total", "exclusive", "others")

    def __init__(self, choices: list[_Choice], *, split: bool = True):
        self.choices = choices
        self.cum = list(accumulate(choice.weight for choice in choices))
        self.total = self.cum[-1] if self.cum else 0.0
        if split:
            self.exclusive = [choice for choice in choices if choice.exclusive]
            self.others = _Pool([c for c in choices if not c.exclusive], split=False)

    def draw(self, rng: random.Random) -> _Choice:
        index = bisect(self.cum, rng.random() * self.total)
        return self.choices[min(index, len(self.choices) - 1)]


@dataclass
class _Question:
    """What the generator needs of a question, read once from the database."""

    id: int
    code: str
    type: str
    required: bool
    section_index: int
    conditions: list[Condition]  # section, (roster,) question
    choices: list[_Choice] = field(default_factory=list)
    rows: list[str] = field(default_factory=list)
    low: Decimal | None = None
    high: Decimal | None = None
    step: Decimal | None = None
    allow_nsp: bool = False
    rank_count: int | None = None
    min_items: int = 0
    max_items: int | None = None
    items: list[_Question] = field(default_factory=list)
    # The edition's indicators computed from this answer (e.g. the budget per inhabitant).
    indicators: tuple[Indicator, ...] = ()
    _pools: dict[tuple[str, ...], _Pool] = field(default_factory=dict)

    conditional_choices: bool = False

    def __post_init__(self):
        self.conditional_choices = any(c.condition is not None for c in self.choices)

    def visible(self, values: Mapping[str, Any]) -> bool:
        for condition in self.conditions:
            if not condition.evaluate(values):
                return False
        return True

    def pool(self, values: Mapping[str, Any]) -> _Pool:
        """The choices shown for these values (pools cached by the set of shown codes)."""
        if not self.conditional_choices:
            return self._pools.get(()) or self._pools.setdefault((), _Pool(self.choices))
        shown = tuple(
            c.code for c in self.choices if c.condition is None or c.condition.evaluate(values)
        )
        pool = self._pools.get(shown)
        if pool is None:
            codes = set(shown)
            pool = self._pools[shown] = _Pool([c for c in self.choices if c.code in codes])
        return pool


def _condition(expr: str) -> Condition | None:
    condition = compile_condition(expr or "")
    return None if condition.is_always_true else condition


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def compile_questionnaire(edition: Edition) -> list[_Question]:
    """The edition's questions outside rosters, in order, each roster holding its item questions."""
    sections = list(edition.sections.order_by("order", "pk"))
    section_index = {section.pk: index for index, section in enumerate(sections)}
    section_condition = {section.pk: _condition(section.condition) for section in sections}
    questions = list(
        edition.questions.prefetch_related("choices", "rows").order_by(
            "section__order", "section_id", "order", "pk"
        )
    )
    compiled: dict[int, _Question] = {}
    rules = rules_of(edition)
    for question in questions:
        conditions = [section_condition[question.section_id], _condition(question.condition)]
        choices = [
            _Choice(
                choice.code,
                choice.exclusive,
                choice.other,
                _condition(choice.condition),
                0.3 if choice.code in RARE_CODES or choice.other else 1.0,
            )
            for choice in question.choices.all()
        ]
        compiled[question.pk] = _Question(
            id=question.pk,
            code=question.code,
            type=question.type,
            required=question.required,
            section_index=section_index[question.section_id],
            conditions=[c for c in conditions if c is not None],
            choices=choices,
            rows=[row.code for row in question.rows.all()],
            low=_decimal(question.min_value),
            high=_decimal(question.max_value),
            step=_decimal(question.step) or None,
            allow_nsp=question.allow_nsp,
            rank_count=question.rank_count,
            min_items=question.min_items or 0,
            max_items=question.max_items,
            indicators=tuple(rules.indicators_of(question.code)),
        )
    top = []
    for question in questions:
        plan = compiled[question.pk]
        if question.roster_id is None:
            top.append(plan)
        else:
            compiled[question.roster_id].items.append(plan)
    return top


# --- values ---


class _Generator:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def words(self, low: int, high: int) -> str:
        return " ".join(self.rng.choices(WORDS, k=self.rng.randint(low, high))).capitalize()

    def other_text(self) -> str:
        return f"Précision fictive : {self.words(2, 5).lower()}"

    def number(self, q: _Question) -> Decimal:
        rng = self.rng
        is_money = q.type == Question.Type.MONEY
        low = q.low if q.low is not None else Decimal(0)
        if is_money:
            low = max(low, Decimal(0))
        default_span = {"integer": 100, "decimal": 20, "money": 2_000_000}[q.type]
        high = q.high if q.high is not None else low + default_span
        if high - low <= default_span:
            value = low + (high - low) * Decimal(rng.random())
        else:
            # Wide bounds (0–10 000 ETP, any amount): log-uniform within a realistic span.
            top = min(high, low + default_span)
            floor = max(low, Decimal(1) if is_money else Decimal("0.1"))
            value = Decimal(math.exp(rng.uniform(math.log(floor), math.log(top))))
            if rng.random() < 0.05:
                value = low
        if q.step:
            value = low + q.step * int((value - low) / q.step)
        elif q.type == Question.Type.INTEGER:
            value = Decimal(int(value))
        elif is_money:
            value = value.quantize(Decimal(100) if value > 1000 else Decimal(1))
        else:
            value = value.quantize(Decimal("0.01"))
        return min(max(value, low), high)

    def answer(self, q: _Question, values: Mapping[str, Any]) -> tuple[Any, Decimal | None, str]:
        """(value, number, other_text) for a visible question, or (None, …) when it has none."""
        rng = self.rng
        kind = q.type
        if kind == Question.Type.SINGLE:
            pool = q.pool(values)
            if not pool.choices:
                return None, None, ""
            choice = pool.draw(rng)
            return choice.code, None, self.other_text() if choice.other else ""
        if kind == Question.Type.MULTIPLE:
            pool = q.pool(values)
            others = pool.others
            if not pool.choices:
                return None, None, ""
            if pool.exclusive and (not others.choices or rng.random() < 0.12):
                picked = [rng.choice(pool.exclusive)]
            else:
                count = min(len(others.choices), MULTIPLE_COUNTS[int(rng.random() * 13)])
                picked_codes: set[str] = set()
                while len(picked_codes) < count:
                    picked_codes.add(others.draw(rng).code)
                picked = [c for c in others.choices if c.code in picked_codes]
            text = self.other_text() if any(c.other for c in picked) else ""
            return [c.code for c in picked], None, text
        if kind == Question.Type.MATRIX:
            pool = q.pool(values)
            if not pool.choices or not q.rows:
                return None, None, ""
            return {row: pool.draw(rng).code for row in q.rows}, None, ""
        if kind == Question.Type.RANKING:
            items = [c.code for c in q.pool(values).choices]
            count = q.rank_count or len(items)
            if not items or count > len(items):
                return None, None, ""
            ranked = rng.sample(items, count)
            ranks = {code: rank for rank, code in enumerate(ranked, start=1)}
            return {code: ranks[code] for code in items if code in ranks}, None, ""
        if kind in Question.NUMBER_TYPES:
            if q.allow_nsp and rng.random() < 0.08:
                return NSP, None, ""
            number = self.number(q)
            if kind == Question.Type.INTEGER:
                return int(number), Decimal(int(number)), ""
            text = canonical_decimal(number)
            return text, Decimal(text), ""
        if kind == Question.Type.TEXT:
            return self.words(2, 6), None, ""
        if kind == Question.Type.LONGTEXT:
            sentences = [self.words(6, 14) + "." for _ in range(rng.randint(1, 4))]
            return " ".join(sentences), None, ""
        raise ValueError(f"type de question inconnu : {kind}")


# A row of Answer: (question_id, item, value, number, other_text)
AnswerRow = tuple[int, int, Any, Decimal | None, str]


def generate_answers(
    questionnaire: list[_Question],
    collectivite,
    rng: random.Random,
    *,
    last_section: int | None = None,
) -> list[AnswerRow]:
    """The answers of one respondent; `last_section` stops a draft after that section."""
    generator = _Generator(rng)
    values: dict[str, Any] = derived_variables(collectivite)
    rows: list[AnswerRow] = []
    for q in questionnaire:
        if last_section is not None and q.section_index > last_section:
            break
        if not q.visible(values):
            continue
        if not q.required and rng.random() < SKIP_OPTIONAL:
            continue
        if q.type == Question.Type.ROSTER:
            high = q.max_items if q.max_items is not None else q.min_items + 4
            count = rng.randint(q.min_items, min(high, q.min_items + 4))
            rows.append((q.id, 0, count, Decimal(count), ""))
            values[q.code] = count
            for item in range(1, count + 1):
                item_values: dict[str, Any] = dict(values)
                for iq in q.items:
                    if not iq.visible(item_values):
                        continue
                    if not iq.required and rng.random() < SKIP_OPTIONAL:
                        continue
                    value, number, other = generator.answer(iq, item_values)
                    if value is not None:
                        item_values[iq.code] = value
                        rows.append((iq.id, item, value, number, other))
            continue
        value, number, other = generator.answer(q, values)
        if value is None:
            continue
        values[q.code] = value
        rows.append((q.id, 0, value, number, other))
        for indicator in q.indicators:
            values[indicator.code] = indicator.compute(value, collectivite.population)
    return rows


# --- respondents ---


@dataclass(frozen=True)
class Respondent:
    """The few fields of a collectivité that derived variables read."""

    id: int
    type_collectivite: str
    population: int | None
    region_code: str


def load_respondents(queryset) -> list[Respondent]:
    fields = ("id", "kind", "epci_type", "population", "region_code")
    types: dict[tuple[str, str], str] = {}
    respondents = []
    for pk, kind, epci_type, population, region in queryset.values_list(*fields):
        kind_type = types.get((kind, epci_type))
        if kind_type is None:
            collectivite = Collectivite(kind=kind, epci_type=epci_type)
            kind_type = types[(kind, epci_type)] = collectivite.type_collectivite
        respondents.append(Respondent(pk, kind_type, population, region))
    return respondents


def _weighted_sample(items: list[Respondent], count: int, rng: random.Random) -> list[Respondent]:
    """`count` items without replacement, bigger collectivités more likely (Efraimidis–Spirakis)."""
    if count >= len(items):
        return list(items)
    keyed = [
        (rng.random() ** (1.0 / math.log((item.population or 1000) + 10)), item) for item in items
    ]
    keyed.sort(key=lambda pair: pair[0], reverse=True)
    return [item for _, item in keyed[:count]]


def _create_synthetic_collectivites(count: int, rng: random.Random) -> list[Respondent]:
    synthetic = Collectivite.objects.filter(code__startswith=SYNTHETIC_PREFIX).order_by("code")
    existing = load_respondents(synthetic[:count])
    missing = count - len(existing)
    if missing > 0:
        taken = set(synthetic.values_list("code", flat=True))
        new: list[Collectivite] = []
        number = 0
        regions = list(REGIONS)
        while len(new) < missing:
            number += 1
            code = f"{SYNTHETIC_PREFIX}{number:05d}"
            if code in taken:
                continue
            name = f"Collectivité fictive {number:05d}"
            new.append(
                Collectivite(
                    kind=Collectivite.Kind.COMMUNE,
                    code=code,
                    name=name,
                    search_name=normalise_name(name),
                    population=int(math.exp(rng.uniform(math.log(150), math.log(150_000)))),
                    region_code=rng.choice(regions),
                )
            )
        Collectivite.objects.bulk_create(new, batch_size=CHUNK)
        existing = load_respondents(synthetic[:count])
    return existing


def pick_respondents(edition: Edition, count: int, rng: random.Random) -> list[Respondent]:
    """`count` distinct collectivités without a real response to the edition, in a realistic mix."""
    answered = Response.objects.filter(edition=edition, is_synthetic=False).values("collectivite")
    pool = load_respondents(
        Collectivite.objects.filter(is_active=True)
        .exclude(code__startswith=SYNTHETIC_PREFIX)
        .exclude(pk__in=answered)
        .order_by("pk")
    )
    by_type: dict[str, list[Respondent]] = {kind: [] for kind in TYPE_MIX}
    for respondent in pool:
        by_type.setdefault(respondent.type_collectivite, []).append(respondent)
    chosen: list[Respondent] = []
    for kind, share in TYPE_MIX.items():
        chosen += _weighted_sample(by_type[kind], round(count * share), rng)
    chosen = chosen[:count]
    if len(chosen) < count:
        taken = {respondent.id for respondent in chosen}
        rest = [respondent for respondent in pool if respondent.id not in taken]
        chosen += _weighted_sample(rest, count - len(chosen), rng)
    if len(chosen) < count:
        chosen += _create_synthetic_collectivites(count - len(chosen), rng)
    rng.shuffle(chosen)
    return chosen


# --- insertion ---


def _copy_answers(rows: list[tuple]) -> None:
    table = Answer._meta.db_table
    columns = "response_id, question_id, item, value, number, other_text, updated_at"
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608
            for row in rows:
                copy.write_row(row)


def _insert_answers(rows: list[tuple], now) -> None:
    if connection.vendor == "postgresql":
        _copy_answers(
            [
                (response_id, question_id, item, json.dumps(value), number, other, now)
                for response_id, question_id, item, value, number, other in rows
            ]
        )
        return
    Answer.objects.bulk_create(
        [
            Answer(
                response_id=response_id,
                question_id=question_id,
                item=item,
                value=value,
                number=number,
                other_text=other,
            )
            for response_id, question_id, item, value, number, other in rows
        ],
        batch_size=CHUNK,
    )


def delete_synthetic_responses(edition: Edition) -> int:
    synthetic = Response.objects.filter(edition=edition, is_synthetic=True)
    Answer.objects.filter(response__in=synthetic.values("pk")).delete()
    deleted, _ = synthetic.delete()
    return deleted


def _statuses(status: str) -> tuple[list[str], list[float]]:
    if status == "mixed":
        return list(STATUS_MIX), list(STATUS_MIX.values())
    return [status], [1.0]


@dataclass
class SeedResult:
    responses: int
    answers: int
    created_collectivites: int
    # Seconds spent in each phase, for benchmarks.
    timings: dict[str, float] = field(default_factory=dict)


class _Stopwatch:
    def __init__(self):
        self.timings: dict[str, float] = defaultdict(float)
        self.last = time.monotonic()

    def lap(self, phase: str) -> None:
        now = time.monotonic()
        self.timings[phase] += now - self.last
        self.last = now


def seed_responses(
    edition: Edition,
    count: int,
    *,
    seed: int | None = None,
    status: str = Response.Status.SUBMITTED,
    progress: Callable[[int], None] | None = None,
) -> SeedResult:
    """Replace the edition's synthetic responses with `count` new ones; real ones are kept.

    All or nothing: one transaction.
    """
    rng = random.Random(seed)
    watch = _Stopwatch()
    with transaction.atomic():
        delete_synthetic_responses(edition)
        watch.lap("suppression")
        questionnaire = compile_questionnaire(edition)
        synthetic_before = Collectivite.objects.filter(code__startswith=SYNTHETIC_PREFIX).count()
        respondents = pick_respondents(edition, count, rng)
        created = Collectivite.objects.filter(code__startswith=SYNTHETIC_PREFIX).count()
        watch.lap("collectivités")
        statuses, weights = _statuses(status)
        sections = 1 + max((q.section_index for q in questionnaire), default=0)
        now = timezone.now()
        total_answers = 0
        for start, chunk in _chunks(respondents, CHUNK):
            responses = []
            for respondent in chunk:
                state = rng.choices(statuses, weights)[0]
                submitted = None
                if state != Response.Status.DRAFT:
                    submitted = now - timedelta(minutes=rng.randint(60, 60 * 24 * 60))
                responses.append(
                    Response(
                        edition=edition,
                        collectivite_id=respondent.id,
                        status=state,
                        version=rng.randint(1, 12),
                        submitted_at=submitted,
                        validated_at=now if state == Response.Status.VALIDATED else None,
                        is_synthetic=True,
                    )
                )
            Response.objects.bulk_create(responses, batch_size=CHUNK)
            watch.lap("insertion")
            rows = []
            for response, respondent in zip(responses, chunk, strict=True):
                draft = response.status == Response.Status.DRAFT
                last = rng.randrange(sections) if draft else None
                for question_id, item, value, number, other in generate_answers(
                    questionnaire, respondent, rng, last_section=last
                ):
                    rows.append((response.pk, question_id, item, value, number, other))
            watch.lap("génération")
            _insert_answers(rows, now)
            watch.lap("insertion")
            total_answers += len(rows)
            if progress:
                progress(start + len(chunk))
        if connection.vendor == "postgresql":
            # Fresh statistics, so that the next queries on a million new rows are planned well.
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {Response._meta.db_table}, {Answer._meta.db_table}")
            watch.lap("insertion")
        responses_loaded.send(sender=Edition, edition=edition)
        watch.lap("comptages des résultats")
    watch.lap("commit")
    return SeedResult(
        len(respondents), total_answers, created - synthetic_before, dict(watch.timings)
    )


def _chunks(items: list, size: int) -> Iterator[tuple[int, list]]:
    for start in range(0, len(items), size):
        yield start, items[start : start + size]
