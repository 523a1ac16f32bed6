"""The results pages on a phone: nothing jumps when the charts appear, the contents lead to
every question, axe finds nothing, on an edition with a realistic number of answers."""

import pytest

from exports.results.cache import recompute
from surveys.models import Edition
from surveys.synthetic import seed_responses
from tests.browser.support import assert_accessible, speed, unnamed_controls, watch_speed

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 800}


@pytest.fixture
def published_2021(edition_2021):
    seed_responses(edition_2021, 60, seed=14)
    edition_2021.status = Edition.Status.PUBLISHED
    edition_2021.save()
    recompute(edition_2021)
    return edition_2021


def scroll_through(page) -> None:
    """Down the whole page, a screen at a time, as a reader would: each chart is drawn."""
    height = page.evaluate("() => document.body.scrollHeight")
    for top in range(0, height, PHONE["height"]):
        page.mouse.wheel(0, PHONE["height"])
        page.wait_for_timeout(30)
        if top > height:
            break
    page.wait_for_function(
        "() => [...document.querySelectorAll('figure.results-chart')].every((f) => f.dataset.drawn)"
    )


def test_the_public_results_do_not_shift_on_a_phone_and_pass_axe(page, published_2021):
    page.set_viewport_size(PHONE)
    watch_speed(page)
    page.goto("/resultats/2021/publics/")
    charts = page.locator("figure.results-chart").count()
    assert charts > 10
    # Only the charts near the screen are drawn at first.
    assert page.locator("figure.results-chart[data-drawn]").count() < charts
    scroll_through(page)
    measured = speed(page)
    assert measured["cls"] < 0.1, measured
    assert_accessible(page, "résultats publics, téléphone")
    assert unnamed_controls(page) == []


def test_the_contents_take_the_reader_to_a_question_and_back(page, published_2021):
    page.set_viewport_size(PHONE)
    page.goto("/resultats/2021/publics/")
    contents = page.locator("nav.results-contents")
    last = contents.locator("ol ol a").last
    target = last.get_attribute("href")
    last.click()
    page.wait_for_function(f"() => location.hash === '{target}'")
    # The question's heading comes on screen (the scroll may be smooth).
    page.wait_for_function(
        f"() => {{ const top = document.querySelector('{target}').getBoundingClientRect().top;"
        f" return top >= 0 && top < {PHONE['height']}; }}"
    )
    page.locator(target).locator("xpath=ancestor::section[last()]").get_by_role(
        "link", name="Retour au sommaire"
    ).click()
    page.wait_for_function("() => location.hash === '#sommaire'")
    assert page.locator("#sommaire").is_visible()
