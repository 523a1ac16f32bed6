"""Who answered against the whole referential, and raking weights to its margins.

The hand-built case: the referential holds 8 communes (< 5 000 inhabitants), 2 communautés de
communes (10 000 to 50 000) and 1 département (500 000 to 1 million), all in Bretagne, plus one
inactive commune that never counts. 2 communes and 2 communautés answered (and a draft that never
counts). Raking to the referential's margins without the département (nobody answered there):
communes 8/10 of 4 = 3.2, so a weight of 1.6; communautés 0.8, a weight of 0.4. Two of the three
« oui » come from communautés: unweighted 3/4 = 75 %, weighted (1.6 + 2 × 0.4) / 4 = 60 %.
"""

import openpyxl
import pytest
from django.core.cache import cache
from django.urls import reverse

from exports.results.representativeness import (
    cells,
    rake,
    representativeness,
    weighted_choices,
)
from exports.services.jobs import export_responses
from respondents.models import Collectivite
from respondents.signals import referential_changed
from surveys.models import Edition, Response, Section
from tests.results.results_data import collectivite, question, respond

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


@pytest.fixture
def edition():
    edition = Edition.objects.create(year=2024, title="Baromètre 2024", status="closed")
    section = Section.objects.create(edition=edition, code="a", title="Profil", order=1)
    question(edition, section, "service_dedie", "single", [("oui", "Oui"), ("non", "Non")])
    return edition


def referential():
    communes = [collectivite(f"C{n}", 1000 + n, "53") for n in range(1, 9)]
    epcis = [collectivite(f"E{n}", 20000, "53", kind="epci", epci_type="CC") for n in (1, 2)]
    collectivite("D35", 600000, "53", kind="departement")
    gone = collectivite("C99", 900, "53")
    gone.is_active = False
    gone.save()
    return communes, epcis


@pytest.fixture
def answered(edition):
    communes, epcis = referential()
    respond(edition, communes[0], {"service_dedie": "oui"})
    respond(edition, communes[1], {"service_dedie": "non"})
    respond(edition, epcis[0], {"service_dedie": "oui"})
    respond(edition, epcis[1], {"service_dedie": "oui"}, status=Response.Status.VALIDATED)
    respond(edition, communes[2], {"service_dedie": "non"}, status=Response.Status.DRAFT)
    return edition


def rows_of(data, dimension):
    table = next(t for t in data["tables"] if t["code"] == dimension)
    return {row["code"]: row for row in table["rows"]}


def test_it_sets_the_counted_respondents_against_the_active_referential(answered):
    data = representativeness(answered)
    assert (data["respondents"], data["referential"], data["rate"]) == (4, 11, 36.4)
    by_type = rows_of(data, "type")
    assert list(by_type) == ["commune", "intercommunalite", "departement"]
    commune = by_type["commune"]
    assert (commune["respondents"], commune["referential"], commune["rate"]) == (2, 8, 25.0)
    assert (commune["share_respondents"], commune["share_referential"]) == (50.0, 72.7)
    assert (commune["ratio"], commune["reading"]) == (0.69, "sous-représenté")
    interco = by_type["intercommunalite"]
    assert (interco["rate"], interco["ratio"], interco["reading"]) == (
        100.0,
        2.75,
        "sur-représenté",
    )
    assert (by_type["departement"]["respondents"], by_type["departement"]["rate"]) == (0, 0.0)


def test_it_lists_the_brackets_in_population_order_and_crosses_type_and_bracket(answered):
    data = representativeness(answered)
    assert list(rows_of(data, "tranche")) == ["lt5k", "10k_50k", "500k_1m"]
    assert rows_of(data, "region")["53"]["label"] == "Bretagne"
    crossed = rows_of(data, "type_tranche")
    assert crossed["commune:lt5k"]["label"] == "Commune — Moins de 5 000"
    assert (crossed["commune:lt5k"]["respondents"], crossed["commune:lt5k"]["referential"]) == (
        2,
        8,
    )


def test_the_raking_weights_reproduce_the_referential_margins(answered):
    respondents, existing = cells(answered)
    raking = rake(respondents, existing)
    assert raking.converged
    weights = {cell[0]: round(w, 6) for cell, w in raking.weights.items()}
    assert weights == {"commune": 1.6, "intercommunalite": 0.4}
    # The weighted margins are the referential's shares (without the département) of 4.
    for index, targets in ((0, {"commune": 3.2, "intercommunalite": 0.8}), (2, {"53": 4.0})):
        sums: dict = {}
        for cell, n in respondents.items():
            sums[cell[index]] = sums.get(cell[index], 0) + raking.weights[cell] * n
        assert sums == pytest.approx(targets, abs=1e-6)
    assert any("Département" in note and "hors de la pondération" in note for note in raking.notes)


def test_a_weighted_percentage_is_the_hand_computed_one(answered):
    respondents, existing = cells(answered)
    weighted = weighted_choices(answered, rake(respondents, existing))
    assert weighted["service_dedie"]["base"] == 4.0
    assert weighted["service_dedie"]["choices"] == {"oui": 60.0, "non": 40.0}


