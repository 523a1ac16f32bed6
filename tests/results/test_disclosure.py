"""Small-cell suppression: no collectivité can be singled out from what is shown outside."""

import pytest

from exports.results.aggregates import compute_breakdown, compute_results
from exports.results.disclosure import suppress_breakdown, suppress_results
from tests.results.results_data import build_public

pytestmark = pytest.mark.django_db


@pytest.fixture
def public():
    edition = build_public()
    return edition, suppress_results(compute_results(edition))


def by_code(entries):
    return {e["code"]: e for e in entries}


def test_cells_under_5_are_hidden_and_larger_ones_shown(public):
    _edition, results = public
    choix = by_code(by_code(results["questions"])["choix"]["choices"])
    assert (choix["a"]["count"], choix["a"]["percent"]) == (6, 50.0)
    assert choix["b"]["count"] is None and choix["b"]["suppressed"]
    assert choix["c"]["percent"] is None


def test_a_question_answered_by_fewer_than_5_is_hidden_whole(public):
    _edition, results = public
    peu = by_code(results["questions"])["peu"]
    assert peu["hidden"] is True
    assert peu["base"] is None
    assert "choices" not in peu


def test_a_choice_nearly_everyone_made_is_hidden_too(public):
    _edition, results = public
    multi = by_code(by_code(results["questions"])["multi"]["choices"])
    assert multi["x"]["count"] == 7
    assert multi["y"]["count"] is None  # the 2 who did not choose it would stand out


def test_a_single_hidden_cell_is_not_left_derivable_from_the_base():
    from exports.results.disclosure import suppress_question

    question = {
        "code": "q",
        "type": "single",
        "kind": "choices",
        "base": 20,
        "choices": [
            {"code": "a", "label": "A", "count": 12, "percent": 60.0},
            {"code": "b", "label": "B", "count": 6, "percent": 30.0},
            {"code": "c", "label": "C", "count": 2, "percent": 10.0},
        ],
    }
    cells = by_code(suppress_question(question)["choices"])
    assert cells["a"]["count"] == 12
    assert cells["b"]["count"] is None and cells["c"]["count"] is None


def test_open_answers_never_reach_the_public_figures(public):
    _edition, results = public
    assert "intitule" not in by_code(results["questions"])
    assert "Secret-" not in str(results)


def test_a_breakdown_group_under_5_is_hidden(public):
    edition, _results = public
    question = edition.questions.get(code="choix")
    groups = by_code(suppress_breakdown(compute_breakdown(edition, question, "region"))["groups"])
    assert groups["44"]["hidden"] is True and groups["44"]["respondents"] is None
    assert groups["53"]["respondents"] == 9
    assert groups["53"]["base"] == 9
    cells = by_code(groups["53"]["choices"])
    # b (3) is small, so a (6) goes too: otherwise b = 9 - 6.
    assert cells["b"]["count"] is None and cells["a"]["count"] is None
    assert cells["c"]["count"] == 0
