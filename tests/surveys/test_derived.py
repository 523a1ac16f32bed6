from decimal import Decimal

import pytest

from respondents.classification import tranche_population
from surveys.derived import budget_par_habitant, derived_variables


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


def test_budget_par_habitant_is_empty_for_nsp_or_no_budget():
    assert budget_par_habitant("nsp", 1000) is None
    assert budget_par_habitant(None, 1000) is None
    assert budget_par_habitant("1500", 0) is None
    assert budget_par_habitant("45000.00", 225081) == Decimal("0.20")


def test_a_metropole_is_derived_from_its_epci_type(metz_metropole, rennes):
    assert derived_variables(metz_metropole)["type_collectivite"] == "metropole"
    variables = derived_variables(rennes, budget="450162")
    assert variables == {
        "type_collectivite": "commune",
        "population": 225081,
        "tranche_population": "100k_500k",
        "region": "53",
        "budget_par_habitant": Decimal("2.00"),
    }
