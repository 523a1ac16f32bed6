"""Chromium + axe + keyboard: staff judge a series break, then add a warning whose condition is
checked as they type, in the rules editor."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from barometre.roles import STAFF
from surveys.backoffice.editor.draft import change_definition, find_question
from surveys.definition.evolution import clone_edition
from surveys.models import Edition
from tests.browser.support import assert_accessible, tab_to, unnamed_controls

pytestmark = pytest.mark.browser


def _accessible(page, what: str) -> None:
    assert_accessible(page, what)
    assert unnamed_controls(page) == [], what


@pytest.fixture
def next_edition(edition_2021):
    edition = clone_edition(edition_2021, 2022, "Baromètre 2022")

    def reword(definition):
        find_question(definition, "service_dedie")["text"] = "Avez-vous un service dédié ?"

    return change_definition(edition, reword)


def _sign_in(page) -> None:
    user = get_user_model().objects.create_user("editrice", "editrice@example.test", "pw")
    user.groups.add(Group.objects.get_or_create(name=STAFF)[0])
    page.goto("/compte/connexion/")
    page.fill("[name=username]", "editrice")
    page.fill("[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/equipe/")


def test_staff_judge_a_break_and_add_a_warning_by_keyboard(page, next_edition):
    _sign_in(page)
    page.goto("/equipe/editions/2022/editeur/differences/")
    assert "1 rupture de série à confirmer" in page.inner_text("body")
    _accessible(page, "différences avec l'édition précédente")

    # A radio group is one tab stop; the arrows move the choice.
    tab_to(page, "el.name === 'service_dedie'")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.evaluate("() => document.activeElement.value") == "not_comparable"
    tab_to(page, "el.type === 'submit' && el.textContent.includes('Enregistrer les verdicts')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    body = page.inner_text("body")
    assert "Les ruptures de série ont été enregistrées." in body
    assert "Verdict enregistré : Non comparable" in body
    assert "à confirmer." not in body
    edition = Edition.objects.get(year=2022)
    assert edition.rules["trends"]["breaks"] == {"service_dedie": "not_comparable"}
    _accessible(page, "différences, verdict enregistré")

    page.goto("/equipe/editions/2022/editeur/regles/")
    _accessible(page, "règles de l'édition")
    tab_to(page, "el.tagName === 'A' && el.textContent.includes('Ajouter un avertissement')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _accessible(page, "nouvel avertissement")

    tab_to(page, "el.name === 'code'")
    page.keyboard.type("budget_nul")
    tab_to(page, "el.name === 'question'")
    page.keyboard.type("budget_participation")
    tab_to(page, "el.name === 'when'")
    page.keyboard.type("budget_participatio = 0")
    live = page.locator("[data-live-result=when]")
    assert live.get_attribute("aria-live") == "polite"
    page.wait_for_function(
        "() => document.querySelector('[data-live-result=when]').textContent.includes('inconnu')"
    )
    assert "code inconnu « budget_participatio »" in live.inner_text()
    tab_to(page, "el.name === 'message'")
    page.keyboard.type("Un budget de 0 € ?")
    tab_to(page, "el.type === 'submit'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator("[data-error-summary]")
    assert "code inconnu « budget_participatio »" in summary.inner_text()
    assert page.input_value("[name=when]") == "budget_participatio = 0"
    assert "budget_nul" not in str(Edition.objects.get(year=2022).rules)
    _accessible(page, "nouvel avertissement refusé")

    page.focus("[name=when]")
    page.keyboard.press("End")
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")
    page.keyboard.type("budget_participation = 0")
    page.wait_for_function(
        "() => document.querySelector('[data-live-result=when]').textContent"
        " === 'Condition valide.'"
    )
    tab_to(page, "el.type === 'submit'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Avertissement « budget_nul » enregistré." in page.inner_text("body")
    codes = [w["code"] for w in Edition.objects.get(year=2022).rules["warnings"]]
    assert "budget_nul" in codes

    page.goto("/equipe/editions/2022/editeur/regles/tranches/etp_participation/")
    _accessible(page, "tranches d'une question")


def test_staff_set_how_a_number_is_reported_and_read_the_refusal_beside_it(page, edition_2021):
    _sign_in(page)
    page.goto("/equipe/editions/2021/editeur/regles/presentation/etp_participation/")
    _accessible(page, "présentation d'un nombre")
    # Both statistics unticked: the loader refuses, the message sits in the fieldset.
    page.uncheck("input[value=mean]")
    page.uncheck("input[value=median]")
    with page.expect_navigation():
        page.click("text=Enregistrer la présentation")
    assert "au moins une statistique" in page.inner_text("#stats")
    _accessible(page, "présentation d'un nombre refusée")
    page.check("input[value=median]")
    with page.expect_navigation():
        page.click("text=Enregistrer la présentation")
    assert "médiane" in page.inner_text("section[aria-labelledby=presentation]")
    assert Edition.objects.get(year=2021).rules["reporting"]["etp_participation"] == {
        "stats": ["median"]
    }
    page.goto("/equipe/editions/2021/editeur/regles/presentation/besoins/")
    page.fill("[name=points]", "5 ; 3")
    with page.expect_navigation():
        page.click("text=Enregistrer la présentation")
    assert "il en faut une par rang" in page.inner_text("body")
    _accessible(page, "présentation d'un classement refusée")
