"""Review, submission, confirmation, receipt, read-only and printable copies, staff reopen."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from exports.results.models import ResultSnapshot
from respondents.models import EmailLog
from surveys import filling
from surveys.models import Response
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import enter

YEAR = 2030


@pytest.fixture
def edition(db):
    return build_edition(YEAR)


@pytest.fixture
def agent(client, edition, rennes):
    enter(client, edition, rennes, "rose.legoff@ville-rennes.test")
    return client


def url(name, *args):
    return reverse(name, args=[YEAR, *args])


def version_of(page) -> str:
    return re.search(r'name="version" value="(\d+)"', page.content.decode()).group(1)


def fill(client, code, fields):
    version = version_of(client.get(url("answering:section", code)))
    return client.post(url("answering:section", code), {"version": version, **fields})


def test_the_review_lists_answers_missing_questions_and_warnings(agent):
    fill(agent, "moyens", {"budget_participation": "12 000 000", "nb_reunions": "3"})
    page = agent.get(url("answering:review"))
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        '<a href="/repondre/2030/section/profil/#question-fonction_repondant">'
        "Question fonction_repondant</a> (Profil)" in html
    )
    assert 'name="confirm" value="budget_par_habitant_eleve"' in html
    assert "53,31 € par habitant" in html
    assert "<dt>Question nb_reunions</dt>" in html
    assert "<dd>3" in html
    assert "12\u202f000\u202f000 €" in html


@pytest.mark.django_db(transaction=True)
def test_submission_enforces_required_answers_then_confirms_and_sends_a_receipt(
    client, rennes, django_capture_on_commit_callbacks
):
    edition = build_edition(2031)
    enter(client, edition, rennes, "rose.legoff@ville-rennes.test")
    review = reverse("answering:review", args=[2031])
    fill_url = reverse("answering:section", args=[2031, "moyens"])
    version = version_of(client.get(fill_url))
    client.post(fill_url, {"version": version, "budget_participation": "12 000 000"})
    page = client.post(review, {"version": version_of(client.get(review))})
    html = page.content.decode()
    assert page.status_code == 400
    assert "Réponse obligatoire manquante : Question fonction_repondant (Profil)" in html
    assert '<a href="#confirm-budget_par_habitant_eleve">À confirmer : ' in html
    assert Response.objects.get(edition=edition).status == Response.Status.DRAFT

    profil = reverse("answering:section", args=[2031, "profil"])
    client.post(profil, {"version": version_of(client.get(profil)), "fonction_repondant": "dgs"})
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            review,
            {"version": version_of(client.get(review)), "confirm": "budget_par_habitant_eleve"},
        )
    assert page.status_code == 302
    assert page.url == reverse("answering:confirmation", args=[2031])
    response = Response.objects.get(edition=edition)
    assert response.status == Response.Status.SUBMITTED
    # The submission asked for the edition's results to be recomputed (eager here: done).
    snapshot = ResultSnapshot.objects.get(edition=edition)
    assert snapshot.data["respondents"] == 1
    confirmation = client.get(page.url).content.decode()
    assert "Merci, votre réponse est envoyée" in confirmation
    assert "rose.legoff@ville-rennes.test" in confirmation
    assert [m.to for m in mail.outbox] == [["rose.legoff@ville-rennes.test"]]
    assert "Nous avons bien reçu la réponse de Rennes" in mail.outbox[0].body
    assert EmailLog.objects.get(kind=EmailLog.Kind.RECEIPT).status == EmailLog.Status.SENT
    # Once sent, the pages show the answers read-only.
    section = client.get(profil)
    assert section.status_code == 302
    assert section.url == reverse("answering:answers", args=[2031])
    assert client.get(review).url == reverse("answering:answers", args=[2031])


def test_a_confirmed_warning_stays_confirmed_until_its_value_changes(agent, edition):
    checked = 'value="budget_par_habitant_eleve" id="confirm-budget_par_habitant_eleve" checked'
    fill(agent, "moyens", {"budget_participation": "12 000 000"})
    review = url("answering:review")
    refused = agent.post(
        review,
        {"version": version_of(agent.get(review)), "confirm": "budget_par_habitant_eleve"},
    )
    assert refused.status_code == 400  # fonction_repondant is missing
    # The agent goes to complete the profile, and comes back: the confirmation is kept.
    fill(agent, "profil", {"fonction_repondant": "dgs"})
    assert checked in agent.get(review).content.decode()
    # A new amount is a new question to confirm.
    fill(agent, "moyens", {"budget_participation": "13 000 000"})
    page = agent.get(review).content.decode()
    assert "57,76 € par habitant" in page
    assert 'id="confirm-budget_par_habitant_eleve"' in page and checked not in page
    refused = agent.post(review, {"version": version_of(agent.get(review))})
    assert refused.status_code == 400
    assert Response.objects.get(edition=edition).status == Response.Status.DRAFT


def test_a_stale_review_is_refused(agent, edition, rennes):
    fill(agent, "profil", {"fonction_repondant": "elu"})
    page = agent.post(url("answering:review"), {"version": "0"})
    assert page.status_code == 409
    assert "Une autre personne de votre collectivité" in page.content.decode()
    assert Response.objects.get(edition=edition).status == Response.Status.DRAFT


def test_the_read_only_and_printable_copies_show_the_answers(agent, edition, rennes):
    fill(agent, "profil", {"fonction_repondant": "autre", "fonction_repondant_autre": "<b>Élu</b>"})
    response = Response.objects.get(edition=edition)
    filling.submit_response(response, response.version)
    answers = agent.get(url("answering:answers")).content.decode()
    assert "<dt>Question fonction_repondant</dt>" in answers
    assert "Autre : &lt;b&gt;Élu&lt;/b&gt;" in answers
    assert "Réponse envoyée le" in answers
    assert 'href="/repondre/2030/impression/"' in answers
    printed = agent.get(url("answering:print")).content.decode()
    button = '<button type="button" class="print-button" data-print>'
    assert f"{button}Imprimer / enregistrer en PDF" in printed
    assert "Autre : &lt;b&gt;Élu&lt;/b&gt;" in printed
    assert "Réponses de <strong>Rennes</strong>" in printed
    assert "@media print" in (settings.BASE_DIR / "static/css/filling.css").read_text()


def test_staff_reopen_a_submitted_response(client, agent, edition, rennes, alice, charlie):
    fill(agent, "profil", {"fonction_repondant": "elu"})
    response = Response.objects.get(edition=edition)
    filling.submit_response(response, response.version)
    reopen = reverse("backoffice:response-reopen", args=[response.pk])
    outsider = Client()
    outsider.force_login(charlie)
    assert outsider.post(reopen).status_code == 403
    staff = Client()
    staff.force_login(alice)
    assert staff.get(reopen).status_code == 405
    done = staff.post(reopen)
    assert done.status_code == 302
    assert done.url == reverse("backoffice:response", args=[response.pk])
    response.refresh_from_db()
    assert response.status == Response.Status.DRAFT
    # The agent carries on.
    assert agent.get(url("answering:section", "profil")).status_code == 200
