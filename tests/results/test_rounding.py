from decimal import Decimal

from exports.results.rounding import percent, round_half_up


def test_halves_are_rounded_up_to_whole_percentages():
    assert round_half_up(62.5, 0) == Decimal("63")
    assert round_half_up(12.5, 0) == Decimal("13")


def test_halves_are_rounded_up_to_one_decimal():
    assert round_half_up(6.25, 1) == Decimal("6.3")


def test_a_percentage_is_computed_then_rounded_half_up():
    assert percent(1, 16, 1) == Decimal("6.3")
    assert percent(15, 24, 0) == Decimal("63")
    assert percent(1, 8, 0) == Decimal("13")


def test_an_empty_base_gives_no_percentage():
    assert percent(3, 0, 1) is None
