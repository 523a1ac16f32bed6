"""The constant panel of a trend: each step (two successive editions of a series) counts only the
collectivités whose response was sent in both, with its base stated and small cells masked.

Three editions, figures worked out by hand (service_dedie, single choice oui/non):

- 2018: P1–P12 (the panel of 2018 → 2021): 5 oui, 7 non; A1–A5 and P13: oui. All 18
  respondents: oui 11 (61.1 %), non 7 (38.9 %). Panel: oui 5/12 (41.7 %), non 7/12 (58.3 %).
- 2021: P1–P7 oui, P8–P12 non, B1–B5 non; P13's response is a draft (never counted). All 17
  respondents: oui 7 (41.2 %), non 10 (58.8 %). Panel with 2018 (P1–P12): oui 7/12 (58.3 %),
  non 5/12 (41.7 %). Panel with 2022 (P1–P5, B1–B5): oui 5/10, non 5/10 (50 % each).
- 2022 (2021 cloned): P1–P5 oui, B1–B5 non, C1 and C2 oui. All 12: oui 7 (58.3 %), non 5
  (41.7 %). Panel with 2021: oui 5/10, non 5/10.

All respondents go down then up (61.1 → 41.2 → 58.3); the panel goes up then stays (41.7 →
58.3, then 50 → 50). etp_participation (2021 and 2022 only) is answered by P1–P3 alone each
time: 3 collectivités, so the panel's figures are masked while the team's all-respondent ones
(mean 2 then 4) are shown.
"""

import csv
import io
import re

import pytest
from django.core.cache import cache

from exports.results.tasks import compute_panel_trends, recompute_edition_results
from exports.results.trends import TrendsKey, cached_trends, compute_trends, get_trends, map_scale
from respondents.models import Collectivite
from surveys.definition.evolution import clone_edition
from surveys.models import Edition, Response, Section
from tests.edition_rules import shipped_rules
from tests.results.results_data import collectivite, question, respond

pytestmark = pytest.mark.django_db

OUI_NON = [("oui", "Oui"), ("non", "Non")]


def coll(name):
    return collectivite(name, 1000, "53")


def edition(year, *, decimal=False):
    created = Edition.objects.create(
        year=year, title=f"Baromètre {year}", status="closed", rules=shipped_rules(2021)
    )
    section = Section.objects.create(edition=created, code="a", title="Profil", order=1)
    question(created, section, "service_dedie", "single", OUI_NON, order=1)
    if decimal:
        question(created, section, "etp_participation", "decimal", order=2)
    return created


@pytest.fixture
def series():
    cache.clear()
    return build_series()


def build_series() -> Edition:
    """The three editions of the module's docstring; returns 2022."""
    p = {n: coll(f"P{n}") for n in range(1, 14)}
    y2018 = edition(2018)
    for n in range(1, 13):
        respond(y2018, p[n], {"service_dedie": "oui" if n <= 5 else "non"})
    for name in ["A1", "A2", "A3", "A4", "A5"]:
        respond(y2018, coll(name), {"service_dedie": "oui"})
    respond(y2018, p[13], {"service_dedie": "oui"})

    y2021 = edition(2021, decimal=True)
    b = {n: coll(f"B{n}") for n in range(1, 6)}
    for n in range(1, 13):
        answers = {"service_dedie": "oui" if n <= 7 else "non"}
        if n <= 3:
            answers["etp_participation"] = n  # 1, 2, 3: mean 2
        respond(y2021, p[n], answers)
    for n in range(1, 6):
        respond(y2021, b[n], {"service_dedie": "non"})
    respond(y2021, p[13], {"service_dedie": "non"}, status=Response.Status.DRAFT)

    y2022 = clone_edition(y2021, 2022, "Baromètre 2022")
    y2022.status = "closed"
    y2022.save()
    for n in range(1, 6):
        answers = {"service_dedie": "oui"}
        if n <= 3:
            answers["etp_participation"] = 2 * n  # 2, 4, 6: mean 4
        respond(y2022, p[n], answers)
        respond(y2022, b[n], {"service_dedie": "non"})
    for name in ["C1", "C2"]:
        respond(y2022, coll(name), {"service_dedie": "oui"})
    return y2022


def by_code(data):
    return {q["code"]: q for q in data["questions"]}


def values(step_or_trend):
    if "cells" in step_or_trend["series"][0]:
        return {
            s["code"]: [None if c["masked"] else c["value"] for c in s["cells"]]
            for s in step_or_trend["series"]
        }
    return {s["code"]: s["values"] for s in step_or_trend["series"]}