# Types and brackets cross: no single pass fits both.
CROSSED_RESPONDENTS = {
    ("commune", "lt5k", "53"): 3,
    ("commune", "5k_10k", "44"): 1,
    ("intercommunalite", "lt5k", "44"): 1,
    ("intercommunalite", "5k_10k", "53"): 2,
}
CROSSED_REFERENTIAL = {
    ("commune", "lt5k", "53"): 40,
    ("commune", "5k_10k", "44"): 20,
    ("intercommunalite", "lt5k", "44"): 10,
    ("intercommunalite", "5k_10k", "53"): 30,
}


def test_the_raking_fits_three_margins_that_do_not_line_up():
    respondents, existing = CROSSED_RESPONDENTS, CROSSED_REFERENTIAL
    raking = rake(respondents, existing)
    assert raking.converged and raking.iterations > 1
    total = sum(respondents.values())
    for index in (0, 1, 2):
        weighted: dict = {}
        wanted: dict = {}
        for cell, n in respondents.items():
            weighted[cell[index]] = weighted.get(cell[index], 0) + raking.weights[cell] * n
            wanted[cell[index]] = wanted.get(cell[index], 0) + existing[cell] * total / 100
        assert weighted == pytest.approx(wanted, abs=1e-5)


def test_it_stops_at_the_iteration_cap_and_says_so():
    raking = rake(CROSSED_RESPONDENTS, CROSSED_REFERENTIAL, max_iterations=1)
    assert raking.iterations == 1
    assert not raking.converged
    assert "n'a pas convergé" in raking.notes[-1]


def test_nobody_gives_no_weight_and_no_division_by_zero(edition):
    referential()
    respondents, existing = cells(edition)
    raking = rake(respondents, existing)
    assert raking.weights == {} and "Aucune réponse" in raking.notes[0]
    data = representativeness(edition)
    assert (data["respondents"], rows_of(data, "type")["commune"]["share_respondents"]) == (0, None)
    assert rows_of(data, "type")["commune"]["ratio"] is None


def test_an_empty_referential_is_said_plainly(edition):
    assert rake({}, {}).notes
    assert rake({("commune", "lt5k", "53"): 1}, {}).notes[0].startswith("Le référentiel")
    assert representativeness(edition)["rate"] is None


@pytest.mark.parametrize("count", [0, 1, 4])
def test_the_results_page_shows_the_section_for_nobody_one_and_four(client, bob, edition, count):
    communes, _ = referential()
    for commune in communes[:count]:
        respond(edition, commune, {"service_dedie": "oui"})
    client.force_login(bob)
    url = reverse("results:edition", args=[2024])
    page = client.get(url).content.decode()
    assert "Représentativité des répondants" in page
    assert "Les chiffres de cette page ne sont pas pondérés." in page
    weighted = client.get(url, {"pondere": "1"})
    assert weighted.status_code == 200
    text = weighted.content.decode()
    assert "Revenir aux seuls chiffres non pondérés" in text
    if count == 0:
        assert "Aucune réponse envoyée ou validée" in text
    else:
        assert "% pondéré" in text


def test_the_results_page_shows_weighted_beside_unweighted_on_demand(client, bob, answered):
    client.force_login(bob)
    url = reverse("results:edition", args=[2024])
    assert "% pondéré" not in client.get(url).content.decode()
    page = client.get(url, {"pondere": "1"}).content.decode()
    assert '<td class="text-end">75,0</td><td class="text-end">60,0</td>' in page
    assert "sur-représenté" in page


def test_the_xlsx_export_has_a_representativeness_sheet_with_the_weights(answered, tmp_path):
    path = tmp_path / "export.xlsx"
    export_responses(answered, "xlsx", path, labels=False)
    sheet = openpyxl.load_workbook(path)["Représentativité"]
    header, *lines = list(sheet.iter_rows(values_only=True))
    rows = [dict(zip(header, line, strict=True)) for line in lines]
    by_type = {r["groupe"]: r for r in rows if r["tableau"] == "Type de collectivité"}
    commune = by_type["commune"]
    assert (commune["repondants"], commune["referentiel"], commune["taux_reponse"]) == (2, 8, 25)
    assert (commune["ratio"], commune["lecture"]) == (0.69, "sous-représenté")
    weights = {r["groupe"]: r["poids"] for r in rows if r["tableau"].startswith("Cellule")}
    assert weights == {
        "commune:lt5k:53": 1.6,
        "intercommunalite:10k_50k:53": 0.4,
        "departement:500k_1m:53": None,
    }
    assert any(r["tableau"] == "Pondération" and "Département" in r["libelle"] for r in rows)


def test_the_referential_counts_follow_an_announced_change(answered):
    assert representativeness(answered)["referential"] == 11
    collectivite("C50", 1200, "53")
    assert representativeness(answered)["referential"] == 11  # counted once, kept a while
    referential_changed.send(sender=Collectivite)
    assert representativeness(answered)["referential"] == 12


def test_the_weighted_percentages_follow_the_page_filters(client, bob, answered):
    # Among the communes alone every weight is 1.6: weighted and unweighted agree (1 oui of 2).
    client.force_login(bob)
    url = reverse("results:edition", args=[2024])
    page = client.get(url, {"type": "commune", "pondere": "1"}).content.decode()
    assert '<td class="text-end">50,0</td><td class="text-end">50,0</td>' in page
    assert "type=commune" in page  # the link back keeps the filter
