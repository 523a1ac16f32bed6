"""What an edition means beyond its questions, read from the `rules` of its definition file.

The barometer's rules belong to its editions, not to Python: the derived indicators (e.g. the
budget per inhabitant), the brackets in which the results group a number, the plausibility
warnings an agent confirms before sending, and how older scales are counted in trends. The
definition checker (`surveys.definition.checks`) validates them; this module only reads the
stored, valid rules (`Edition.rules`) and applies them. No question code is named here.

    indicators:  [{code, label, question, per: population, unit, decimals, threshold}]
    brackets:    {question or indicator code: [{code, label, from|above, below|upto}]}
    warnings:    [{code, question, when, message}]   `when` in the condition language, where
                 `precedent.<code>` is the same collectivité's answer in the previous edition
                 and a bound may be `<number> * <code>`; `{code}` in the message is replaced
                 by the formatted value
    trends:      {scale_mapping: {older choice code: today's choice code},
                  breaks: {question code: comparable | not_comparable}}   (changed this edition)
    rounding:    {public: decimals, staff: decimals}   of every percentage, half up (0 and 1
                 when absent)
    reporting:   {ranking code: {top: N, points: [points of rank 1, of rank 2, …]},
                  number code: {stats: [mean, median]}}   how a question is reported (top 3,
                 rank r earning ranks + 1 − r points, mean and median when absent)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from surveys.conditions import as_number as plain_number
from surveys.conditions import compile_condition
from surveys.validation import NSP, format_number

# The collectivité's attributes an indicator may be divided by.
PER_ATTRIBUTES = ("population",)
# Where the previous edition's answers are found in the values a warning reads.
PREVIOUS = "precedent"
PLACEHOLDER = re.compile(r"\{([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)?)\}")
# What staff said of a question changed in this edition, for trends.
COMPARABLE, NOT_COMPARABLE = "comparable", "not_comparable"
# Bracket bounds: the key and whether the bound belongs to the bracket.
LOWER_BOUNDS = {"from": True, "above": False}
UPPER_BOUNDS = {"below": False, "upto": True}
# Decimals of the percentages when the edition says nothing: whole on public pages and in the
# published figures, one decimal for staff and analysts.
DECIMALS_PUBLIC = 0
DECIMALS_STAFF = 1
# How a ranking is reported when the edition says nothing: the share of respondents who put an
# item in the first TOP_RANKS ranks, and a mean score where rank r earns (ranks + 1 − r) points.
TOP_RANKS = 3
# The statistics a number question may report, in the order they are shown.
NUMBER_STATS = ("mean", "median")


def as_number(value: Any) -> Decimal | None:
    """A stored answer as a number; None for `nsp`, an empty answer or anything else."""
    if type(value) is str:  # first: the common case
        return None if value == NSP else plain_number(value)
    if isinstance(value, list | dict):
        return None
    return plain_number(value)


@dataclass(frozen=True)
class Indicator:
    """A figure derived from an answer and the collectivité, never asked."""

    code: str
    label: str
    question: str
    per: str = "population"
    unit: str = ""
    decimals: int = 2
    # Results also give the share of respondents under this value (e.g. less than 1 €/hab.).
    threshold: Decimal | None = None

    def compute(self, value: Any, divisor: Any) -> Decimal | None:
        number, per = as_number(value), as_number(divisor)
        if number is None or not per:
            return None
        return (number / per).quantize(Decimal(1).scaleb(-self.decimals), ROUND_HALF_UP)


@dataclass(frozen=True)
class Bracket:
    code: str
    label: str
    lower: Decimal | None = None
    lower_included: bool = True
    upper: Decimal | None = None
    upper_included: bool = False

    def holds(self, value: Decimal) -> bool:
        if self.lower is not None and (
            value < self.lower or (value == self.lower and not self.lower_included)
        ):
            return False
        return self.upper is None or (
            value < self.upper or (value == self.upper and self.upper_included)
        )

    def sql(self, x: str) -> str:
        """The bracket as an SQL condition on the expression `x` (bounds are checked numbers)."""
        parts = []
        if self.lower is not None:
            parts.append(f"{x} {'>=' if self.lower_included else '>'} {self.lower}")
        if self.upper is not None:
            parts.append(f"{x} {'<=' if self.upper_included else '<'} {self.upper}")
        return " AND ".join(parts)


@dataclass(frozen=True)
class WarningRule:
    """An unusual answer the agent confirms before sending, shown beside `question`."""

    code: str
    question: str
    when: str
    message: str

    def message_for(self, values: Mapping[str, Any]) -> str:
        """The warning's message when its condition holds on `values`, else ""."""
        if not compile_condition(self.when).evaluate(values):
            return ""
        return PLACEHOLDER.sub(lambda match: _formatted(values, match.group(1)), self.message)


def _formatted(values: Mapping[str, Any], reference: str) -> str:
    code, _, key = reference.partition(".")
    value = values.get(code)
    if key:
        value = value.get(key) if isinstance(value, Mapping) else None
    number = as_number(value)
    if number is not None:
        return format_number(number)
    return "—" if value in (None, "") else str(value)