def test_each_step_counts_the_collectivites_that_answered_both_editions(series):
    dedie = by_code(compute_trends(series, panel=True))["service_dedie"]
    assert dedie["years"] == [2018, 2021, 2022]
    assert dedie["bases"] == [18, 17, 12]
    assert values(dedie) == {"oui": [61.1, 41.2, 58.3], "non": [38.9, 58.8, 41.7]}

    first, second = dedie["panel"]
    assert first["years"] == [2018, 2021]
    assert first["panel"] == 12 and first["bases"] == [12, 12] and not first["small"]
    assert values(first) == {"oui": [41.7, 58.3], "non": [58.3, 41.7]}
    assert second["years"] == [2021, 2022]
    assert second["panel"] == 10 and second["bases"] == [10, 10]
    assert values(second) == {"oui": [50.0, 50.0], "non": [50.0, 50.0]}


def test_a_question_few_panel_members_answered_is_masked_in_the_panel_only(series):
    etp = by_code(compute_trends(series, panel=True))["etp_participation"]
    assert etp["years"] == [2021, 2022]
    assert values(etp) == {"mean": [2.0, 4.0], "median": [2.0, 4.0]}
    (step,) = etp["panel"]
    assert step["panel"] == 10  # the panel is large enough; this question's base is not
    assert step["bases"] == [None, None]
    assert all(c["masked"] and c["value"] is None for s in step["series"] for c in s["cells"])


def test_without_the_option_no_panel_is_computed(series):
    data = compute_trends(series)
    assert "panel" not in by_code(data)["service_dedie"]
    assert data["panel"] is False


def test_no_common_respondent_gives_a_masked_panel_of_unstated_size():
    cache.clear()
    older, newer = edition(2018), edition(2021)
    for n in range(6):
        respond(older, coll(f"O{n}"), {"service_dedie": "oui"})
        respond(newer, coll(f"N{n}"), {"service_dedie": "non"})
    (step,) = by_code(compute_trends(newer, panel=True))["service_dedie"]["panel"]
    assert step["small"] and step["panel"] is None and step["bases"] == [None, None]
    assert values(step) == {"oui": [None, None], "non": [None, None]}


def test_an_edition_with_no_answer_gives_an_empty_masked_step(series):
    empty = clone_edition(series, 2023, "Baromètre 2023")
    empty.status = "closed"
    empty.save()
    dedie = by_code(compute_trends(empty, panel=True))["service_dedie"]
    assert dedie["years"] == [2018, 2021, 2022, 2023]
    assert dedie["bases"] == [18, 17, 12, 0]
    assert values(dedie)["oui"] == [61.1, 41.2, 58.3, None]
    last = dedie["panel"][-1]
    assert last["years"] == [2022, 2023] and last["small"] and last["panel"] is None


def test_a_masked_cell_masks_the_code_it_is_merged_into():
    cells = [
        {"code": "plutot_pas", "count": 6},
        {"code": "pas_vraiment", "count": None, "suppressed": True},
        {"code": "plutot", "count": 7},
    ]
    merged = map_scale(cells, 16, {"pas_vraiment": "plutot_pas"})
    assert merged["plutot_pas"] == {"count": None, "percent": None, "masked": True}
    assert merged["plutot"] == {"count": 7, "percent": 43.8}


# The page and its download.


def test_the_page_offers_the_panel_and_states_its_base(series, client, bob):
    client.force_login(bob)
    plain = client.get("/resultats/2022/tendances/")
    assert plain.status_code == 200
    text = plain.content.decode()
    assert "Ajouter le panel constant" in text and "Panel constant 2018" not in text
    page = client.get("/resultats/2022/tendances/?panel=on")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="panel"' in text and "checked" in text
    assert "Panel constant 2018 → 2021 — 12 collectivités ayant répondu aux deux éditions" in text
    assert "Panel constant 2021 → 2022 — 10 collectivités ayant répondu aux deux éditions" in text
    assert ">41,7<" in text or ">41.7<" in text


def test_a_panel_of_four_answers_with_masked_figures(client, bob):
    cache.clear()
    older, newer = edition(2018), edition(2021)
    for n in range(8):
        both = coll(f"M{n}")
        if n < 4:
            respond(older, both, {"service_dedie": "oui"})
        respond(newer, both, {"service_dedie": "non" if n < 4 else "oui"})
    for n in range(4):
        respond(older, coll(f"Q{n}"), {"service_dedie": "non"})
    client.force_login(bob)
    page = client.get("/resultats/2021/tendances/?panel=1")
    assert page.status_code == 200
    text = page.content.decode()
    assert "moins de 5 collectivités ont répondu aux deux éditions : chiffres masqués" in text
    assert "4 collectivités ayant répondu" not in text
    assert text.count(">masqué<") == 6  # oui, non and the base, in 2018 and 2021


