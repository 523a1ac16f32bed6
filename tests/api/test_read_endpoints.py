from datetime import timedelta

from django.utils import timezone

from api.sources import Response
from tests.results.results_data import collectivite


def test_it_lists_the_editions_and_gives_a_definition_by_codes(analyst_api, edition_2030):
    assert [e["year"] for e in analyst_api.get("/api/v1/editions/").json()] == [2030]
    data = analyst_api.get("/api/v1/editions/2030/").json()
    assert data["title"] == "Baromètre 2030"
    sections = data["definition"]["sections"]
    assert [s["code"] for s in sections] == ["profil", "moyens"]
    fiches = next(q for q in sections[1]["questions"] if q["code"] == "fiches_dispositifs")
    assert [q["code"] for q in fiches["questions"]][:2] == ["nom", "famille"]
    outils = next(q for q in sections[0]["questions"] if q["code"] == "outils_numeriques")
    aucun = next(c for c in outils["choices"] if c["code"] == "aucun")
    assert aucun["exclusive"] is True and aucun["label"] == "Aucun"


def test_an_unknown_edition_is_404(analyst_api, db):
    assert analyst_api.get("/api/v1/editions/1999/").status_code == 404
    assert analyst_api.get("/api/v1/editions/1999/responses/").status_code == 404


def test_it_lists_the_referential_with_public_fields_and_filters(
    analyst_api, rennes, metz_metropole
):
    rows = analyst_api.get("/api/v1/collectivites/").json()["results"]
    assert {r["name"] for r in rows} == {"Rennes", "Metz Métropole"}
    assert set(rows[0]) == {
        "kind",
        "code",
        "siren",
        "name",
        "type_collectivite",
        "epci_type",
        "population",
        "tranche_population",
        "departement_code",
        "region_code",
        "is_active",
    }
    metros = analyst_api.get("/api/v1/collectivites/", {"type": "metropole"}).json()["results"]
    assert [(r["name"], r["type_collectivite"]) for r in metros] == [
        ("Metz Métropole", "metropole")
    ]
    bretagne = analyst_api.get("/api/v1/collectivites/", {"region": "53"}).json()["results"]
    assert [r["tranche_population"] for r in bretagne] == ["100k_500k"]
    assert analyst_api.get("/api/v1/collectivites/", {"type": "canton"}).status_code == 400


def _by_name(payload) -> dict:
    return {r["collectivite"]["name"]: r for r in payload["results"]}


def test_responses_leave_drafts_out_by_default(analyst_api, edition_2030):
    rows = _by_name(analyst_api.get("/api/v1/editions/2030/responses/").json())
    assert set(rows) == {"Rennes", "Ille-et-Vilaine"}
    assert rows["Ille-et-Vilaine"]["status"] == "validated"


def test_drafts_are_returned_only_when_staff_ask_for_them(staff_api, edition_2030):
    default = _by_name(staff_api.get("/api/v1/editions/2030/responses/").json())
    assert "Metz Métropole" not in default
    drafts = _by_name(staff_api.get("/api/v1/editions/2030/responses/?status=draft").json())
    assert list(drafts) == ["Metz Métropole"]
    assert drafts["Metz Métropole"]["answers"]["nb_agents"] == -3
    every = staff_api.get("/api/v1/editions/2030/responses/?status=all").json()
    assert len(every["results"]) == 3


def test_answers_use_the_spec_codes_with_precisions_and_roster_sheets(analyst_api, edition_2030):
    rennes = _by_name(analyst_api.get("/api/v1/editions/2030/responses/").json())["Rennes"]
    answers = rennes["answers"]
    assert answers["fonction_repondant"] == "autre"
    assert answers["fonction_repondant_autre"] == "Chargée de mission démocratie"
    assert answers["outils_numeriques"] == ["site_information", "autre"]
    assert answers["objectifs"] == {
        "augmenter_participants": "plutot",
        "transparence": "tout_a_fait",
    }
    assert answers["budget_participation"] == "450000"
    assert "nom" not in answers
    sheets = rennes["rosters"]["fiches_dispositifs"]
    assert [s["item"] for s in sheets] == [1, 2]
    assert sheets[0]["answers"]["nom"] == "Fabrique citoyenne"
    assert sheets[0]["answers"]["objectifs_dispositif_autre"] == "Co-construire"
    assert sheets[1]["answers"] == {
        "nom": "Carte des projets",
        "famille": "cartographie",
        "satisfaction": 11,
    }
    assert rennes["collectivite"]["type_collectivite"] == "commune"


