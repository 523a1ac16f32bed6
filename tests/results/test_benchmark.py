"""A collectivité's own answers next to its peers' figures: the peer group widens from the same
type and population bracket to the same type, then to every respondent, until it holds at least
5 other collectivités."""

import pytest
from django.core.cache import cache

from exports.results.benchmark import benchmark, peer_group
from respondents.models import Collectivite
from surveys.models import Edition, Response, Section
from tests.results.results_data import build_2021, collectivite, question, respond

pytestmark = pytest.mark.django_db


def spaced(text: str) -> str:
    """French numbers are grouped with a narrow no-break space: compare with plain spaces."""
    return text.replace("\u202f", " ").replace("\xa0", " ")


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


@pytest.fixture
def empty_edition():
    """An edition with two questions and nobody yet: each test brings its own respondents."""
    cache.clear()
    edition = Edition.objects.create(year=2021, title="Baromètre 2021", status="closed")
    section = Section.objects.create(edition=edition, code="a", title="Profil", order=1)
    question(edition, section, "service_dedie", "single", [("oui", "Oui"), ("non", "Non")], order=1)
    question(edition, section, "etp_participation", "decimal", order=2)
    return edition


def answering(edition, name, population, kind="commune", epci_type="", **options):
    coll = collectivite(name, population, "53", kind=kind, epci_type=epci_type)
    respond(edition, coll, {"service_dedie": "oui", "etp_participation": 2}, **options)
    return coll


def by_code(entries):
    return {e["code"]: e for e in entries}


def test_it_shows_own_answers_next_to_the_peers_figures(edition):
    result = benchmark(edition, Collectivite.objects.get(code="C1"))
    assert result["type"] == "Commune"
    assert result["group"].level == "tranche"
    assert result["peers"] == 14
    etp = by_code(result["questions"])["etp_participation"]
    assert etp["own"] == "0,5"
    # C2 1, C3 2.5 and ten times 2: mean 23.5 / 12, median 2.
    assert (etp["number"]["mean"], etp["number"]["median"]) == (1.96, 2.0)
    assert by_code(result["questions"])["service_dedie"]["own"] == "Oui"
    budget = by_code(result["questions"])["budget_participation"]
    assert budget["own"] == "500 €"
    assert budget["own_indicator"] == {
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


def test_a_large_collectivite_is_compared_with_every_respondent(edition):
    # C6 is the only métropole: the 17 other counted respondents (C8 is a draft) are its group.
    result = benchmark(edition, Collectivite.objects.get(code="C6"))
    assert result["group"].level == "all"
    assert result["peers"] == 17
    assert result["group"].description == ("comparée à l'ensemble des 17 collectivités répondantes")
    assert result["enough_peers"] is True
    assert by_code(result["questions"])["service_dedie"]["own"] == "Oui"


def test_six_peers_of_the_same_bracket_are_the_group(empty_edition):
    me = answering(empty_edition, "Moi", 20_000)
    for n in range(6):
        answering(empty_edition, f"Pair{n}", 10_000 + n * 1_000)
    answering(empty_edition, "Grande", 80_000)
    group = peer_group(empty_edition, me)
    assert (group.level, group.peers, group.widening) == ("tranche", 6, "")
    assert spaced(group.description) == "comparée à 6 communes de 10 000 à 50 000 habitants"


def test_three_peers_of_the_same_bracket_widen_the_group_to_the_type(empty_edition):
    me = answering(empty_edition, "Moi", 20_000)
    for n in range(3):
        answering(empty_edition, f"Pair{n}", 30_000)
    answering(empty_edition, "Brouillon", 30_000, status=Response.Status.DRAFT)
    answering(empty_edition, "Validee", 30_000, status=Response.Status.VALIDATED)
    answering(empty_edition, "Petite", 800)
    answering(empty_edition, "Grande", 80_000)
    answering(empty_edition, "Epci", 30_000, kind="epci", epci_type="CC")
    group = peer_group(empty_edition, me)
    # 4 of the bracket (the draft does not count), 6 communes: the type.
    assert (group.level, group.peers) == ("type", 6)
    assert group.description == "comparée à 6 communes"
    assert spaced(group.widening).startswith(
        "Moins de 5 autres communes de 10 000 à 50 000 habitants ont répondu"
    )


def test_two_communes_and_four_intercommunalites_widen_the_group_to_all(empty_edition):
    me = answering(empty_edition, "Moi", 20_000)
    answering(empty_edition, "Commune", 20_000)
    for n in range(4):
        answering(empty_edition, f"Epci{n}", 20_000, kind="epci", epci_type="CC")
    group = peer_group(empty_edition, me)
    assert (group.level, group.peers) == ("all", 5)
    assert group.description == "comparée à l'ensemble des 5 collectivités répondantes"
    assert group.widening.startswith("Moins de 5 autres communes ont répondu")


def test_with_three_respondents_in_all_no_peer_figure_is_shown(empty_edition):
    me = answering(empty_edition, "Moi", 20_000)
    answering(empty_edition, "Commune", 20_000)
    answering(empty_edition, "Epci", 20_000, kind="epci", epci_type="METRO")
    result = benchmark(empty_edition, me)
    assert result["enough_peers"] is False
    assert result["group"].level == "none"
    assert result["group"].description.startswith("Moins de 5 autres collectivités ont répondu")
    service = by_code(result["questions"])["service_dedie"]
    assert service["hidden"] is True and "choices" not in service
    assert service["own"] == "Oui"
    assert by_code(result["questions"])["etp_participation"]["own"] == "2"


def test_alone_it_still_sees_its_own_answers(empty_edition):
    me = answering(empty_edition, "Moi", None)  # population unknown: no bracket to try
    group = peer_group(empty_edition, me)
    assert (group.level, group.peers) == ("none", 0)
    assert by_code(benchmark(empty_edition, me)["questions"])["service_dedie"]["own"] == "Oui"


def test_there_is_no_benchmark_before_submitting(edition):
    assert benchmark(edition, Collectivite.objects.get(code="C8")) is None
