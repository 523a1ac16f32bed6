"""No dead end for the agent: the ended-session page leads to a new link by keyboard, error
pages are French and accessible, and a failed autosave keeps what was typed and tries again."""

import json

import pytest

from surveys.models import Response
from tests.browser.support import assert_accessible, confirm_magic_link, invite, tab_to
from tests.browser.test_answering_accessibility import check_page

pytestmark = pytest.mark.browser


def test_a_respondent_page_without_session_leads_to_a_new_link_by_keyboard(
    page, rennes, edition_2021
):
    invite(rennes, edition_2021, "agnes.martin@ville-rennes.test")
    answer = page.goto("/repondre/2021/section/profil/")
    assert answer.status == 403
    assert page.locator("h1").inner_text() == "Votre session est terminée"
    assert "Rennes" not in page.inner_text("body")
    check_page(page, "session terminée")

    tab_to(page, "el.name === 'email'")
    page.keyboard.type("agnes.martin@ville-rennes.test")
    tab_to(page, "el.type === 'submit' && el.textContent.includes('Recevoir un nouveau lien')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/acces/renvoyer/")
    assert "un courriel contenant un nouveau lien" in page.inner_text("main")


def test_after_logging_out_the_questionnaire_says_the_session_ended(page, rennes, edition_2021):
    token = invite(rennes, edition_2021, "agnes.martin@ville-rennes.test")
    confirm_magic_link(page, f"/acces/{token}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Se déconnecter").first.click()
    assert page.goto("/repondre/2021/").status == 403
    assert page.get_by_role("link", name="Retour à l'accueil de la plateforme").is_visible()
    assert page.get_by_role("button", name="Recevoir un nouveau lien").is_visible()


def test_the_404_page_is_french_and_accessible(page, edition_2021):
    answer = page.goto("/cette-page-n-existe-pas/")
    assert answer.status == 404
    assert page.locator("h1").inner_text() == "Page introuvable"
    assert_accessible(page, "page introuvable")


def test_a_failed_autosave_keeps_the_typed_value_says_why_and_tries_again(
    page, rennes, edition_2021
):
    token = invite(rennes, edition_2021, "agnes.martin@ville-rennes.test")
    confirm_magic_link(page, f"/acces/{token}/")
    page.goto("/repondre/2021/section/moyens/")
    failures = []

    def first_fails(route):
        if not failures:
            failures.append(route.request.url)
            message = "La base de données est momentanément injoignable."
            body = json.dumps({"ok": False, "error": message, "message": message})
            route.fulfill(status=503, content_type="application/json", body=body)
        else:
            route.continue_()

    page.route("**/autosave/", first_fails)
    field = page.locator("[name='etp_participation']")
    field.fill("2,5")
    status = page.locator("#autosave-status")
    status.filter(has_text="momentanément injoignable").wait_for()
    assert "Nouvel essai dans 5 s" in status.inner_text()
    assert status.get_attribute("aria-live") == "polite"
    assert field.input_value() == "2,5"
    assert_accessible(page, "enregistrement automatique en échec")

    status.filter(has_text="Enregistré à").wait_for()
    assert failures and field.input_value() == "2,5"
    answer = Response.objects.get(edition=edition_2021, collectivite=rennes)
    assert answer.answers.get(question__code="etp_participation").value == "2.5"


def test_an_ended_session_stops_the_autosave_and_keeps_the_value(page, rennes, edition_2021):
    token = invite(rennes, edition_2021, "agnes.martin@ville-rennes.test")
    confirm_magic_link(page, f"/acces/{token}/")
    page.goto("/repondre/2021/section/moyens/")
    # The session expires (the CSRF cookie stays): the next autosave finds no session.
    kept = [c for c in page.context.cookies() if c["name"] != "sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies(kept)
    field = page.locator("[name='etp_participation']")
    field.fill("3")
    status = page.locator("#autosave-status")
    status.filter(has_text="Votre session est terminée").wait_for()
    assert "notez-les" in status.inner_text()
    assert field.input_value() == "3"
