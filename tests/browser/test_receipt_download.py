"""The PDF receipt in real Chromium: an agent sends the 2021 questionnaire, reaches the download
link with the keyboard on the confirmation page and on "Mes réponses", and the file downloaded
holds, read back with pypdf, every stored answer under its question; the staff download it from
the response page. axe on every page that offers it."""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from barometre.roles import STAFF
from surveys import filling
from surveys.filling import receipt
from surveys.models import Answer, Response
from tests.browser.answers import planned_answers, store_draft
from tests.browser.support import assert_accessible, confirm_magic_link, invite, tab_to
from tests.surveys.receipt_helpers import flat, pdf_text

pytestmark = pytest.mark.browser

LINK = "el.tagName === 'A' && el.textContent.includes(\"Télécharger l'accusé de réception\")"


def download_with_keyboard(page) -> Path:
    """Tab to the receipt's link and press Enter; returns the file the browser saved."""
    tab_to(page, LINK)
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    download = info.value
    assert download.failure() is None
    return Path(download.path())


def assert_holds_the_stored_answers(text: str, response: Response) -> None:
    answers = Answer.objects.filter(response=response).select_related("question__section")
    assert answers.count() > 20
    for answer in answers:
        assert flat(answer.question.text) in text, answer.question.code
        for line in filling.display_answer(answer.question, answer):
            assert flat(line) in text, f"{answer.question.code} : « {line} »"


def test_the_agent_sends_then_downloads_the_receipt_with_the_keyboard(page, rennes, edition_2021):
    store_draft(edition_2021, rennes, planned_answers(edition_2021, rennes, seed=21))
    confirm_magic_link(page, f"/acces/{invite(rennes, edition_2021, 'agnes@rennes.test')}/")
    page.goto("/repondre/2021/relecture/")
    for box in page.locator("input[name='confirm']").all():
        box.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer ma réponse").click()
    assert page.url.endswith("/repondre/2021/confirmation/")
    response = Response.objects.get(edition=edition_2021, collectivite=rennes)
    number = receipt.receipt_number(response)
    assert_accessible(page, "confirmation d'envoi")
    assert number in page.locator("main").inner_text()

    saved = download_with_keyboard(page)
    assert saved.read_bytes().startswith(b"%PDF-")
    text = pdf_text(saved.read_bytes())
    assert f"Numéro de reçu {number}" in text
    assert "Collectivité Rennes" in text
    moment = flat(receipt.french_moment(response.submitted_at))
    assert f"Réponse envoyée {moment}" in text
    assert_holds_the_stored_answers(text, response)

    page.goto("/repondre/2021/mes-reponses/")
    assert_accessible(page, "mes réponses, réponse envoyée")
    again = download_with_keyboard(page)
    assert pdf_text(again.read_bytes()) == text


def test_a_draft_shows_no_receipt_link_and_the_address_says_why(page, rennes, edition_2021):
    store_draft(edition_2021, rennes, planned_answers(edition_2021, rennes, seed=5))
    confirm_magic_link(page, f"/acces/{invite(rennes, edition_2021, 'agnes@rennes.test')}/")
    page.goto("/repondre/2021/mes-reponses/")
    assert page.get_by_role("link", name="Télécharger l'accusé de réception").count() == 0
    page.goto("/repondre/2021/accuse-de-reception.pdf")
    assert page.url.endswith("/repondre/2021/mes-reponses/")
    assert "disponible une fois la réponse envoyée" in page.locator("main").inner_text()
    assert_accessible(page, "mes réponses, brouillon, avec l'avis")


def test_the_staff_download_the_receipt_from_the_response_page(page, rennes, edition_2021):
    response = store_draft(edition_2021, rennes, planned_answers(edition_2021, rennes, seed=9))
    Response.objects.filter(pk=response.pk).update(
        status=Response.Status.SUBMITTED, submitted_at=timezone.now()
    )
    response.refresh_from_db()
    user = get_user_model().objects.create_user("equipe-recu", "equipe@example.test", "pw")
    user.groups.add(Group.objects.get_or_create(name=STAFF)[0])
    page.goto("/compte/connexion/")
    page.fill("[name=username]", "equipe-recu")
    page.fill("[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/equipe/")

    page.goto(f"/equipe/reponses/{response.pk}/")
    assert_accessible(page, "fiche de la réponse, avec l'accusé de réception")
    text = pdf_text(download_with_keyboard(page).read_bytes())
    assert f"Numéro de reçu {receipt.receipt_number(response)}" in text
    assert_holds_the_stored_answers(text, response)
