"""Prefill across a changed definition, in Chromium: a 2022 edition cloned from 2021 without
the choice « Forum de discussion ». The agent sees last year's answers left out with their
reason, and confirms an unchanged section with the keyboard in one action."""

from datetime import timedelta

import pytest
from django.utils import timezone

from surveys.definition.evolution import clone_edition
from surveys.models import Answer, Edition, Response
from tests.browser.support import assert_accessible, tab_to
from tests.browser.test_answering_accessibility import open_session

pytestmark = pytest.mark.browser

ANSWERS_2021 = {
    "fonction_repondant": "dgs",
    "majorite_politique": ["sans_etiquette"],
    "outils_numeriques": ["site_information", "forum"],
    "nouveaux_dispositifs": "oui",
    "intelligence_artificielle": "non",
    "logiciel": "libre",
    "identification": ["compte_email"],
    "reseaux_sociaux": "non",
}


@pytest.fixture
def edition_2022(edition_2021, rennes):
    """Rennes sent its 2021 answers; 2022 is 2021 cloned, with the forum withdrawn."""
    sent = Response.objects.create(
        edition=edition_2021, collectivite=rennes, status=Response.Status.SUBMITTED
    )
    for code, value in ANSWERS_2021.items():
        Answer.objects.create(
            response=sent, question=edition_2021.questions.get(code=code), value=value
        )
    edition = clone_edition(edition_2021, 2022, "Baromètre 2022")
    edition.questions.get(code="outils_numeriques").choices.filter(code="forum").delete()
    Edition.objects.filter(pk=edition.pk).update(
        status=Edition.Status.OPEN,
        opens_at=timezone.now() - timedelta(days=1),
        closes_at=timezone.now() + timedelta(days=30),
    )
    edition.refresh_from_db()
    return edition


def test_the_agent_sees_what_is_left_out_and_confirms_a_section_in_one_action(
    page, rennes, edition_2022
):
    open_session(page, rennes, edition_2022, "agnes@rennes.test")
    page.goto("/repondre/2022/section/dispositifs_numeriques/")
    notice = page.get_by_role("region", name="Réponses de 2021 non reprises (1)")
    text = notice.inner_text()
    assert "Site web d'information ; Forum de discussion" in text
    assert "choix retiré : Forum de discussion" in text
    assert page.get_by_label("Site web d'information").is_checked()
    assert "Non reprise" in page.locator("#q-outils_numeriques-non-reprise").inner_text()
    # A required question lost part of its answer: the page is not confirmed in one action.
    assert not page.get_by_role("button", name="Rien n'a changé depuis l'an dernier").count()
    assert "n'a pas de réponse reprise" in page.locator("#rien-na-change-absent").inner_text()
    assert_accessible(page, "section avec des réponses non reprises")

    page.goto("/repondre/2022/section/profil/")
    assert_accessible(page, "section à confirmer en une fois")
    tab_to(page, "el.name === 'action' && el.value === 'unchanged'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/repondre/2022/section/dispositifs_participatifs/" in page.url
    assert "réponses reprises de 2021 sont enregistrées" in page.content()
    assert_accessible(page, "section suivante après la confirmation")
    response = Response.objects.get(edition=edition_2022, collectivite=rennes)
    assert "profil" in response.saved_sections
    saved = {a.question.code: a.value for a in response.answers.select_related("question")}
    assert saved == {"fonction_repondant": "dgs", "majorite_politique": ["sans_etiquette"]}


def test_the_offer_goes_away_as_soon_as_the_agent_changes_an_answer(page, rennes, edition_2022):
    open_session(page, rennes, edition_2022, "agnes@rennes.test")
    page.goto("/repondre/2022/section/profil/")
    button = page.get_by_role("button", name="Rien n'a changé depuis l'an dernier")
    assert button.is_visible()
    page.get_by_label("Élu·e").check()
    assert button.is_hidden()
    # The change is autosaved: wait for it, so that no save is in flight when the test's
    # database is emptied (PostgreSQL would deadlock on the flush).
    page.locator("#autosave-status").filter(has_text="Enregistré à").wait_for()
