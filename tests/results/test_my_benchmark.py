"""The respondent's page of results compared with similar collectivités, and its links."""

import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.urls import reverse

from respondents.models import Collectivite, Contact, Invitation
from surveys.models import Edition
from tests.results.results_data import build_2021, collectivite, respond

pytestmark = pytest.mark.django_db
URL = "/resultats/2021/ma-collectivite/"
QUESTION_TEXTS = {
    "service_dedie": "Disposez-vous d'un service dédié ?",
    "dispositifs_existants": "Quels dispositifs existent ?",
    "apports": "Qu'apporte la participation ?",
    "besoins": "Vos besoins, par ordre de priorité",
    "etp_participation": "Combien d'ETP ?",
    "budget_participation": "Quel budget ?",
    "service_intitule": "Intitulé du service",
}


@pytest.fixture
def edition():
    cache.clear()
    edition = build_2021()
    for n in range(11, 21):
        respond(edition, collectivite(f"C{n}", 2500, "53"), {"etp_participation": 2})
    # The questions as the definition words them (the shared data names them by their code).
    for code, text in QUESTION_TEXTS.items():
        edition.questions.filter(code=code).update(text=text)
    # Respondents reach their pages while the edition is open.
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.OPEN)
    edition.refresh_from_db()
    return edition


def sign_in(client, edition, code: str) -> None:
    coll = Collectivite.objects.get(code=code)
    contact = Contact.objects.create(collectivite=coll, email=f"{code.lower()}@mairie.test")
    invitation = Invitation.objects.create(edition=edition, collectivite=coll, contact=contact)
    token = invitation.issue_token()
    response = client.post(reverse("access:magic-link", args=[token]))
    assert response.status_code == 302


def test_the_url_is_the_documented_one():
    assert reverse("results:my-benchmark", args=[2021]) == URL


class _Text(HTMLParser):
    """The words a reader sees: no tag, no attribute, no script (the charts' JSON)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        self.skipping += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.skipping -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    text = " ".join(" ".join(parser.parts).split())
    return text.replace("\u202f", " ").replace("\xa0", " ")


def test_a_respondent_sees_its_answers_next_to_its_peers(client, edition):
    sign_in(client, edition, "C1")
    text = visible_text(client.get(URL).content.decode())
    assert "Vos résultats comparés" in text
    assert "C1 est comparée à 14 communes de moins de 5 000 habitants" in text
    assert "Votre réponse : 0,5" in text  # its ETP, in French
    assert "1,96" in text  # the peers' mean ETP
    assert "Votre réponse : 500 €" in text
    assert "Votre valeur — Budget de la participation par habitant : 0,50 €/hab." in text
    # Other collectivités are never named.
    assert "C2" not in text and "C15" not in text


def test_the_page_shows_labels_and_french_numbers_never_codes(client, edition):
    sign_in(client, edition, "C6")  # the only métropole: compared with every respondent
    text = visible_text(client.get(URL).content.decode())
    assert "C6 (Métropole)" in text
    assert "C6 est comparée à l'ensemble des 17 collectivités répondantes" in text
    assert "Moins de 5 autres métropoles ont répondu" in text
    assert "Budget participatif" in text and "Réunions publiques" in text
    assert "Votre réponse : 300 000 €" in text
    # Peers' budgets: a mean with grouped thousands and the euro sign.
    assert re.search(r"\d{1,3}(?: \d{3})+,\d\d €", text)
    assert re.search(r"\d,\d %", text)  # percentages as the results pages round them
    codes = [
        "service_dedie",
        "dispositifs_existants",
        "etp_participation",
        "budget_participation",
        "conseil_jeunes",
        "tout_a_fait",
        "metropole",
        "lt5k",
        "500k_1m",
    ]
    assert [code for code in codes if code in text] == []


def test_the_page_is_rendered_once_per_generation_and_follows_its_own_answers(
    client, edition, django_assert_max_num_queries
):
    sign_in(client, edition, "C1")
    client.get(URL)
    with django_assert_max_num_queries(12):  # session, edition, response: no figure computed
        assert "Votre réponse : 0,5" in visible_text(client.get(URL).content.decode())
    c1 = Collectivite.objects.get(code="C1")
    response = c1.responses.get()
    answer = response.answers.get(question__code="etp_participation")
    answer.value, answer.number = "0.7", "0.7"
    answer.save()
    response.version += 1
    response.save()
    assert "Votre réponse : 0,7" in visible_text(client.get(URL).content.decode())


def test_another_collectivites_benchmark_is_refused_to_a_respondent(client, edition):
    sign_in(client, edition, "C1")
    other = Collectivite.objects.get(code="C2")
    response = client.get(reverse("results:collectivite", args=[2021, other.pk]))
    assert response.status_code in (302, 403, 404)
    # As a word: the page's random CSRF token may hold the letters "C2".
    assert not re.search(r"\bC2\b", response.content.decode())
    # Its own page is about itself only, whatever the year in the URL says: another year's
    # is the ended-session page (403), which never names a collectivité.
    other_year = client.get("/resultats/2018/ma-collectivite/")
    assert other_year.status_code == 403
    assert not re.search(r"\bC1\b", other_year.content.decode())


def test_the_confirmation_page_and_the_overview_link_to_the_benchmark(client, edition):
    sign_in(client, edition, "C1")
    link = f'href="{URL}"'
    for url in ("/repondre/2021/confirmation/", "/repondre/2021/"):
        page = client.get(url).content.decode()
        assert link in page, url
        assert "Me comparer aux collectivités comparables" in page


def test_a_draft_is_told_the_comparison_comes_after_sending(client, edition):
    sign_in(client, edition, "C8")  # a draft
    page = client.get("/repondre/2021/").content.decode()
    assert URL not in page
    assert "La comparaison avec les collectivités comparables sera disponible" in page


def test_without_a_magic_link_session_the_page_says_the_session_ended(client, edition, alice):
    assert client.get(URL).status_code == 403
    client.force_login(alice)  # a staff account is not a respondent session
    page = client.get(URL)
    assert page.status_code == 403
    assert "Votre session est terminée" in page.content.decode()


def test_a_collectivite_that_has_not_submitted_is_told_so(client, edition):
    sign_in(client, edition, "C8")  # a draft
    page = client.get(URL).content.decode()
    assert "la comparaison sera disponible une fois le questionnaire envoyé" in page
