# ruff: noqa: S608 — literal test SQL.
"""Every kind of figure, checked against a small set of responses computed by hand."""

import pytest
from django.db import connection

from exports.results.aggregates import (
    ResultFilters,
    compute_breakdown,
    compute_results,
)
from exports.results.sql import ANSWER_ROW, json_items, planning_fence
from tests.results.results_data import build_2018_ranking, build_2021

pytestmark = pytest.mark.django_db


def figures(results: dict) -> dict:
    return {q["code"]: q for q in results["questions"]}


def percents(entries: list[dict]) -> dict:
    return {e["code"]: e["percent"] for e in entries}


def counts(entries: list[dict]) -> dict:
    return {e["code"]: e["count"] for e in entries}


@pytest.fixture
def edition():
    return build_2021()


def test_only_submitted_and_validated_responses_count(edition):
    results = compute_results(edition)
    assert results["respondents"] == 8


def test_single_choice_gives_percentages_of_those_who_answered(edition):
    question = figures(compute_results(edition))["service_dedie"]
    assert question["base"] == 7
    assert counts(question["choices"]) == {"oui": 5, "non": 2}
    assert percents(question["choices"]) == {"oui": 71.4, "non": 28.6}


def test_multiple_choice_percentages_do_not_sum_to_100(edition):
    question = figures(compute_results(edition))["dispositifs_existants"]
    assert question["base"] == 8
    assert percents(question["choices"]) == {
        "conseil_jeunes": 62.5,
        "budget_participatif": 50.0,
        "reunions_publiques": 37.5,
    }
    assert sum(percents(question["choices"]).values()) == 150.0


def test_a_matrix_gives_a_distribution_per_row(edition):
    question = figures(compute_results(edition))["apports"]
    assert question["base"] == 4
    rows = {row["code"]: row for row in question["rows"]}
    assert rows["transparence"]["base"] == 4
    assert percents(rows["transparence"]["cells"]) == {
        "tout_a_fait": 50.0,
        "plutot": 25.0,
        "plutot_pas": 25.0,
        "pas_du_tout": 0.0,
        "nsp": 0.0,
    }
    assert rows["efficacite"]["base"] == 3
    assert percents(rows["efficacite"]["cells"])["plutot"] == 66.7
    assert percents(rows["efficacite"]["cells"])["nsp"] == 33.3


def test_a_top_3_ranking_gives_top_3_share_and_3_point_mean_score(edition):
    question = figures(compute_results(edition))["besoins"]
    assert question["base"] == 4
    assert question["points"] == 3
    items = {i["code"]: (i["top3_percent"], i["mean_score"]) for i in question["items"]}
    assert items == {
        "formation": (100.0, 2.5),
        "budgets": (100.0, 1.75),
        "visibilite": (75.0, 1.5),
        "evaluation": (25.0, 0.25),
    }


def test_the_2018_full_ranking_scores_out_of_10():
    question = figures(compute_results(build_2018_ranking()))["besoins"]
    assert question["points"] == 10
    items = {i["code"]: (i["top3_percent"], i["mean_score"]) for i in question["items"]}
    assert items["i0"] == (66.7, 7.0)
    assert items["i9"] == (33.3, 4.0)
    assert items["i4"] == (0.0, 5.67)  # (6 + 6 + 5) / 3


def test_numbers_give_mean_median_and_the_spec_brackets(edition):
    question = figures(compute_results(edition))["etp_participation"]
    number = question["number"]
    assert (number["count"], number["mean"], number["median"]) == (6, 4.5, 2.75)
    assert counts(number["brackets"]) == {"lt1": 1, "1_2": 2, "3_5": 1, "6_10": 1, "gt10": 1}
    assert percents(number["brackets"])["1_2"] == 33.3


def test_a_budget_counts_nsp_in_the_base_but_not_in_the_mean(edition):
    question = figures(compute_results(edition))["budget_participation"]
    assert question["base"] == 7
    number = question["number"]
    assert (number["count"], number["nsp"]) == (6, 1)
    assert (number["mean"], number["median"]) == (72083.33, 14000.0)
    assert counts(number["brackets"]) == {
        "le5k": 2,
        "lt50k": 2,
        "lt100k": 0,
        "lt500k": 2,
        "ge500k": 0,
    }


