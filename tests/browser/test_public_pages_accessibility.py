"""axe-core and keyboard checks on the pages anyone reaches without a magic link."""

import pytest

from tests.browser.support import (
    assert_accessible,
    focus_indicator,
    focus_is_visible,
    unnamed_controls,
)

pytestmark = pytest.mark.browser


def test_the_home_page_has_no_accessibility_violation(page):
    page.goto("/")
    assert_accessible(page)
    assert unnamed_controls(page) == []


def test_the_skip_link_is_the_first_stop_and_moves_focus_to_the_content(page):
    page.goto("/")
    page.keyboard.press("Tab")
    indicator = focus_indicator(page)
    assert page.evaluate("() => document.activeElement.textContent") == "Aller au contenu"
    assert focus_is_visible(indicator), indicator
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "contenu"


def test_the_staff_login_page_with_errors_focuses_its_error_summary(page):
    page.goto("/compte/connexion/")
    assert_accessible(page, "connexion")
    assert unnamed_controls(page) == []

    page.keyboard.press("Tab")
    while page.evaluate("() => document.activeElement.name") != "username":
        page.keyboard.press("Tab")
    assert focus_is_visible(focus_indicator(page))
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type("faux")
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-error-summary]")

    assert page.evaluate("() => document.activeElement.matches('[data-error-summary]')")
    assert_accessible(page, "connexion avec erreurs")
