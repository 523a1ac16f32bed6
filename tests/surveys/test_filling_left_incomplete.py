"""Leaving a started page with required answers missing: the next page says how many, with a
link to each; nothing but the submission is blocked."""

import re

import pytest
from django.urls import reverse

from surveys.models import Question
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import enter

YEAR = 2030
TITLE = re.compile(r'<h2 class="h5" id="left-incomplete-title">([^<]*)</h2>')


@pytest.fixture
def edition(db):
    edition = build_edition(YEAR)
    Question.objects.filter(edition=edition, code="apports").update(required=True)
    return edition


@pytest.fixture
def agent(client, edition, rennes):
    enter(client, edition, rennes)
    return client


def url(name, *args):
    return reverse(name, args=[YEAR, *args])


def post(client, code, fields, action="continue"):
    page = client.get(url("answering:section", code))
    version = re.search(r'name="version" value="(\d+)"', page.content.decode()).group(1)
    return client.post(
        url("answering:section", code), {"version": version, "action": action, **fields}
    )


def reminder(page) -> str | None:
    found = TITLE.search(page.content.decode())
    return found.group(1) if found else None


def test_continuing_without_a_required_answer_is_reminded_on_the_next_page(agent):
    left = post(agent, "profil", {"service_dedie": "oui"})
    assert left.status_code == 302
    page = agent.get(left.url)
    assert page.status_code == 200
    assert reminder(page) == "Il manque 1 réponse obligatoire à la page « Profil »"
    html = page.content.decode()
    assert f'href="{url("answering:section", "profil")}#question-fonction_repondant"' in html
    assert (
        'id="question-fonction_repondant"'
        in agent.get(url("answering:section", "profil")).content.decode()
    )


def test_every_missing_row_of_a_required_matrix_counts_until_all_are_given(agent):
    fields = {"apports.transparence": "tout_a_fait"}
    left = post(agent, "moyens", fields, action="later")
    assert left.url.startswith(url("answering:home"))
    assert reminder(agent.get(left.url)) == ("Il manque 1 réponse obligatoire à la page « Moyens »")
    one_more = {**fields, "apports.efficacite": "plutot"}
    left = post(agent, "moyens", one_more)
    assert reminder(agent.get(left.url)) == "Il manque 1 réponse obligatoire à la page « Moyens »"
    left = post(agent, "moyens", {**one_more, "apports.confiance": "pas_du_tout"})
    assert reminder(agent.get(left.url)) is None


def test_the_previous_and_overview_links_carry_the_page_left(agent):
    post(agent, "moyens", {"nb_reunions": "3"}, action="later")
    html = agent.get(url("answering:section", "moyens")).content.decode()
    back = url("answering:section", "profil") + "?depuis=moyens"
    assert f'href="{back}">Section précédente' in html
    assert f'href="{url("answering:home")}?depuis=moyens"' in html
    assert reminder(agent.get(back)) == "Il manque 1 réponse obligatoire à la page « Moyens »"
    review = agent.get(url("answering:review") + "?depuis=moyens")
    assert reminder(review) == "Il manque 1 réponse obligatoire à la page « Moyens »"


def test_a_page_only_looked_at_a_complete_page_or_a_stray_code_gives_no_reminder(agent):
    assert reminder(agent.get(url("answering:home") + "?depuis=profil")) is None
    left = post(agent, "profil", {"fonction_repondant": "elu"})
    assert reminder(agent.get(left.url)) is None
    for stray in ("inconnue", "profil%00", "%FF", ""):
        page = agent.get(url("answering:home") + f"?depuis={stray}")
        assert page.status_code == 200
        assert reminder(page) is None


def test_the_reminder_does_not_show_on_the_page_it_is_about(agent):
    post(agent, "profil", {"service_dedie": "oui"})
    page = agent.get(url("answering:section", "profil") + "?depuis=profil")
    assert reminder(page) is None
