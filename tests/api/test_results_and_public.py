import pytest

from api.sources import MIN_RESPONDENTS
from tests.api.conftest import client_with
from tests.results.results_data import build_2021


@pytest.fixture
def edition_2021(db):
    return build_2021()


def _question(results: dict, code: str) -> dict:
    return next(q for q in results["questions"] if q["code"] == code)


def _counts(value) -> list[int]:
    """Every count-like number anywhere in the figures (counts, top 3, nsp, under 1 €)."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("count", "top3", "nsp", "under_1", "base") and isinstance(item, int):
                found.append(item)
            found += _counts(item)
    elif isinstance(value, list):
        for item in value:
            found += _counts(item)
    return found


def test_readers_get_the_figures_of_the_results_pages(analyst_api, edition_2021):
    results = analyst_api.get("/api/v1/editions/2021/results/").json()
    assert results["respondents"] == 8
    service = _question(results, "service_dedie")
    assert service["base"] == 7
    assert [(c["code"], c["count"]) for c in service["choices"]] == [("oui", 5), ("non", 2)]
    # The team sees the small cells, as on its results page.
    assert 2 in _counts(service)


def test_results_take_the_same_filters_as_the_pages(analyst_api, edition_2021):
    bretagne = analyst_api.get("/api/v1/editions/2021/results/", {"region": "53"}).json()
    assert bretagne["filters"]["region"] == "53"
    assert bretagne["respondents"] < 8
    epci = analyst_api.get("/api/v1/editions/2021/results/", {"type": "intercommunalite"})
    assert epci.json()["respondents"] == 1
    assert analyst_api.get("/api/v1/editions/2021/results/", {"type": "x"}).status_code == 400


def test_public_endpoints_refuse_an_edition_not_yet_published(edition_2021):
    api = client_with()
    assert api.get("/api/v1/public/editions/").json() == []
    assert api.get("/api/v1/public/editions/2021/results/").status_code == 404
    assert api.get("/api/v1/public/editions/2021/opendata/").status_code == 404


@pytest.fixture
def published(edition_2021):
    edition_2021.status = "published"
    edition_2021.save()
    return edition_2021


def test_public_figures_never_hold_a_suppressed_cell(published):
    results = client_with().get("/api/v1/public/editions/2021/results/").json()
    counts = _counts(results["questions"])
    assert counts, "the public figures show counts"
    assert not [c for c in counts if 0 < c < MIN_RESPONDENTS]
    service = _question(results, "service_dedie")
    assert [(c["code"], c["count"], c.get("suppressed")) for c in service["choices"]] == [
        ("oui", None, True),
        ("non", None, True),
    ]
    assert _question(results, "apports")["hidden"] is True
    assert all(q["kind"] != "text" for q in results["questions"])


def test_open_data_rows_never_hold_a_suppressed_cell(published):
    payload = client_with().get("/api/v1/public/editions/2021/opendata/").json()
    assert payload["min_respondents"] == MIN_RESPONDENTS
    rows = payload["rows"]
    shown = [r for r in rows if r["count"] is not None]
    assert shown and not [r for r in shown if 0 < r["count"] < MIN_RESPONDENTS]
    assert all(r["percent"] is None for r in rows if r["suppressed"])
    conseil = next(r for r in rows if r["option"] == "conseil_jeunes")
    # 5 of 8 made it: the 3 who did not could be singled out, so the cell is hidden.
    assert (conseil["question"], conseil["base"], conseil["count"], conseil["suppressed"]) == (
        "dispositifs_existants",
        8,
        None,
        True,
    )
    apports = [r for r in rows if r["question"] == "apports"]
    assert apports == [
        {
            "question": "apports",
            "row": None,
            "option": None,
            "label": None,
            "base": None,
            "count": None,
            "percent": None,
            "suppressed": True,
        }
    ]


def test_public_endpoints_need_no_token_and_take_no_filters(published):
    api = client_with()
    assert [e["year"] for e in api.get("/api/v1/public/editions/").json()] == [2021]
    results = api.get("/api/v1/public/editions/2021/results/").json()
    assert results["filters"] == {} and results["respondents"] == 8
    refused = api.get("/api/v1/public/editions/2021/results/?type=commune")
    assert refused.status_code == 400 and "type" in refused.json()
