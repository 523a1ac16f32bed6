"""Taking over last edition's sheets, in Chromium: accessible offer, keyboard-usable button."""

import pytest

from tests.browser.support import assert_accessible
from tests.browser.test_answering_accessibility import open_session
from tests.surveys.test_filling_roster_copy import edition, last_year  # noqa: F401 — fixtures

pytestmark = pytest.mark.browser


def test_the_offer_is_accessible_and_the_keyboard_takes_the_sheets_over(
    page,
    rennes,
    edition,  # noqa: F811
    last_year,  # noqa: F811
):
    open_session(page, rennes, edition, "rose@rennes.test")
    page.goto("/repondre/2030/section/fiches/")
    button = page.get_by_role("button", name="Reprendre les fiches de 2029")
    assert "avait rempli 3 fiches" in page.locator("#reprise-fiches_dispositifs").inner_text()
    assert_accessible(page, "section avec des fiches à reprendre")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("#q-fiches_dispositifs-2-nom").input_value() == "Fabrique citoyenne"
    assert not button.count()
    assert_accessible(page, "section après reprise des fiches")
