"""A collectivité's own answers next to its peers' figures (same type and size)."""

import pytest
from django.core.cache import cache

from exports.results.benchmark import benchmark
from respondents.models import Collectivite
from tests.results.results_data import build_2021, collectivite, respond

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition():
    cache.clear()
    edition = build_2021()
    # Ten more small communes: C1's peers are C2, C3, C7, C9 and these (C1 left out).
    for n in range(11, 21):
        respond(
            edition,
            collectivite(f"C{n}", 2500, "53"),
            {
                "service_dedie": "non",
                "dispositifs_existants": ["budget_participatif"],
                "etp_participation": 2,
            },
        )
    return edition


def by_code(entries):
    return {e["code"]: e for e in entries}


def test_it_shows_own_answers_next_to_the_peers_figures(edition):
    result = benchmark(edition, Collectivite.objects.get(code="C1"))
    assert result["type"] == "Commune"
    assert result["tranche"] == "Moins de 5 000"
    assert result["peers"] == 14
    etp = by_code(result["questions"])["etp_participation"]
    assert etp["own"] == "0.5"
    # C2 1, C3 2.5 and ten times 2: mean 23.5 / 12, median 2.
    assert (etp["number"]["mean"], etp["number"]["median"]) == (1.96, 2.0)
    assert by_code(result["questions"])["service_dedie"]["own"] == "Oui"
    own = by_code(result["questions"])["budget_participation"]["own_indicator"]
    assert own == {
        "label": "Budget de la participation par habitant",
        "unit": "€/hab.",
        "decimals": 2,
        "value": 0.5,
    }


def test_small_cells_of_the_peer_group_are_hidden(edition):
    result = benchmark(edition, Collectivite.objects.get(code="C1"))
    service = by_code(result["questions"])["service_dedie"]
    # Among the 13 peers who answered, 2 said oui: hidden, and non with it.
    assert {c["code"]: c["count"] for c in service["choices"]} == {"oui": None, "non": None}
    assert "Mission participation" not in str(result)


def test_a_collectivite_without_enough_peers_sees_only_its_own_answers(edition):
    result = benchmark(edition, Collectivite.objects.get(code="C6"))
    assert result["enough_peers"] is False
    assert all(q.get("hidden") for q in result["questions"])
    assert by_code(result["questions"])["service_dedie"]["own"] == "Oui"


def test_there_is_no_benchmark_before_submitting(edition):
    assert benchmark(edition, Collectivite.objects.get(code="C8")) is None
