"""Trends across editions for the questions sharing a code, with the 2018 scale mapped."""

import pytest
from django.core.cache import cache

from exports.results.tasks import recompute_edition_results
from exports.results.trends import compute_trends, get_trends, map_scale
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
    assert map_scale(cells, 4) == {
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
