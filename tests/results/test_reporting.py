"""How a question is reported comes from its edition's `rules.reporting`, checked by hand.

Four responses rank four items (3 ranks of 4):

    R1: a 1, b 2, c 3     R2: b 1, a 2, d 3     R3: a 1, d 2, b 3     R4: c 1, b 2, a 3

With `top: 2` and `points: [5, 3, 1]`: a is in the top 2 of R1, R2, R3 (3 of 4, 75 %) and scores
(5 + 3 + 5 + 1) / 4 = 3.5; b: R1, R2, R4 (75 %), (3 + 5 + 1 + 3) / 4 = 3.0; c: R4 (25 %),
(1 + 5) / 4 = 1.5; d: R3 (25 %), (1 + 3) / 4 = 1.0.
Without the block (top 3, rank r earning 3 + 1 − r): a and b are in every top 3 (100 %), c and d
in two (50 %); a scores (3 + 2 + 3 + 1) / 4 = 2.25, b (2 + 3 + 1 + 2) / 4 = 2.0, c 1.0, d 0.75.
The number (1, 2 and 10) reports its median only (2): no mean given, none shown.
"""

import openpyxl
import pytest
from django.urls import reverse

from exports.results.aggregates import compute_breakdown, compute_results
from exports.results.charts import question_chart
from exports.services.jobs import export_responses
from surveys.models import Edition, Section
from tests.results.results_data import collectivite, question, respond

pytestmark = pytest.mark.django_db

REPORTING = {"priorites": {"top": 2, "points": [5, 3, 1]}, "agents": {"stats": ["median"]}}
RANKS = [
    {"a": 1, "b": 2, "c": 3},
    {"b": 1, "a": 2, "d": 3},
    {"a": 1, "d": 2, "b": 3},
    {"c": 1, "b": 2, "a": 3},
]


def build(rules: dict, year: int = 2031) -> Edition:
    edition = Edition.objects.create(year=year, title=f"Essai {year}", rules=rules)
    section = Section.objects.create(edition=edition, code="s", title="S", order=1)
    items = [(code, f"Item {code}") for code in "abcd"]
    question(edition, section, "priorites", "ranking", items, order=1, rank_count=3)
    question(edition, section, "agents", "integer", order=2)
    for n, (ranks, agents) in enumerate(zip(RANKS, (1, 2, 10, None), strict=True)):
        answers = {"priorites": ranks} | ({"agents": agents} if agents is not None else {})
        respond(edition, collectivite(f"R{year}{n}", 5000, "53"), answers)
    return edition


def ranking(results: dict) -> dict:
    return next(q for q in results["questions"] if q["code"] == "priorites")


def items(question: dict) -> dict:
    return {i["code"]: (i["top3"], i["top3_percent"], i["mean_score"]) for i in question["items"]}


def test_a_declared_top_and_points_give_the_hand_computed_share_and_score():
    question = ranking(compute_results(build({"reporting": REPORTING})))
    assert (question["base"], question["top"], question["points"]) == (4, 2, 5)
    assert items(question) == {
        "a": (3, 75.0, 3.5),
        "b": (3, 75.0, 3.0),
        "c": (1, 25.0, 1.5),
        "d": (1, 25.0, 1.0),
    }


def test_without_reporting_the_top_3_and_the_rank_points_are_unchanged():
    question = ranking(compute_results(build({})))
    assert (question["top"], question["points"]) == (3, 3)
    assert items(question) == {
        "a": (4, 100.0, 2.25),
        "b": (4, 100.0, 2.0),
        "c": (2, 50.0, 1.0),
        "d": (2, 50.0, 0.75),
    }


def test_a_breakdown_reports_the_same_top_and_points():
    edition = build({"reporting": REPORTING})
    priorites = edition.questions.get(code="priorites")
    (group,) = compute_breakdown(edition, priorites, "region")["groups"]
    assert group["top"] == 2
    assert items(group)["a"] == (3, 75.0, 3.5)


def test_a_number_reports_only_its_declared_statistics():
    results = compute_results(build({"reporting": REPORTING}))
    number = next(q for q in results["questions"] if q["code"] == "agents")["number"]
    assert (number["count"], number["mean"], number["median"]) == (3, None, 2.0)
    assert number["stats"] == ["median"]
    default = compute_results(build({}, year=2032))
    number = next(q for q in default["questions"] if q["code"] == "agents")["number"]
    assert (number["mean"], number["median"], number["stats"]) == (4.33, 2.0, ["mean", "median"])


def test_the_page_chart_and_sheet_say_top_2(client, bob, tmp_path):
    edition = build({"reporting": REPORTING})
    client.force_login(bob)
    page = client.get(reverse("results:edition", args=[edition.year]))
    html = page.content.decode()
    assert "Dans le top 2 (%)" in html and "Dans le top 3" not in html
    assert "Score moyen (sur 5)" in html
    assert "médiane des réponses chiffrées" in html and ">Moyenne" not in html
    chart = question_chart(ranking(page.context["results"]))
    assert chart and chart["datasets"][0]["label"] == "% dans le top 2"
    path = tmp_path / "export.xlsx"
    export_responses(edition, "xlsx", path, labels=False)
    header, *rows = openpyxl.load_workbook(path)["Agrégats"].iter_rows(values_only=True)
    sheet = [dict(zip(header, row, strict=True)) for row in rows]
    a = next(r for r in sheet if r["question"] == "priorites" and r["code"] == "a")
    assert a["figure"] == "Élément classé (2 premiers rangs)"
    assert (a["effectif"], a["pourcentage"], a["score_moyen"]) == (3, 75.0, 3.5)
    value = next(r for r in sheet if r["question"] == "agents" and r["code"] is None)
    assert (value["moyenne"], value["mediane"]) == (None, 2)
