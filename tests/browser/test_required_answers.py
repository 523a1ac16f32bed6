"""Required means required, softly: a page left with required answers missing is reminded on
the next page (accessible, dismissible by keyboard), and a required matrix with one row
unanswered blocks the submission until that row is given."""

from urllib.parse import urlsplit

import pytest

from surveys.models import Answer, Response
from tests.browser.answers import planned_answers, store_draft
from tests.browser.support import assert_accessible, focus_indicator, focus_is_visible, tab_to
from tests.browser.test_answering_accessibility import open_session

pytestmark = pytest.mark.browser


def test_leaving_a_page_with_a_required_answer_missing_is_reminded_then_dismissed(
    page, rennes, edition_2021
):
    open_session(page, rennes, edition_2021, "agnes.martin@ville-rennes.test")
    page.goto("/repondre/2021/section/profil/")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer et continuer", exact=True).click()
    assert urlsplit(page.url).path.endswith("/section/dispositifs_participatifs/")
    notice = page.locator("#left-incomplete")
    assert notice.get_by_role("heading").inner_text() == (
        "Il manque 2 réponses obligatoires à la page « Profil »"
    )
    assert notice.get_attribute("role") == "status"
    assert_accessible(page, "rappel des réponses manquantes")

    tab_to(page, "el.textContent.trim() === 'Masquer ce rappel'")
    assert focus_is_visible(focus_indicator(page))
    page.keyboard.press("Enter")
    assert not notice.is_visible()
    assert page.evaluate("() => document.activeElement.id") == "contenu"

    page.goto(page.url)  # shown again: it is the server's, no state kept in the browser
    with page.expect_navigation():
        notice.get_by_role("link").first.click()
    assert urlsplit(page.url).path.endswith("/section/profil/")
    assert urlsplit(page.url).fragment == "question-fonction_repondant"


def test_a_required_matrix_row_left_blank_blocks_the_submission_until_given(
    page, rennes, edition_2021
):
    response = store_draft(edition_2021, rennes, planned_answers(edition_2021, rennes, seed=21))
    apports = Answer.objects.get(response=response, question__code="apports")
    blank_row = sorted(apports.value)[0]
    Answer.objects.filter(pk=apports.pk).update(
        value={row: choice for row, choice in apports.value.items() if row != blank_row}
    )
    open_session(page, rennes, edition_2021, "agnes.martin@ville-rennes.test")

    page.goto("/repondre/2021/relecture/")
    missing = page.locator(".review-missing li")
    assert missing.count() == 1
    assert "Selon vous, les outils numériques de participation" in missing.inner_text()
    for box in page.locator("input[name='confirm']").all():
        box.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer ma réponse").click()
    assert page.evaluate("() => document.activeElement.matches('[data-error-summary]')")
    assert "Réponse obligatoire manquante" in page.locator("[data-error-summary]").inner_text()
    assert_accessible(page, "envoi refusé : ligne de matrice manquante")
    response.refresh_from_db()
    assert response.status == Response.Status.DRAFT

    with page.expect_navigation():
        page.locator(".review-missing li a").click()
    assert urlsplit(page.url).fragment == "question-apports"
    page.locator(f"input[name='apports.{blank_row}']").first.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer et continuer", exact=True).click()
    page.goto("/repondre/2021/relecture/")
    assert "Aucune : toutes les questions obligatoires ont une réponse." in page.inner_text("main")
    for box in page.locator("input[name='confirm']").all():
        box.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer ma réponse").click()
    assert urlsplit(page.url).path.endswith("/repondre/2021/confirmation/")
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
