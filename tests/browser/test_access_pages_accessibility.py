"""axe-core and keyboard checks on the magic-link pages and the resend-my-link page."""

import pytest

from tests.browser.support import (
    assert_accessible,
    confirm_magic_link,
    focus_indicator,
    focus_is_visible,
    invite,
    unnamed_controls,
)

pytestmark = pytest.mark.browser


def _accessible_with_named_controls(page, what: str) -> None:
    assert_accessible(page, what)
    assert unnamed_controls(page) == [], what


def test_the_magic_link_confirmation_and_landing_pages_are_accessible(page, rennes, edition_2021):
    token = invite(rennes, edition_2021, "agnes.martin@ville-rennes.test")

    def check(confirmation):
        _accessible_with_named_controls(confirmation, "confirmation du lien")
        assert "pour Rennes" in confirmation.inner_text("main")

    confirm_magic_link(page, f"/acces/{token}/", check)

    assert page.url.endswith("/repondre/2021/")
    _accessible_with_named_controls(page, "accueil du répondant")


def test_an_unknown_link_explains_itself_accessibly(page, edition_2021):
    response = page.goto("/acces/inconnu-0123456789/")
    assert response.status == 404
    _accessible_with_named_controls(page, "lien inconnu")


def test_the_resend_link_page_leads_from_its_error_summary_to_the_field(page):
    page.goto("/acces/renvoyer/")
    _accessible_with_named_controls(page, "renvoi du lien")

    page.keyboard.press("Tab")
    while page.evaluate("() => document.activeElement.type") != "submit":
        page.keyboard.press("Tab")
    assert focus_is_visible(focus_indicator(page))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    summary = page.locator("[data-error-summary]")
    assert page.evaluate("() => document.activeElement.matches('[data-error-summary]')")
    assert "Indiquez votre adresse électronique." in summary.inner_text()
    _accessible_with_named_controls(page, "renvoi du lien avec erreur")

    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('[data-error-summary]') !== null")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.name") == "email"
    assert focus_is_visible(focus_indicator(page))

    page.keyboard.type("agnes.martin@ville-rennes.test")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "un courriel contenant un nouveau lien" in page.inner_text("main")
    _accessible_with_named_controls(page, "lien renvoyé")
