"""The respondent's benchmark in real Chromium: reached from the overview by keyboard, a
widened peer group, zero axe violations."""

import pytest

from respondents.models import Collectivite
from surveys.models import Edition, Section
from tests.browser.support import (
    assert_accessible,
    confirm_magic_link,
    focus_indicator,
    focus_is_visible,
    invite,
    tab_to,
    unnamed_controls,
)
from tests.results.results_data import build_2021, collectivite, question, respond
from tests.results.test_my_benchmark import QUESTION_TEXTS

pytestmark = pytest.mark.browser


@pytest.fixture
def edition(transactional_db):
    edition = build_2021()
    for n in range(11, 21):
        respond(edition, collectivite(f"C{n}", 2500, "53"), {"etp_participation": 2})
    for code, text in QUESTION_TEXTS.items():
        edition.questions.filter(code=code).update(text=text)
    Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.OPEN)
    edition.refresh_from_db()
    return edition


def test_the_only_intercommunalite_reaches_its_widened_benchmark_by_keyboard(page, edition):
    c5 = Collectivite.objects.get(code="C5")  # the only intercommunalité that answered
    confirm_magic_link(page, f"/acces/{invite(c5, edition, 'agent@cc.test')}/")
    assert page.url.endswith("/repondre/2021/")
    assert_accessible(page, "sommaire avec le lien vers la comparaison")

    tab_to(page, "el.textContent === 'Me comparer aux collectivités comparables'")
    assert focus_is_visible(focus_indicator(page))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/resultats/2021/ma-collectivite/")

    group = page.locator("[data-peer-group]")
    assert group.get_attribute("data-peer-group") == "all"
    text = " ".join(group.inner_text().replace("\u202f", " ").split())
    assert "C5 est comparée à l'ensemble des 17 collectivités répondantes" in text
    assert "Moins de 5 autres intercommunalités ont répondu" in text
    assert page.get_by_role("heading", name="Combien d'ETP ?").is_visible()
    # A chart is drawn when it comes into view.
    page.locator("figure.results-chart").first.scroll_into_view_if_needed()
    page.wait_for_selector("figure.results-chart[data-drawn]")
    assert_accessible(page, "comparaison élargie")
    assert unnamed_controls(page) == []

    # Every tab stop of the page shows where the focus is, up to the footer.
    for _ in range(15):
        page.keyboard.press("Tab")
        indicator = focus_indicator(page)
        if indicator["tag"] == "body":
            break
        assert focus_is_visible(indicator), indicator


def test_the_confirmation_page_links_to_the_benchmark_without_violation(page, edition):
    c1 = Collectivite.objects.get(code="C1")
    confirm_magic_link(page, f"/acces/{invite(c1, edition, 'agent@c1.test')}/")
    page.goto("/repondre/2021/confirmation/")
    link = page.get_by_role("link", name="Me comparer aux collectivités comparables")
    assert link.get_attribute("href") == "/resultats/2021/ma-collectivite/"
    assert_accessible(page, "page de confirmation")
    link.click()
    assert page.locator("[data-peer-group]").get_attribute("data-peer-group") == "tranche"
    assert_accessible(page, "comparaison avec la même tranche")


def test_without_enough_respondents_the_page_shows_own_answers_only_without_violation(
    page, transactional_db
):
    edition = Edition.objects.create(year=2021, title="Baromètre 2021", status="open")
    section = Section.objects.create(edition=edition, code="a", title="Profil", order=1)
    question(edition, section, "service_dedie", "single", [("oui", "Oui"), ("non", "Non")])
    edition.questions.update(text="Disposez-vous d'un service dédié ?")
    me = collectivite("Seule", 20_000, "53")
    respond(edition, me, {"service_dedie": "non"})
    respond(edition, collectivite("Autre", 20_000, "53"), {"service_dedie": "oui"})
    confirm_magic_link(page, f"/acces/{invite(me, edition, 'agent@seule.test')}/")
    page.goto("/resultats/2021/ma-collectivite/")
    assert page.locator("[data-peer-group]").get_attribute("data-peer-group") == "none"
    assert "Moins de 5 autres collectivités ont répondu" in page.inner_text("main")
    assert "Votre réponse : Non" in page.inner_text("main")
    assert page.locator("table").count() == 0
    assert_accessible(page, "comparaison impossible")
