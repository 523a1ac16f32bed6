"""Every respondent URL needs the respondent's own session; ids are looked up in its response."""

import pytest
from django.test import Client
from django.urls import reverse

from surveys import filling
from surveys.models import Response
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import enter, question

YEAR = 2030
GET_URLS = [
    ("answering:home", []),
    ("answering:section", ["profil"]),
    ("answering:review", []),
    ("answering:confirmation", []),
    ("answering:answers", []),
    ("answering:print", []),
    ("answering:receipt", []),
]
POST_URLS = [
    ("answering:section", ["profil"]),
    ("answering:autosave", ["profil"]),
    ("answering:roster-add", ["fiches", "fiches_dispositifs"]),
    ("answering:roster-remove", ["fiches", "fiches_dispositifs", 1]),
    ("answering:review", []),
]


@pytest.fixture
def edition(db):
    return build_edition(YEAR)


@pytest.fixture
def rennes_response(edition, rennes):
    """Rennes has a draft with one roster item."""
    response = filling.response_for(edition, rennes)
    filling.add_roster_item(response, question(response, "fiches_dispositifs"), 0)
    return response


@pytest.mark.parametrize(("name", "args"), GET_URLS + POST_URLS)
def test_every_respondent_url_is_404_without_a_session(client, rennes_response, name, args):
    target = reverse(name, args=[YEAR, *args])
    assert client.get(target).status_code in (404, 405)
    assert client.post(target, {"version": "1"}).status_code == 404


@pytest.mark.parametrize(("name", "args"), GET_URLS + POST_URLS)
def test_a_session_for_another_edition_opens_nothing_here(client, rennes, name, args):
    build_edition(YEAR)
    other = build_edition(2029)
    enter(client, other, rennes)
    target = reverse(name, args=[YEAR, *args])
    assert client.post(target, {"version": "0"}).status_code == 404


def test_another_collectivites_session_only_reaches_its_own_response(
    client, edition, rennes_response, metz_metropole
):
    enter(client, edition, metz_metropole)
    remove = reverse("answering:roster-remove", args=[YEAR, "fiches", "fiches_dispositifs", 1])
    assert client.post(remove, {"version": str(rennes_response.version)}).status_code == 404
    for name, args in GET_URLS:
        page = client.get(reverse(name, args=[YEAR, *args]))
        assert b"Rennes" not in page.content
    for name, args in POST_URLS[:3]:
        client.post(reverse(name, args=[YEAR, *args]), {"version": "0"})
    rennes_response.refresh_from_db()
    assert rennes_response.version == 1
    assert rennes_response.answers.count() == 1  # its roster count, untouched
    metz = Response.objects.get(edition=edition, collectivite=metz_metropole)
    assert metz.pk != rennes_response.pk


def test_an_unknown_section_or_roster_is_404(client, edition, rennes_response, rennes):
    enter(client, edition, rennes)
    assert client.get(reverse("answering:section", args=[YEAR, "inconnue"])).status_code == 404
    add = reverse("answering:roster-add", args=[YEAR, "profil", "fonction_repondant"])
    assert client.post(add, {"version": "1"}).status_code == 404
    other = Client()
    assert other.get(reverse("answering:home", args=[YEAR])).status_code == 404
