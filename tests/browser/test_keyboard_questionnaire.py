"""A whole 2021 questionnaire answered with the keyboard only: Tab, arrows, Space, Enter, typing.

No click and no fill(): every control is reached by tabbing from the top of the page, and what
is typed goes to whatever has the focus. The answers are drawn from the definitions for a
commune (so the elections focus is asked), with conditions that reveal questions.
"""

from urllib.parse import urlsplit

import pytest

from surveys.models import Response
from tests.browser.answers import (
    FieldPlan,
    answer_page_with_keyboard,
    as_answer_set,
    comparable,
    planned_answers,
    stored_answer_set,
)
from tests.browser.support import focus_indicator, focus_is_visible, invite, tab_to

pytestmark = pytest.mark.browser

# Answers that reveal conditional questions, so that the keyboard meets them as they appear.
REVEALING = {
    "service_dedie": "oui",
    "reseaux_sociaux": "oui",
    "elections_concernee": "oui",
    "priorites_evolution": "oui",
}


def revealing_answers(edition, collectivite):
    for seed in range(200):
        planned = planned_answers(edition, collectivite, seed)
        values = {p.question.code: p.value for p in planned}
        if all(values.get(code) == value for code, value in REVEALING.items()) and any(
            p.other_text for p in planned
        ):
            return planned
    raise AssertionError("aucune graine ne donne les réponses voulues")


def press_enter_and_wait(page) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_an_agent_completes_the_2021_questionnaire_with_the_keyboard_only(
    page, rennes, edition_2021
):
    planned = revealing_answers(edition_2021, rennes)
    codes = {p.question.code for p in planned}
    assert {"service_intitule", "reseaux_utilises", "changement_majorite"} <= codes
    by_section: dict[str, list] = {}
    for answer in planned:
        by_section.setdefault(answer.question.section.code, []).append(answer)
    token = invite(rennes, edition_2021, "agnes.martin@ville-rennes.test")

    page.goto(f"/acces/{token}/")
    tab_to(page, "el.type === 'submit' && el.textContent.includes('Accéder au questionnaire')")
    press_enter_and_wait(page)
    assert urlsplit(page.url).path.endswith("/repondre/2021/")

    tab_to(page, "el.textContent.trim() === 'Commencer le questionnaire'")
    assert focus_is_visible(focus_indicator(page))
    press_enter_and_wait(page)

    visited = []
    while "/section/" in urlsplit(page.url).path:
        code = urlsplit(page.url).path.rstrip("/").rsplit("/", 1)[1]
        visited.append(code)
        with page.expect_navigation():
            answer_page_with_keyboard(page, FieldPlan.of(by_section.get(code, [])))
        summary = page.locator("[data-error-summary]")
        assert not summary.count(), f"{code} : page refusée :\n{summary.inner_text()}"
        assert not urlsplit(page.url).path.endswith(f"/section/{code}/"), (
            f"{code} : pas de section suivante"
        )
    assert visited == [s.code for s in edition_2021.sections.order_by("order")]

    for _ in range(page.locator("input[name='confirm']").count()):
        tab_to(page, "el.name === 'confirm' && !el.checked")
        page.keyboard.press("Space")
    submit = "el.type === 'submit' && el.textContent.includes('Envoyer ma réponse')"
    tab_to(page, submit)
    is_submit = f"() => {{ const el = document.activeElement; return {submit}; }}"
    page.keyboard.press("Shift+Tab")
    assert not page.evaluate(is_submit)
    page.keyboard.press("Tab")
    assert page.evaluate(is_submit)
    press_enter_and_wait(page)
    assert urlsplit(page.url).path.endswith("/repondre/2021/confirmation/")

    response = Response.objects.get(collectivite=rennes, edition=edition_2021)
    assert response.status == Response.Status.SUBMITTED
    assert comparable(stored_answer_set(response)) == comparable(as_answer_set(planned))
