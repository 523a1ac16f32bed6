"""The start of every wave: 2021 cloned into 2022 and opened, with no response yet.

Every results, trends, follow-up and export page of the new edition, and the trends of the
previous one, answer 200 with empty figures, never 500.
"""

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from surveys.models import Edition
from surveys.synthetic import seed_responses

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave_2022():
    cache.clear()
    call_command("import_edition", "editions/2021.yaml", verbosity=0)
    call_command("clone_edition", "2021", "2022", verbosity=0)
    Edition.objects.filter(year=2022).update(status=Edition.Status.OPEN)
    return Edition.objects.get(year=2022)


ANALYST_PAGES = [
    ("results:edition", [2022], {}),
    ("results:edition", [2022], {"type": "region"}),
    ("results:breakdown", [2022], {}),
    ("results:trends", [2022], {}),
    ("results:trends", [2021], {}),
    ("results:trends", [2022], {"panel": "on"}),
    ("results:trends-csv", [2022], {}),
    ("exports:list", [], {}),
]
STAFF_PAGES = [
    ("backoffice:edition", [2022], {}),
    ("backoffice:followup", [2022], {}),
    ("backoffice:responses", [2022], {}),
    ("backoffice:edition-preview", [2022], {}),
]


@pytest.mark.parametrize(("name", "args", "query"), ANALYST_PAGES + STAFF_PAGES)
def test_every_page_of_a_wave_without_answers_answers_200(
    client, alice, wave_2022, name, args, query
):
    client.force_login(alice)
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200, response.content[:300]


@pytest.mark.parametrize(("name", "args", "query"), ANALYST_PAGES)
def test_analysts_read_the_empty_wave_too(client, bob, wave_2022, name, args, query):
    client.force_login(bob)
    assert client.get(reverse(name, args=args), query).status_code == 200


def test_the_empty_results_page_says_no_collectivite_has_answered(client, bob, wave_2022):
    client.force_login(bob)
    page = client.get(reverse("results:edition", args=[2022])).content.decode()
    assert "0 collectivité" in page or "Aucune" in page


@pytest.fixture
def four_answers_in_2021(wave_2022):
    seed_responses(Edition.objects.get(year=2021), 4, seed=7)
    call_command("recount_results", verbosity=0)
    cache.clear()


PAGES_WITH_FOUR_BEHIND = [
    ("results:edition", [2021], {}),
    ("results:edition", [2021], {"type": "departement"}),
    ("results:breakdown", [2021], {}),
    ("results:trends", [2021], {}),
    ("results:trends", [2022], {}),
    ("results:trends", [2022], {"panel": "on"}),
    ("results:trends-csv", [2021], {}),
    ("results:edition", [2022], {}),
    ("backoffice:followup", [2021], {}),
    ("backoffice:followup", [2022], {}),
]


@pytest.mark.parametrize(("name", "args", "query"), PAGES_WITH_FOUR_BEHIND)
def test_four_respondents_last_year_and_none_this_year_never_answer_500(
    client, alice, four_answers_in_2021, name, args, query
):
    client.force_login(alice)
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200, response.content[:300]


def test_the_pages_state_the_base_of_four(client, bob, four_answers_in_2021):
    client.force_login(bob)
    page = client.get(reverse("results:edition", args=[2021])).content.decode()
    assert "4 réponses envoyées ou validées" in page
    assert "base : 4 collectivités concernées" in page
