"""The respondent's pages on a phone: no horizontal scrolling at 390 and 320 px, and a matrix
read as one group per row (its scale labelled beside each radio) under about 600 px."""

import pytest

from tests.browser.answers import planned_answers, store_draft
from tests.browser.support import assert_accessible
from tests.browser.test_answering_accessibility import open_session, section_paths

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.mark.parametrize("width", [390, 320])
def test_every_respondent_page_fits_a_phone(page, rennes, edition_2021, width):
    page.set_viewport_size({"width": width, "height": 800})
    store_draft(edition_2021, rennes, planned_answers(edition_2021, rennes, seed=21))
    open_session(page, rennes, edition_2021, f"agent{width}@ville-rennes.test")
    page.goto("/repondre/2021/")
    paths = ["/repondre/2021/", *section_paths(page, 2021), "/repondre/2021/relecture/"]
    for path in paths:
        page.goto(path)
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{path} à {width} px : {widths}"


def test_a_matrix_becomes_one_group_per_row_on_a_phone(page, rennes, edition_2021):
    page.set_viewport_size({"width": 390, "height": 800})
    open_session(page, rennes, edition_2021, "agent.matrice@ville-rennes.test")
    page.goto("/repondre/2021/")
    matrix_page = next(
        path
        for path in section_paths(page, 2021)
        if page.goto(path) and page.locator("fieldset.matrix").count()
    )
    page.goto(matrix_page)
    row = page.locator("fieldset.matrix tbody tr").first
    heading = row.locator("th[scope='row']")
    cells = row.locator("td")
    # The row's label sits above its choices, each choice named beside its radio.
    assert heading.bounding_box()["y"] < cells.first.bounding_box()["y"]
    first_label = cells.first.locator("label.matrix-cell-label")
    assert first_label.is_visible()
    scale = page.locator("fieldset.matrix thead th").first.inner_text()
    assert first_label.inner_text() == scale
    # Clicking the visible label picks the radio, and the table header is not shown.
    first_label.click()
    assert cells.first.locator("input[type=radio]").is_checked()
    # The choice is saved (and nothing is left to save when the page closes).
    page.locator("#autosave-status").filter(has_text="Enregistré à").wait_for()
    assert not page.locator("fieldset.matrix thead").first.is_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    assert_accessible(page, "matrice sur un téléphone")
    # On a desktop the matrix stays a table, without the repeated labels.
    page.set_viewport_size({"width": 1280, "height": 900})
    assert not first_label.is_visible()
    assert page.locator("fieldset.matrix thead").first.is_visible()