@dataclass(frozen=True)
class Rounding:
    """How many decimals a percentage keeps, rounded half up with `Decimal`."""

    public: int = DECIMALS_PUBLIC
    staff: int = DECIMALS_STAFF


@dataclass(frozen=True)
class Reporting:
    """How one question is reported; `None` leaves the default (see `reporting_of`)."""

    top: int | None = None
    points: tuple[int, ...] | None = None
    stats: tuple[str, ...] = NUMBER_STATS

    def top_of(self, ranks: int) -> int:
        """The ranks counted as the top, never more than the question's `ranks`."""
        return min(self.top if self.top is not None else TOP_RANKS, ranks)

    def points_of(self, ranks: int) -> tuple[int, ...]:
        """Points of ranks 1 to `ranks`: declared, or ranks + 1 − r (also when the declared
        list no longer fits the question, which the loader refuses)."""
        if self.points is not None and len(self.points) == ranks:
            return self.points
        return tuple(ranks + 1 - rank for rank in range(1, ranks + 1))


@dataclass(frozen=True)
class EditionRules:
    indicators: tuple[Indicator, ...] = ()
    brackets: dict[str, tuple[Bracket, ...]] = field(default_factory=dict)
    warnings: tuple[WarningRule, ...] = ()
    scale_mapping: dict[str, str] = field(default_factory=dict)
    trend_breaks: dict[str, str] = field(default_factory=dict)
    rounding: Rounding = Rounding()
    reporting: dict[str, Reporting] = field(default_factory=dict)

    def reporting_of(self, question_code: str) -> Reporting:
        """How the question is reported: declared in `reporting`, or the defaults."""
        return self.reporting.get(question_code, Reporting())

    @property
    def indicator_codes(self) -> tuple[str, ...]:
        return tuple(indicator.code for indicator in self.indicators)

    def indicators_of(self, question_code: str) -> list[Indicator]:
        return [i for i in self.indicators if i.question == question_code]

    @property
    def reads_previous_edition(self) -> bool:
        return any(f"{PREVIOUS}." in rule.when for rule in self.warnings)

    def indicator_values(self, answers: Mapping[str, Any], collectivite: Any) -> dict[str, Any]:
        """{indicator code: value or None} for answers {code: value} of a collectivité."""
        return {
            indicator.code: indicator.compute(
                answers.get(indicator.question), getattr(collectivite, indicator.per, None)
            )
            for indicator in self.indicators
        }

    def map_scale_code(self, code: str) -> str:
        return self.scale_mapping.get(code, code)


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def parse_rules(data: Mapping[str, Any] | None) -> EditionRules:
    """The rules of a stored definition (already checked), as objects."""
    data = data or {}
    indicators = tuple(
        Indicator(
            code=item["code"],
            label=item["label"],
            question=item["question"],
            per=item.get("per", "population"),
            unit=item.get("unit", ""),
            decimals=int(item.get("decimals", 2)),
            threshold=_decimal(item.get("threshold")),
        )
        for item in data.get("indicators", [])
    )
    brackets = {}
    for code, items in (data.get("brackets") or {}).items():
        parsed = []
        for item in items:
            lower_key = next((k for k in LOWER_BOUNDS if k in item), None)
            upper_key = next((k for k in UPPER_BOUNDS if k in item), None)
            parsed.append(
                Bracket(
                    code=item["code"],
                    label=item["label"],
                    lower=_decimal(item[lower_key]) if lower_key else None,
                    lower_included=LOWER_BOUNDS.get(lower_key or "from", True),
                    upper=_decimal(item[upper_key]) if upper_key else None,
                    upper_included=UPPER_BOUNDS.get(upper_key or "below", False),
                )
            )
        brackets[code] = tuple(parsed)
    warnings = tuple(
        WarningRule(item["code"], item["question"], item["when"], item["message"])
        for item in data.get("warnings", [])
    )
    trends = data.get("trends") or {}
    rounding = data.get("rounding") or {}
    reporting = {
        code: Reporting(
            top=int(item["top"]) if "top" in item else None,
            points=tuple(int(p) for p in item["points"]) if "points" in item else None,
            stats=tuple(item.get("stats", NUMBER_STATS)),
        )
        for code, item in (data.get("reporting") or {}).items()
    }
    return EditionRules(
        indicators,
        brackets,
        warnings,
        dict(trends.get("scale_mapping") or {}),
        dict(trends.get("breaks") or {}),
        Rounding(
            public=int(rounding.get("public", DECIMALS_PUBLIC)),
            staff=int(rounding.get("staff", DECIMALS_STAFF)),
        ),
        reporting,
    )


def rules_of(edition: Any) -> EditionRules:
    """The rules of an edition (its `rules` field, checked when the definition was loaded)."""
    return parse_rules(getattr(edition, "rules", None))
