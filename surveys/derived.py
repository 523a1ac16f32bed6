"""Variables derived from the collectivité, never asked (see the spec's "Derived" table)."""

from decimal import Decimal

from respondents.classification import tranche_population

DERIVED_CODES = (
    "type_collectivite",
    "population",
    "tranche_population",
    "region",
    "budget_par_habitant",
)


def budget_par_habitant(budget, population: int | None) -> Decimal | None:
    """`budget_participation / population` in €; None when the budget is nsp or empty."""
    if budget in (None, "", "nsp") or not population:
        return None
    return (Decimal(str(budget)) / Decimal(population)).quantize(Decimal("0.01"))


def derived_variables(collectivite, budget=None) -> dict:
    return {
        "type_collectivite": collectivite.type_collectivite,
        "population": collectivite.population,
        "tranche_population": tranche_population(collectivite.population),
        "region": collectivite.region_code or None,
        "budget_par_habitant": budget_par_habitant(budget, collectivite.population),
    }