def test_euros_budget_par_habitant_give_mean_median_and_share_under_1(edition):
    per = figures(compute_results(edition))["budget_participation"]["indicator"]
    assert per == {
        # What the indicator is, from the edition's definition file.
        "code": "budget_par_habitant",
        "label": "Budget de la participation par habitant",
        "unit": "€/hab.",
        "decimals": 2,
        "threshold": 1.0,
        "count": 6,
        "mean": 1.75,
        "median": 1.25,
        "under": 3,
        "under_percent": 50.0,
    }


def test_an_edition_without_rules_has_no_brackets_and_no_indicator(edition):
    edition.rules = {}
    edition.save()
    results = figures(compute_results(edition))
    assert "indicator" not in results["budget_participation"]
    assert "brackets" not in results["etp_participation"]["number"]
    assert results["etp_participation"]["number"]["count"] == 6


def test_text_questions_only_count_their_answers(edition):
    question = figures(compute_results(edition))["service_intitule"]
    assert question["kind"] == "text"
    assert question["base"] == 1
    assert "choices" not in question


@pytest.mark.parametrize(
    ("filters", "respondents", "expected"),
    [
        (ResultFilters(type="commune"), 6, {"oui": 80.0, "non": 20.0}),
        (ResultFilters(tranche="lt5k"), 5, {"oui": 75.0, "non": 25.0}),
        (ResultFilters(region="44"), 3, {"oui": 66.7, "non": 33.3}),
        (ResultFilters(type="metropole"), 1, {"oui": 100.0, "non": 0.0}),
    ],
)
def test_filters_narrow_the_responses(edition, filters, respondents, expected):
    results = compute_results(edition, filters)
    assert results["respondents"] == respondents
    assert percents(figures(results)["service_dedie"]["choices"]) == expected


def test_filters_apply_to_euros_budget_par_habitant_too(edition):
    per = figures(compute_results(edition, ResultFilters(region="44")))["budget_participation"]
    assert per["indicator"]["count"] == 3
    assert per["indicator"]["median"] == 0.5


def test_a_breakdown_gives_one_question_by_type(edition):
    question = edition.questions.get(code="service_dedie")
    breakdown = compute_breakdown(edition, question, "type")
    groups = {g["code"]: g for g in breakdown["groups"]}
    assert list(groups) == ["commune", "intercommunalite", "metropole"]
    assert groups["commune"]["respondents"] == 6
    assert groups["commune"]["base"] == 5
    assert percents(groups["commune"]["choices"]) == {"oui": 80.0, "non": 20.0}
    assert counts(groups["intercommunalite"]["choices"]) == {"oui": 0, "non": 1}


def test_a_breakdown_by_population_bracket_uses_the_sql_brackets(edition):
    question = edition.questions.get(code="etp_participation")
    groups = {g["code"]: g for g in compute_breakdown(edition, question, "tranche")["groups"]}
    assert list(groups) == ["lt5k", "10k_50k", "500k_1m"]
    assert groups["10k_50k"]["number"]["mean"] == 5.5  # C4 3 and C5 8
    assert groups["500k_1m"]["number"]["median"] == 12.0


def test_a_breakdown_by_region_names_the_regions(edition):
    question = edition.questions.get(code="dispositifs_existants")
    groups = compute_breakdown(edition, question, "region")["groups"]
    assert [(g["label"], g["base"]) for g in groups] == [("Grand Est", 3), ("Bretagne", 5)]


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("'\"oui\"'", [(None, "oui")]),
        ('\'["a", "b"]\'', [(None, "a"), (None, "b")]),
        ('\'{"r": "x", "s": 2}\'', [("r", "x"), ("s", "2")]),
    ],
)
def test_json_items_unnest_every_shape_of_answer_on_this_database(literal, expected):
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    items = json_items("t.value")
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {items.key}, {items.value} FROM (SELECT {literal}{cast} AS value) t "
            f"CROSS JOIN {items.source}"
        )
        rows = [(key, str(value)) for key, value in cursor.fetchall() if key != ANSWER_ROW]
    assert sorted(rows, key=str) == sorted(expected, key=str)


def test_both_dialects_are_written_out():
    postgresql = json_items("v", "postgresql")
    assert "jsonb_array_elements_text" in postgresql.source
    assert "jsonb_each_text" in postgresql.source
    assert postgresql.counts_answers
    sqlite = json_items("v", "sqlite")
    assert sqlite.source == "json_each(v) AS e"
    assert not sqlite.counts_answers
    assert planning_fence("postgresql") == "OFFSET 0"
    assert planning_fence("sqlite") == "LIMIT -1 OFFSET 0"
    with pytest.raises(NotImplementedError):
        json_items("v", "oracle")
