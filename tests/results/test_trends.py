"""Trends across editions for the questions sharing a code, with the 2018 scale mapped."""

import pytest
from django.core.cache import cache

from exports.results.tasks import recompute_edition_results
from exports.results.trends import compute_trends, get_trends, map_scale
from surveys.definition.evolution import clone_edition
from tests.results.results_data import build_2018_ranking, build_2021, collectivite, respond

pytestmark = pytest.mark.django_db


@pytest.fixture
def trends():
    cache.clear()
    build_2018_ranking()
    return {q["code"]: q for q in compute_trends(build_2021())["questions"]}


def series(question):
    return {s["code"]: s["values"] for s in question["series"]}


def test_only_questions_asked_in_several_editions_have_a_trend(trends):
    assert set(trends) == {"service_dedie", "apports", "besoins"}
    assert trends["service_dedie"]["years"] == [2018, 2021]
    assert trends["service_dedie"]["bases"] == [3, 7]


def test_choice_percentages_line_up_by_code(trends):
    assert series(trends["service_dedie"]) == {"oui": [33.3, 71.4], "non": [66.7, 28.6]}


def test_2018_pas_vraiment_counts_as_plutot_pas(trends):
    values = series(trends["apports"])
    assert values["transparence:plutot_pas"] == [66.7, 25.0]
    assert values["transparence:tout_a_fait"] == [33.3, 50.0]
    assert "transparence:pas_vraiment" not in values


def test_rankings_compare_the_share_in_the_top_3(trends):
    assert series(trends["besoins"])["formation"] == [None, 100.0]


def test_the_mapping_merges_counts_before_the_percentages():
    cells = [
        {"code": "plutot_pas", "count": 1},
        {"code": "pas_vraiment", "count": 2},
        {"code": "plutot", "count": 1},
    ]
    assert map_scale(cells, 4, {"pas_vraiment": "plutot_pas"}) == {
        "plutot_pas": {"count": 3, "percent": 75.0},
        "plutot": {"count": 1, "percent": 25.0},
    }


def _dedie(trend_data):
    question = next(q for q in trend_data["questions"] if q["code"] == "service_dedie")
    return series(question)["oui"]


def test_cached_trends_read_no_figure_again_until_an_edition_is_recomputed(
    django_assert_max_num_queries,
):
    cache.clear()
    older = build_2018_ranking()
    edition = build_2021()
    first = get_trends(edition)
    assert _dedie(first) == [33.3, 71.4]
    with django_assert_max_num_queries(1):  # the list of editions; every figure from the cache
        assert get_trends(edition) == first
    # A 2018 collectivité answers late: 2 "oui" out of 4. Cached until 2018 is recomputed.
    respond(older, collectivite("R4", 800, "11"), {"service_dedie": "oui"})
    assert _dedie(get_trends(edition)) == [33.3, 71.4]
    recompute_edition_results(older.pk)
    assert _dedie(get_trends(edition)) == [50.0, 71.4]


def _with_breaks(edition, breaks):
    edition.rules = {**edition.rules, "trends": {**edition.rules["trends"], "breaks": breaks}}
    edition.save()
    return edition


def test_a_question_not_comparable_since_an_edition_starts_its_trend_there():
    cache.clear()
    build_2018_ranking()
    later = _with_breaks(build_2021(), {"service_dedie": "not_comparable", "apports": "comparable"})
    # 2022 asks service_dedie again: its trend now runs 2021 → 2022 only.
    next_wave = clone_edition(later, 2022, "Baromètre 2022")
    next_wave.status = "closed"
    next_wave.save()
    assert "breaks" not in next_wave.rules["trends"]  # they belong to the edition cloned
    data = compute_trends(next_wave)
    questions = {q["code"]: q for q in data["questions"]}
    assert questions["service_dedie"]["years"] == [2021, 2022]
    assert questions["service_dedie"]["breaks"] == [{"year": 2021, "comparable": False}]
    # A break judged comparable keeps every year and is stated.
    assert questions["apports"]["years"] == [2018, 2021, 2022]
    assert questions["apports"]["breaks"] == [{"year": 2021, "comparable": True}]


def test_a_question_broken_in_the_last_edition_has_no_trend_yet():
    cache.clear()
    build_2018_ranking()
    edition = _with_breaks(build_2021(), {"service_dedie": "not_comparable"})
    codes = {q["code"] for q in compute_trends(edition)["questions"]}
    assert "service_dedie" not in codes and "besoins" in codes


def test_the_page_says_how_scales_are_mapped_and_where_series_break(client, bob):
    cache.clear()
    build_2018_ranking()
    edition = _with_breaks(build_2021(), {"apports": "comparable"})
    client.force_login(bob)
    page = client.get(f"/resultats/{edition.year}/tendances/").content.decode()
    assert "« Non, pas vraiment » compte comme « Non, plutôt pas »" in page
    assert "Rupture de série en 2021 : la question a changé, l'équipe l'a jugée comparable" in page
