from decimal import Decimal

import pytest

from respondents.classification import tranche_population
from surveys.derived import derived_variables
from tests.edition_rules import shipped


@pytest.mark.parametrize(
    ("population", "tranche"),
    [
        (0, "lt5k"),
        (4_999, "lt5k"),
        (5_000, "5k_10k"),
        (49_999, "10k_50k"),
        (100_000, "100k_500k"),
        (999_999, "500k_1m"),
        (1_000_000, "gt1m"),
        (None, None),
    ],
)
def test_tranche_population_follows_the_spec_bounds(population, tranche):
    assert tranche_population(population) == tranche


def test_the_budget_per_inhabitant_of_2021_is_empty_for_nsp_or_no_budget():
    (indicator,) = shipped(2021).indicators
    assert indicator.code == "budget_par_habitant"
    assert indicator.compute("nsp", 1000) is None
    assert indicator.compute(None, 1000) is None
    assert indicator.compute("1500", 0) is None
    assert indicator.compute("45000.00", 225081) == Decimal("0.20")


def test_an_indicator_rounds_half_up_to_its_decimals():
    (indicator,) = shipped(2021).indicators
    assert indicator.compute("1", 8) == Decimal("0.13")  # 0.125
    assert indicator.compute("5", 8) == Decimal("0.63")  # 0.625


def test_a_metropole_is_derived_from_its_epci_type(metz_metropole, rennes):
    assert derived_variables(metz_metropole)["type_collectivite"] == "metropole"
    assert derived_variables(rennes) == {
        "type_collectivite": "commune",
        "population": 225081,
        "tranche_population": "100k_500k",
        "region": "53",
    }
    assert shipped(2021).indicator_values({"budget_participation": "450162"}, rennes) == {
        "budget_par_habitant": Decimal("2.00")
    }
