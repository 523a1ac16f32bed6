import pytest
from django.urls import reverse

from respondents.models import Collectivite, PostalCode
from respondents.services.search import search_collectivites

pytestmark = pytest.mark.django_db


@pytest.fixture
def referential(rennes, metz_metropole):
    for code, name, population in [
        ("35288", "Saint-Malo", 47000),
        ("35051", "Cesson-Sévigné", 18000),
        ("69123", "Lyon", 520000),
    ]:
        Collectivite.objects.create(kind="commune", code=code, name=name, population=population)
    Collectivite.objects.create(
        kind="epci",
        code="200046977",
        siren="200046977",
        name="Métropole de Lyon",
        epci_type="MET69",
        population=1400000,
    )
    Collectivite.objects.create(
        kind="commune", code="35999", name="Rennes-la-Disparue", population=10, is_active=False
    )
    PostalCode.objects.bulk_create(
        [PostalCode(collectivite=rennes, code=code) for code in rennes.postcodes]
    )


def _names(query, **options):
    return [c.name for c in search_collectivites(query, **options)]


def test_names_match_without_accents_case_or_punctuation(referential):
    assert _names("cesson sevigne") == ["Cesson-Sévigné"]
    assert _names("CESSON-SÉVIGNÉ") == ["Cesson-Sévigné"]
    assert _names("saint malo") == ["Saint-Malo"]


def test_a_later_word_matches_after_name_prefixes_biggest_first(referential):
    assert _names("lyon") == ["Lyon", "Métropole de Lyon"]
    assert _names("metro")[0] == "Métropole de Lyon"


def test_codes_siren_and_postcodes_find_their_collectivite(referential):
    assert _names("35238") == ["Rennes"]
    assert _names("35 200") == ["Rennes"]
    assert _names("213502388") == ["Rennes"]
    assert _names("200039865") == ["Metz Métropole"]


def test_inactive_collectivites_are_left_out_unless_asked(referential):
    assert _names("rennes") == ["Rennes"]
    assert _names("rennes", include_inactive=True) == ["Rennes", "Rennes-la-Disparue"]
    assert _names("") == []


def test_the_json_endpoint_serves_autocomplete(client, referential):
    data = client.get(reverse("access:collectivite-search"), {"q": "saint"}).json()
    assert [r["name"] for r in data["results"]] == ["Saint-Malo"]
    assert data["results"][0]["kind"] == "Commune"
