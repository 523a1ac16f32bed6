"""The respondent's page of results compared with similar collectivités."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from respondents.models import Collectivite, Contact, Invitation
from surveys.models import Edition
from tests.results.results_data import build_2021, collectivite, respond

pytestmark = pytest.mark.django_db
URL = "/resultats/2021/ma-collectivite/"


@pytest.fixture
def edition():
    cache.clear()
    edition = build_2021()
    for n in range(11, 21):
        respond(edition, collectivite(f"C{n}", 2500, "53"), {"etp_participation": 2})
    # Respondents reach their pages while the edition is open.
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.OPEN)
    edition.refresh_from_db()
    return edition


def sign_in(client, edition, code: str) -> None:
    coll = Collectivite.objects.get(code=code)
    contact = Contact.objects.create(collectivite=coll, email=f"{code.lower()}@mairie.test")
    invitation = Invitation.objects.create(
        edition=edition, collectivite=coll, contact=contact, token_hash=Invitation.new_token()[1]
    )
    token = invitation.issue_token()
    response = client.post(reverse("access:magic-link", args=[token]))
    assert response.status_code == 302


def test_the_url_is_the_documented_one():
    assert reverse("results:my-benchmark", args=[2021]) == URL


def test_a_respondent_sees_its_answers_next_to_its_peers(client, edition):
    sign_in(client, edition, "C1")
    page = client.get(URL).content.decode()
    assert "Vos résultats comparés" in page
    assert "14 autres collectivités du même type (Commune)" in page
    assert "Votre réponse" in page and "0.5" in page
    assert "1,96" in page  # the peers' mean ETP
    assert "Votre valeur — Budget de la participation par habitant" in page
    # Other collectivités are never named.
    assert "C2" not in page and "C15" not in page


def test_without_a_magic_link_session_the_page_does_not_exist(client, edition, alice):
    assert client.get(URL).status_code == 404
    client.force_login(alice)  # a staff account is not a respondent session
    assert client.get(URL).status_code == 404


def test_a_collectivite_that_has_not_submitted_is_told_so(client, edition):
    sign_in(client, edition, "C8")  # a draft
    page = client.get(URL).content.decode()
    assert "la comparaison sera disponible une fois le questionnaire envoyé" in page
