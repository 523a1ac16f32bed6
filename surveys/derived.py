"""Variables of the collectivité, never asked: its type, population, bracket and région.

Conditions read them beside the answers (`type_collectivite in [commune, intercommunalite]`).
Figures derived from an answer (the budget per inhabitant…) are an edition's indicators, declared
in its definition file (`surveys.rules`).
"""

from respondents.classification import tranche_population

DERIVED_CODES = (
    "type_collectivite",
    "population",
    "tranche_population",
    "region",
)


def derived_variables(collectivite) -> dict:
    return {
        "type_collectivite": collectivite.type_collectivite,
        "population": collectivite.population,
        "tranche_population": tranche_population(collectivite.population),
        "region": collectivite.region_code or None,
    }
