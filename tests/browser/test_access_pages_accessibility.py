"""axe-core and keyboard checks on the magic-link, resend-my-link and access-request pages."""

import pytest

from tests.browser.support import (
    assert_accessible,
    confirm_magic_link,
    focus_indicator,
    focus_is_visible,
    invite,
    tab_to,
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


def test_the_access_request_page_from_search_to_sent_is_accessible(page, rennes, edition_2021):
    page.goto("/acces/demande/")
    _accessible_with_named_controls(page, "demande d'accès")

    tab_to(page, "el.name === 'q'")
    page.keyboard.type("Rennes")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("radio", name="Rennes (Commune, 35238)").count() == 1
    _accessible_with_named_controls(page, "demande d'accès, résultats")

    tab_to(page, "el.type === 'submit' && el.textContent.includes('Envoyer ma demande')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.matches('[data-error-summary]')")
    _accessible_with_named_controls(page, "demande d'accès, erreurs")
    links = page.locator("[data-error-summary] a")
    targets = []
    for index in range(links.count()):
        page.locator("[data-error-summary]").focus()
        for _ in range(index + 1):
            page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        targets.append(page.evaluate("() => document.activeElement.name"))
    assert targets == ["collectivite", "first_name", "last_name", "email"]

    page.keyboard.press("Shift+Tab")
    tab_to(page, "el.name === 'collectivite'")
    page.keyboard.press("Space")
    for name, text in (
        ("first_name", "Agnès"),
        ("last_name", "Martin"),
        ("email", "agnes.martin@ville-rennes.test"),
    ):
        tab_to(page, f"el.name === '{name}'")
        page.keyboard.type(text)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Votre demande est enregistrée" in page.inner_text("main")
    _accessible_with_named_controls(page, "demande d'accès envoyée")
