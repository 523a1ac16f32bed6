"""One reading of a number for conditions, rules and their checks."""

from decimal import Decimal

import pytest

from surveys.conditions import as_number
from surveys.rules import as_number as answer_number


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", Decimal("12")),
        (" -3.5 ", Decimal("-3.5")),
        (7, Decimal("7")),
        (2.5, Decimal("2.5")),
        (Decimal("0.10"), Decimal("0.10")),
        ("NaN", None),
        ("Infinity", None),
        ("1e3", None),
        ("12,5", None),
        ("", None),
        (True, None),
        (None, None),
    ],
)
def test_a_number_is_read_plainly_or_not_at_all(value, expected):
    assert as_number(value) == expected


def test_a_stored_answer_of_ne_sait_pas_or_a_list_is_no_number():
    assert answer_number("nsp") is None
    assert answer_number(["12"]) is None
    assert answer_number({"a": "1"}) is None
    assert answer_number("12500.5") == Decimal("12500.5")