def test_the_csv_gives_both_readings_with_their_bases(series, client, bob):
    client.force_login(bob)
    answer = client.get("/resultats/2022/tendances/tendances.csv")
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="tendances-2022.csv"'
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    header, rows = rows[0], rows[1:]
    assert header[4] == "Lecture (tous les répondants ou panel constant)"
    oui = [r for r in rows if r[0] == "service_dedie" and r[2] == "oui"]
    assert [r[4:10] for r in oui] == [
        ["Tous les répondants", "", "2018", "18", "", "61,1"],
        ["Tous les répondants", "", "2021", "17", "", "41,2"],
        ["Tous les répondants", "", "2022", "12", "", "58,3"],
        ["Panel constant", "2018 → 2021", "2018", "12", "12", "41,7"],
        ["Panel constant", "2018 → 2021", "2021", "12", "12", "58,3"],
        ["Panel constant", "2021 → 2022", "2021", "10", "10", "50,0"],
        ["Panel constant", "2021 → 2022", "2022", "10", "10", "50,0"],
    ]
    etp = [r for r in rows if r[0] == "etp_participation" and r[4] == "Panel constant"]
    assert {(r[7], r[9], r[11]) for r in etp} == {("", "", "oui")}


# Issue 19: the rendered page cached per results generation.


def _rendered(answer):
    return {t.name for t in answer.templates}


def _without_tokens(answer):
    """The page without its CSRF tokens (new ones each time)."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", answer.content.decode())


def test_the_rendered_figures_are_served_from_the_cache(series, client, bob):
    client.force_login(bob)
    cold = client.get("/resultats/2022/tendances/?panel=on")
    assert "results/trends_body.html" in _rendered(cold)
    warm = client.get("/resultats/2022/tendances/?panel=on")
    assert "results/trends_body.html" not in _rendered(warm)
    assert _without_tokens(warm) == _without_tokens(cold)
    # The other reading is another page.
    plain = client.get("/resultats/2022/tendances/")
    assert "results/trends_body.html" in _rendered(plain)
    assert "Panel constant 2018" not in plain.content.decode()


def test_a_new_results_generation_gives_the_fresh_page(series, client, bob):
    client.force_login(bob)
    before = _without_tokens(client.get("/resultats/2022/tendances/?panel=on"))
    assert "Panel constant 2021 → 2022 — 10 collectivités" in before
    # P6 (2021: oui) answers 2022 late: the 2021 → 2022 panel grows to 11 once 2022 is
    # recomputed (the debounced task after a submission, run here at once).
    respond(series, Collectivite.objects.get(code="P6"), {"service_dedie": "oui"})
    cached = _without_tokens(client.get("/resultats/2022/tendances/?panel=on"))
    assert cached == before
    recompute_edition_results(series.pk)
    after = client.get("/resultats/2022/tendances/?panel=on").content.decode()
    assert "Panel constant 2021 → 2022 — 11 collectivités" in after
    assert "Base (collectivités)" in after


def test_a_rules_change_gives_the_fresh_page_before_any_recomputation(series, client, bob):
    client.force_login(bob)
    assert "Rupture de série" not in client.get("/resultats/2022/tendances/").content.decode()
    older = Edition.objects.get(year=2021)
    breaks = {"service_dedie": "comparable"}
    older.rules = {**older.rules, "trends": {**older.rules["trends"], "breaks": breaks}}
    older.save()
    page = client.get("/resultats/2022/tendances/").content.decode()
    assert "Rupture de série en 2021 : la question a changé, l'équipe l'a jugée comparable" in page


def test_warm_trends_read_one_query_for_the_editions(series, django_assert_max_num_queries):
    first = get_trends(series, panel=True)
    with django_assert_max_num_queries(1):
        assert get_trends(series, panel=True) == first


def test_while_a_worker_computes_the_panel_the_page_says_so_with_every_respondents_trends(
    series, client, bob
):
    client.force_login(bob)
    # A worker already at it (its flag set, as `request_panel_trends` leaves it).
    cache.add(TrendsKey(series, panel=True).page("pending"), "1")
    page = client.get("/resultats/2022/tendances/?panel=on")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Le panel constant est en cours de calcul" in text
    assert "par édition, tous les répondants" in text and "Panel constant 2018" not in text
    download = client.get("/resultats/2022/tendances/tendances.csv")
    assert download.status_code == 302 and download["Location"].endswith("?panel=on")
    # The worker done (here: its flag gone, the page asks again and tasks run eagerly).
    cache.delete(TrendsKey(series, panel=True).page("pending"))
    text = client.get("/resultats/2022/tendances/?panel=on").content.decode()
    assert "en cours de calcul (de quelques" not in text
    assert "Panel constant 2018 → 2021 — 12" in text


def test_the_worker_caches_the_panel_for_the_page(series):
    assert compute_panel_trends(series.pk) == 2
    key = TrendsKey(series, panel=True)
    assert cached_trends(key)["questions"][0]["panel"][0]["panel"] == 12
    assert cache.get(key.page("pending")) is None