def test_answers_can_be_labels(analyst_api, edition_2030):
    payload = analyst_api.get("/api/v1/editions/2030/responses/?values=labels").json()
    rennes = _by_name(payload)["Rennes"]
    assert rennes["answers"]["outils_numeriques"] == ["Site web d'information", "Autre"]
    assert rennes["answers"]["objectifs"]["Transparence"] == "Oui, tout à fait"
    assert rennes["rosters"]["fiches_dispositifs"][1]["answers"]["famille"] == "Cartographie"


def test_responses_filter_by_type_bracket_region_and_status(analyst_api, edition_2030):
    def names(**params):
        payload = analyst_api.get("/api/v1/editions/2030/responses/", params).json()
        return set(_by_name(payload))

    assert names(type="departement") == {"Ille-et-Vilaine"}
    assert names(tranche="100k_500k") == {"Rennes"}
    assert names(region="53") == {"Rennes", "Ille-et-Vilaine"}
    assert names(region="44") == set()
    assert names(status="submitted") == {"Rennes"}
    bad = analyst_api.get("/api/v1/editions/2030/responses/", {"tranche": "huge"})
    assert bad.status_code == 400


def test_responses_filter_by_modified_since(analyst_api, edition_2030):
    _edition, responses = edition_2030
    past = timezone.now() - timedelta(days=3)
    Response.objects.filter(pk=responses["ille"].pk).update(updated_at=past - timedelta(days=1))
    since = past.isoformat()
    payload = analyst_api.get("/api/v1/editions/2030/responses/", {"modified_since": since})
    assert set(_by_name(payload.json())) == {"Rennes"}


def test_responses_come_page_by_page(analyst_api, edition_2030):
    edition, _responses = edition_2030
    for i in range(5):
        extra = collectivite(f"Commune {i}", 1000 + i, "53")
        Response.objects.create(edition=edition, collectivite=extra, status="submitted")
    seen, url, pages = [], "/api/v1/editions/2030/responses/?page_size=3", 0
    while url:
        payload = analyst_api.get(url).json()
        seen += [r["id"] for r in payload["results"]]
        url, pages = payload["next"], pages + 1
    assert pages == 3 and len(seen) == 7 == len(set(seen))
    assert seen == sorted(seen)


def test_one_response_by_id(analyst_api, edition_2030):
    _edition, responses = edition_2030
    rennes = responses["rennes"]
    data = analyst_api.get(f"/api/v1/editions/2030/responses/{rennes.pk}/").json()
    assert data["id"] == rennes.pk and data["answers"]["nb_agents"] == 12


def test_a_listed_response_is_exactly_its_detail(staff_api, edition_2030):
    listed = staff_api.get("/api/v1/editions/2030/responses/?status=all").json()["results"]
    for response in listed:
        detail = staff_api.get(f"/api/v1/editions/2030/responses/{response['id']}/?status=all")
        assert detail.json() == response


def test_a_forged_cursor_is_a_404_not_a_server_error(analyst_api, edition_2030):
    import base64

    for raw in ["p=abc", "p=-1", "p=99999999999999999999999", "o=1&p=1.5"]:
        cursor = base64.b64encode(raw.encode()).decode()
        response = analyst_api.get("/api/v1/editions/2030/responses/", {"cursor": cursor})
        assert response.status_code == 404, raw
    valid = analyst_api.get("/api/v1/editions/2030/responses/?page_size=1").json()["next"]
    assert analyst_api.get(valid).status_code == 200


def test_an_id_too_large_for_the_database_is_a_json_404(analyst_api, edition_2030):
    for path in (
        "/api/v1/editions/2030/responses/123456789012345678901234567890/",
        "/api/v1/exports/99999999999999999999999/",
        "/api/v1/editions/99999999999999999999/",
    ):
        response = analyst_api.get(path)
        assert response.status_code == 404 and "detail" in response.json(), path


def test_an_unknown_query_parameter_is_refused(analyst_api, edition_2030):
    response = analyst_api.get("/api/v1/editions/2030/responses/", {"regoin": "53"})
    assert response.status_code == 400 and response.json() == {"regoin": ["Paramètre inconnu."]}
    assert analyst_api.get("/api/v1/editions/", {"page_size": "5"}).status_code == 400


def test_an_unknown_address_is_a_404_whatever_its_parameters(analyst_api, db):
    response = analyst_api.get("/api/v1/editions/1234567890123456789012/responses/?x=1")
    assert response.status_code == 404
