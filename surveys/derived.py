"""Variables derived from the collectivité, never asked (see the spec's "Derived" table)."""

from decimal import Decimal

# (code, label, lower bound inclusive, upper bound exclusive)
TRANCHES_POPULATION = [
    ("lt5k", "Moins de 5 000", 0, 5_000),
    ("5k_10k", "De 5 000 à 10 000", 5_000, 10_000),
    ("10k_50k", "De 10 000 à 50 000", 10_000, 50_000),
    ("50k_100k", "De 50 000 à 100 000", 50_000, 100_000),
    ("100k_500k", "De 100 000 à 500 000", 100_000, 500_000),
    ("500k_1m", "De 500 000 à 1 million", 500_000, 1_000_000),
    ("gt1m", "Plus d'un million", 1_000_000, None),
]
TRANCHE_LABELS = {code: label for code, label, _, _ in TRANCHES_POPULATION}

TYPES_COLLECTIVITE = {
    "commune": "Commune",
    "intercommunalite": "Intercommunalité",
    "metropole": "Métropole",
    "departement": "Département",
    "region": "Région",
}

DERIVED_CODES = (
    "type_collectivite",
    "population",
    "tranche_population",
    "region",
    "budget_par_habitant",
)


def tranche_population(population: int | None) -> str | None:
    if population is None:
        return None
    for code, _label, low, high in TRANCHES_POPULATION:
        if population >= low and (high is None or population < high):
            return code
    return None


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
