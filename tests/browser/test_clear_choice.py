"""A ticked single choice can be unticked: "Effacer la réponse", saved like any other change."""

import pytest

from surveys.models import Answer
from tests.browser.support import assert_accessible
from tests.browser.test_answering_accessibility import open_session

pytestmark = pytest.mark.browser


def stored(code: str):
    answer = Answer.objects.filter(question__code=code, item=0).first()
    return None if answer is None else answer.value


def test_an_agent_clears_a_single_choice_and_the_clearing_is_saved(page, rennes, edition_2021):
    open_session(page, rennes, edition_2021, "agnes@rennes.test")
    page.goto("/repondre/2021/section/dispositifs_participatifs/")
    clear = page.get_by_role("button", name="Effacer la réponse « Votre collectivité a-t-elle")
    status = page.locator("#autosave-status")
    assert not clear.is_visible()  # nothing ticked: nothing to clear

    page.locator("#q-service_dedie-oui").check()
    assert clear.is_visible()
    assert page.locator("#question-service_intitule").is_visible()
    status.filter(has_text="Enregistré à").wait_for()
    assert stored("service_dedie") == "oui"
    assert_accessible(page, "section avec un choix unique à effacer")

    page.evaluate("document.getElementById('autosave-status').textContent = ''")
    clear.focus()
    page.keyboard.press("Enter")
    assert not page.locator("#q-service_dedie-oui").is_checked()
    assert not page.locator("#q-service_dedie-non").is_checked()
    assert not clear.is_visible()
    assert page.evaluate("document.activeElement.id") == "q-service_dedie-oui"
    # The question it revealed hides again, and the page saves the cleared answer.
    assert not page.locator("#question-service_intitule").is_visible()
    status.filter(has_text="Enregistré à").wait_for()
    assert stored("service_dedie") is None

    page.reload()
    assert not page.locator("#q-service_dedie-oui").is_checked()
    assert not clear.is_visible()
