"""The rules editor's form for how a question is reported, checked by the loader."""

from html import unescape

import pytest

from surveys.models import Edition
from tests.surveys.definition_helpers import import_shipped

pytestmark = pytest.mark.django_db

RULES = "/equipe/editions/2021/editeur/regles/"


@pytest.fixture
def edition():
    return import_shipped(2021)


def _reporting(edition):
    return Edition.objects.get(pk=edition.pk).rules.get("reporting", {})


def test_the_overview_says_how_each_ranking_and_number_is_reported(staff_client, edition):
    page = unescape(staff_client.get(RULES).content.decode())
    assert "Présentation des résultats" in page
    assert "top 3, points par rang : 3 ; 2 ; 1" in page
    assert f"{RULES}presentation/besoins/" in page


def test_a_ranking_gets_a_top_and_points(staff_client, edition):
    page = staff_client.post(f"{RULES}presentation/besoins/", {"top": "2", "points": "5 ; 3 ; 1"})
    assert page.status_code == 302
    assert _reporting(edition)["besoins"] == {"top": 2, "points": [5, 3, 1]}


def test_wrong_points_are_refused_beside_the_field_and_nothing_is_saved(staff_client, edition):
    before = _reporting(edition)
    page = staff_client.post(f"{RULES}presentation/besoins/", {"top": "2", "points": "5 ; 3"})
    assert page.status_code == 400
    html = unescape(page.content.decode())
    error = html.split('id="id_points-erreur">')[1].split("</p>")[0]
    assert "« points » : 2 valeur(s) pour 3 rangs" in error
    assert 'value="5 ; 3"' in html  # kept as typed
    assert _reporting(edition) == before


def test_a_top_beyond_the_ranks_is_refused_beside_its_field(staff_client, edition):
    page = staff_client.post(f"{RULES}presentation/besoins/", {"top": "4", "points": ""})
    assert page.status_code == 400
    error = unescape(page.content.decode()).split('id="id_top-erreur">')[1].split("</p>")[0]
    assert "« top » : un nombre de rangs entre 1 et 3" in error


def test_a_number_reports_its_chosen_statistics_and_none_is_refused(staff_client, edition):
    url = f"{RULES}presentation/etp_participation/"
    assert staff_client.post(url, {"stats": ["median"]}).status_code == 302
    assert _reporting(edition)["etp_participation"] == {"stats": ["median"]}
    page = staff_client.post(url, {})
    assert page.status_code == 400
    error = unescape(page.content.decode()).split('id="stats-erreur">')[1].split("</p>")[0]
    assert "au moins une statistique" in error
    assert _reporting(edition)["etp_participation"] == {"stats": ["median"]}


def test_the_defaults_leave_nothing_written(staff_client, edition):
    url = f"{RULES}presentation/besoins/"
    assert staff_client.post(url, {"top": "", "points": ""}).status_code == 302
    assert "besoins" not in _reporting(edition)


def test_a_question_that_is_neither_a_ranking_nor_a_number_has_no_form(staff_client, edition):
    assert staff_client.get(f"{RULES}presentation/service_dedie/").status_code == 404
    assert staff_client.get(f"{RULES}presentation/inconnue/").status_code == 404


def test_the_forms_show_the_current_reporting(staff_client, edition):
    ranking = unescape(staff_client.get(f"{RULES}presentation/besoins/").content.decode())
    assert 'value="3 ; 2 ; 1"' in ranking and 'name="top"' in ranking
    number = unescape(staff_client.get(f"{RULES}presentation/etp_participation/").content.decode())
    assert "<legend" in number and 'value="median"' in number and "checked" in number
