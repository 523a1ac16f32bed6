"""The rounding of percentages is a rule of the edition (`rules.rounding`), checked on import."""

import pytest
import yaml

from surveys.definition import load_definition
from surveys.rules import DECIMALS_PUBLIC, DECIMALS_STAFF, Rounding, parse_rules
from tests.surveys.test_edition_rules import RULES, errors_of, line_of, source


def test_without_a_rounding_rule_public_figures_are_whole_and_staff_ones_have_one_decimal():
    assert parse_rules({}).rounding == Rounding(public=0, staff=1)
    assert (DECIMALS_PUBLIC, DECIMALS_STAFF) == (0, 1)


def test_a_declared_rounding_rule_is_loaded_and_read():
    text = source(RULES + "  rounding: {public: 1, staff: 2}\n")
    rules = load_definition("essai.yaml", text=text)["rules"]
    assert rules["rounding"] == {"public": 1, "staff": 2}
    assert parse_rules(rules).rounding == Rounding(public=1, staff=2)


def test_one_side_of_the_rule_keeps_the_other_default():
    text = source(RULES + "  rounding: {staff: 2}\n")
    rules = load_definition("essai.yaml", text=text)["rules"]
    assert parse_rules(rules).rounding == Rounding(public=0, staff=2)


@pytest.mark.parametrize("value", ["3", "-1", "1.5", "deux", "true"])
def test_decimals_outside_0_to_2_are_refused_with_the_line(value):
    text = source(RULES + f"  rounding: {{public: {value}}}\n")
    assert errors_of(text) == [
        f"essai.yaml, ligne {line_of(text, 'rounding')} : arrondi, « public » : un nombre de "
        f"décimales entre 0 et 2 (trouvé « {yaml.safe_load(value)} »)."
    ]


def test_an_unknown_rounding_key_is_refused():
    text = source(RULES + "  rounding: {analysts: 1}\n")
    assert errors_of(text) == [
        f"essai.yaml, ligne {line_of(text, 'rounding')} : l'arrondi : clé inconnue « analysts » "
        "(clés possibles : public, staff)."
    ]


def test_a_rounding_rule_that_is_not_a_mapping_is_refused():
    text = source(RULES + "  rounding: 1\n")
    assert errors_of(text) == [
        f"essai.yaml, ligne {line_of(text, 'rounding')} : « rounding » doit être un ensemble de "
        "clés (« clé: valeur »)."
    ]
