"""Paper entry offers last edition's answers and roster sheets, as the agents' pages do."""

import pytest
from django.urls import reverse

from surveys.models import Answer, Response
from tests.backoffice.conftest import commune
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import stored

pytestmark = pytest.mark.django_db


@pytest.fixture
def lorient_last_year(edition):
    """Lorient sent its 2030 response on paper: one answer, two sheets."""
    lorient = commune("Lorient", "56121", 57_000)
    previous = build_edition(2030)
    old = Response.objects.create(
        edition=previous, collectivite=lorient, status=Response.Status.SUBMITTED
    )
    questions = {q.code: q for q in previous.questions.all()}
    for code, item, value in [
        ("service_dedie", 0, "oui"),
        ("fiches_dispositifs", 0, 2),
        ("nom", 1, "Budget participatif"),
        ("nom", 2, "Conseil de quartier"),
    ]:
        Answer.objects.create(response=old, question=questions[code], item=item, value=value)
    return lorient


def start_entry(client, edition, collectivite) -> Response:
    client.post(
        reverse("backoffice:entry-start", args=[edition.year, collectivite.pk]),
        {"channel": "paper"},
    )
    return Response.objects.get(edition=edition, collectivite=collectivite)


def test_paper_entry_is_prefilled_from_last_editions_answer(
    client, alice, edition, lorient_last_year
):
    client.force_login(alice)
    response = start_entry(client, edition, lorient_last_year)
    page = client.get(reverse("backoffice:response-section", args=[response.pk, "profil"]))
    html = page.content.decode()
    assert "Réponse reprise de l'édition 2030 — à confirmer ou modifier" in html
    assert 'id="q-service_dedie-oui" value="oui" checked' in html
    # Nothing is stored until staff save the page.
    assert stored(response, "service_dedie") is None


def test_a_collectivite_without_a_previous_answer_gets_an_empty_page(client, alice, edition):
    lorient = commune("Lorient", "56121", 57_000)
    client.force_login(alice)
    response = start_entry(client, edition, lorient)
    html = client.get(
        reverse("backoffice:response-section", args=[response.pk, "profil"])
    ).content.decode()
    assert "Réponse reprise" not in html and "checked" not in html


def test_staff_take_over_last_editions_roster_sheets(client, alice, edition, lorient_last_year):
    client.force_login(alice)
    response = start_entry(client, edition, lorient_last_year)
    section_url = reverse("backoffice:response-section", args=[response.pk, "fiches"])
    html = client.get(section_url).content.decode()
    assert "la collectivité avait rempli 2 fiches" in html
    copy_url = reverse(
        "backoffice:response-roster-copy", args=[response.pk, "fiches", "fiches_dispositifs"]
    )
    assert copy_url in html
    response.refresh_from_db()
    page = client.post(copy_url, {"version": response.version}, follow=True)
    assert "2 fiches reprises de l&#x27;édition précédente" in page.content.decode()
    assert stored(response, "nom", item=2) == "Conseil de quartier"
    again = client.post(copy_url, {"version": response.version + 1}, follow=True)
    assert "Reprendre les fiches" not in again.content.decode()
