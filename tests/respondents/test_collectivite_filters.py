"""The database filters by survey type and population bracket follow the Python rules."""

import pytest

from respondents.classification import TRANCHES_POPULATION, TYPES_COLLECTIVITE, tranche_population
from respondents.models import Collectivite

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_kind():
    rows = [
        ("commune", "", 0),
        ("commune", "", 4_999),
        ("commune", "", 5_000),
        ("commune", "", None),
        ("epci", "CC", 20_000),
        ("epci", "CA", 99_999),
        ("epci", "METRO", 500_000),
        ("epci", "MET69", 1_400_000),
        ("departement", "", 1_000_000),
        ("region", "", 3_000_000),
    ]
    return [
        Collectivite.objects.create(
            kind=kind, epci_type=epci_type, code=f"X{i}", name=f"X{i}", population=population
        )
        for i, (kind, epci_type, population) in enumerate(rows)
    ]


def test_type_filter_selects_what_type_collectivite_says(every_kind):
    for code in TYPES_COLLECTIVITE:
        selected = set(Collectivite.objects.filter(Collectivite.type_filter(code)))
        assert selected == {c for c in every_kind if c.type_collectivite == code}, code


def test_tranche_filter_selects_what_tranche_population_says(every_kind):
    for code, *_ in TRANCHES_POPULATION:
        selected = set(Collectivite.objects.filter(Collectivite.tranche_filter(code)))
        assert selected == {c for c in every_kind if tranche_population(c.population) == code}
    with pytest.raises(ValueError, match="Tranche de population inconnue"):
        Collectivite.tranche_filter("lt1k")
