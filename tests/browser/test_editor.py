"""The questionnaire editor in Chromium: accessible pages, reordering with the keyboard, a
condition checked as it is typed and refused on save with the typed text kept."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from barometre.roles import STAFF
from surveys.definition import export_definition
from surveys.definition.evolution import clone_edition
from surveys.models import Edition
from tests.browser.support import assert_accessible, unnamed_controls
from tests.surveys.definition_helpers import import_shipped

pytestmark = pytest.mark.browser


@pytest.fixture
def draft(transactional_db):
    user = get_user_model().objects.create_user("redaction", "redaction@example.test", "pw")
    user.groups.add(Group.objects.get_or_create(name=STAFF)[0])
    return clone_edition(import_shipped(2021), 2022, "Baromètre 2022")


def _sign_in(page) -> None:
    page.goto("/compte/connexion/")
    page.fill("[name=username]", "redaction")
    page.fill("[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/equipe/")


def _profil_codes(edition: Edition) -> list[str]:
    sections = export_definition(edition)["sections"]
    return [q["code"] for q in sections[0]["questions"]]


def test_the_editor_is_accessible_and_reorders_with_the_keyboard(draft, page):
    _sign_in(page)
    page.goto("/equipe/editions/2021/")
    page.get_by_role("link", name="Préparer l'édition suivante").click()
    assert_accessible(page, "préparer l'édition suivante")
    page.goto("/equipe/editions/2022/editeur/")
    assert_accessible(page, "accueil de l'éditeur")
    assert not unnamed_controls(page)
    first, second = _profil_codes(draft)[:2]

    page.get_by_role("button", name=f"Descendre la question {first}").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith(f"#question-{first}")
    assert page.locator(".editor-question").first.get_attribute("id") == f"question-{second}"
    assert _profil_codes(draft)[:2] == [second, first]
    page.get_by_role("button", name=f"Monter la question {first}").focus()
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert page.locator(".editor-question").first.get_attribute("id") == f"question-{first}"
    assert _profil_codes(draft)[:2] == [first, second]


def test_a_condition_is_checked_as_typed_and_refused_on_save_keeping_the_text(draft, page):
    _sign_in(page)
    page.goto("/equipe/editions/2022/editeur/questions/service_intitule/")
    assert_accessible(page, "modifier une question")
    condition = page.get_by_label("Condition d'affichage")
    condition.fill("")
    condition.press_sequentially("service_dedie = ouii")
    status = page.locator("[data-condition-check] [data-condition-status]").first
    page.wait_for_function("(el) => el.textContent.includes('ouii')", arg=status.element_handle())
    assert status.get_attribute("aria-live") == "polite"
    assert_accessible(page, "condition vérifiée pendant la saisie")

    page.get_by_label("Intitulé", exact=False).first.fill("Intitulé retravaillé")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector("[data-error-summary]")
    assert page.evaluate("() => document.activeElement.hasAttribute('data-error-summary')")
    assert condition.input_value() == "service_dedie = ouii"
    assert "ouii" in page.locator(".field--error").first.inner_text()
    assert_accessible(page, "condition refusée")
    page.locator("[data-error-summary] a").first.click()
    assert page.evaluate("() => document.activeElement.name") == "question-condition"
    assert draft.questions.get(code="service_intitule").condition == "service_dedie = oui"

    condition.fill("service_dedie = non")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/editeur/#question-service_intitule")
    assert draft.questions.get(code="service_intitule").condition == "service_dedie = non"


def test_the_other_editor_pages_are_accessible(draft, page):
    _sign_in(page)
    for path, what in (
        ("/equipe/editions/2022/editeur/sections/ajouter/", "ajouter une section"),
        ("/equipe/editions/2022/editeur/sections/profil/", "modifier une section"),
        ("/equipe/editions/2022/editeur/sections/profil/questions/ajouter/", "ajouter"),
        ("/equipe/editions/2022/editeur/questions/service_dedie/supprimer/", "supprimer"),
        ("/equipe/editions/2022/editeur/questions/objectifs/", "matrice"),
    ):
        page.goto(path)
        assert_accessible(page, what)
    page.goto("/equipe/editions/2022/editeur/questions/service_intitule/")
    choices = page.locator("#choix-liste")
    assert choices.is_hidden()  # a short text has no choices
    page.get_by_label("Type").select_option("single")
    assert choices.is_visible()
    assert page.locator("#lignes-liste").is_hidden()
    assert_accessible(page, "question devenue à choix")

    page.goto("/equipe/editions/2022/editeur/questions/service_dedie/supprimer/")
    page.get_by_role("button", name="Confirmer la suppression").click()
    page.wait_for_selector("[data-error-summary]")
    assert "service_dedie" in page.inner_text("[data-error-summary]")
    assert_accessible(page, "suppression refusée")


def test_a_question_is_dragged_with_the_mouse(draft, page):
    _sign_in(page)
    page.goto("/equipe/editions/2022/editeur/")
    first, second = _profil_codes(draft)[:2]
    handle = page.locator(f"#question-{first} [data-handle]").first
    target = page.locator(f"#question-{second}")
    box = target.bounding_box()
    with page.expect_navigation():
        handle.hover()
        page.mouse.down()
        page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2, steps=10)
        page.mouse.move(box["x"] + 20, box["y"] + box["height"] - 4, steps=10)
        page.mouse.up()
    assert _profil_codes(draft)[:2] == [second, first]
    assert page.locator(".editor-question").first.get_attribute("id") == f"question-{second}"
