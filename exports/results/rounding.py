"""Percentages rounded half up (62.5 → 63), never with binary `round` (which gives 62)."""

from decimal import ROUND_HALF_UP, Decimal

# The defaults; an edition sets its own in `rules.rounding` (surveys.rules.Rounding).
from surveys.rules import DECIMALS_PUBLIC, DECIMALS_STAFF

__all__ = ["DECIMALS_PUBLIC", "DECIMALS_STAFF", "percent", "round_half_up"]


def percent(part: int, base: int, decimals: int = DECIMALS_STAFF) -> Decimal | None:
    """100 × part / base rounded half up to `decimals` places; None when the base is empty."""
    if not base:
        return None
    exact = Decimal(100) * Decimal(part) / Decimal(base)
    return exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def round_half_up(value: Decimal | float | int, decimals: int = DECIMALS_PUBLIC) -> Decimal:
    """A computed percentage rounded half up, from its decimal text, not its binary value."""
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
