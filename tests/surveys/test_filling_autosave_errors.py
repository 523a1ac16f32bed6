"""The autosave URL answers JSON whatever goes wrong, with a French message and the right
status, and keeps what was already saved."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from surveys import filling
from surveys.models import Response
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import enter, stored

YEAR = 2030
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def edition(db):
    return build_edition(YEAR)


@pytest.fixture
def agent(client, edition, rennes):
    enter(client, edition, rennes)
    return client


@pytest.fixture
def saved(agent, edition, rennes) -> Response:
    """Rennes has saved 7 meetings (version 1)."""
    first = agent.post(autosave_url("moyens"), {"version": "0", "nb_reunions": "7"}, **JSON)
    assert first.status_code == 200
    return Response.objects.get(edition=edition, collectivite=rennes)


def autosave_url(section: str) -> str:
    return reverse("answering:autosave", args=[YEAR, section])


def refusal(page, status: int) -> str:
    assert page.status_code == status
    assert page["Content-Type"] == "application/json"
    data = page.json()
    assert data["ok"] is False
    assert data["error"] == data["message"]
    return data["error"]


def test_a_body_that_is_not_form_data_is_a_400_and_changes_nothing(agent, saved):
    page = agent.post(autosave_url("moyens"), "{pas du json", content_type="application/json")
    assert "illisible" in refusal(page, 400)
    assert stored(saved, "nb_reunions") == 7


def test_a_stray_byte_is_refused_for_its_field_and_the_rest_is_saved(agent, saved):
    body = b"version=1&nb_reunions=8&commentaire=caf%FF%00"
    page = agent.post(
        autosave_url("moyens"), body, content_type="application/x-www-form-urlencoded", **JSON
    )
    assert page.status_code == 200
    assert page.json()["ok"] is True
    saved.refresh_from_db()
    assert stored(saved, "nb_reunions") == 8
    assert "\x00" not in (stored(saved, "commentaire") or "")


def test_an_unknown_question_is_ignored_and_an_unknown_section_is_a_json_404(agent, saved):
    fields = {"version": "1", "nb_reunions": "7", "inconnue": "x"}
    page = agent.post(autosave_url("moyens"), fields, **JSON)
    assert page.status_code == 200
    assert not saved.answers.filter(question__code="inconnue").exists()
    gone = agent.post(autosave_url("inconnue"), {"version": "2", "nb_reunions": "9"}, **JSON)
    assert "n'existe pas" in refusal(gone, 404)
    assert stored(saved, "nb_reunions") == 7


def test_a_closed_edition_refuses_the_save_in_json(agent, edition, saved):
    edition.closes_at = timezone.now() - timedelta(hours=1)
    edition.save()
    page = agent.post(autosave_url("moyens"), {"version": "1", "nb_reunions": "9"}, **JSON)
    assert "est clos" in refusal(page, 403)
    assert stored(saved, "nb_reunions") == 7


def test_without_a_session_the_autosave_says_so_in_json_whatever_it_accepts(edition, saved):
    for headers in ({}, JSON):
        page = Client().post(
            autosave_url("moyens"), {"version": "1", "nb_reunions": "9"}, **headers
        )
        assert refusal(page, 403).startswith("Votre session est terminée")
        assert page.json()["session_ended"] is True
    assert stored(saved, "nb_reunions") == 7


def test_a_stale_csrf_token_is_a_json_403(edition, rennes):
    client = Client(enforce_csrf_checks=True)
    enter(client, edition, rennes)
    page = client.post(autosave_url("moyens"), {"version": "0", "nb_reunions": "9"}, **JSON)
    assert "Rechargez la page" in refusal(page, 403)
    assert not Response.objects.filter(edition=edition, answers__isnull=False).exists()


def test_a_get_is_a_json_405(agent):
    page = agent.get(autosave_url("moyens"), **JSON)
    assert refusal(page, 405)
    assert page["Allow"] == "POST"


def test_a_conflict_keeps_its_shape_with_the_french_error(agent, saved):
    stale = agent.post(autosave_url("moyens"), {"version": "0", "nb_reunions": "8"}, **JSON)
    assert "Une autre personne" in refusal(stale, 409)
    assert stale.json()["conflict"] is True
    assert filling.response_for(saved.edition, saved.collectivite).version == 1
