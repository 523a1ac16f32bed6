"""axe-core on every respondent page of the 2021 and 2018 editions, in real Chromium.

Each page must have zero WCAG 2.1 A/AA violations, be declared in French and give every form
control an accessible name. Sections are checked with answers in them, so that the questions
their conditions reveal are on the page too; a commune sees every section of 2021.
"""

import pytest

from surveys.models import Response
from tests.browser.answers import planned_answers, store_draft
from tests.browser.support import (
    assert_accessible,
    confirm_magic_link,
    focus_indicator,
    focus_is_visible,
    invite,
    tab_to,
    unnamed_controls,
)

pytestmark = pytest.mark.browser


def check_page(page, what: str) -> None:
    assert_accessible(page, what)
    assert unnamed_controls(page) == [], f"{what} : contrôles sans nom accessible"


def open_session(page, collectivite, edition, email: str) -> None:
    token = invite(collectivite, edition, email)
    confirm_magic_link(page, f"/acces/{token}/", lambda p: check_page(p, "confirmation du lien"))
    assert page.url.endswith(f"/repondre/{edition.year}/")


def section_paths(page, year: int) -> list[str]:
    """The section pages the overview links to, in order."""
    hrefs = page.eval_on_selector_all(
        f"a[href^='/repondre/{year}/section/']", "links => links.map(a => a.getAttribute('href'))"
    )
    return list(dict.fromkeys(h.split("#")[0] for h in hrefs))


def walk_sections(page, year: int) -> list[str]:
    page.goto(f"/repondre/{year}/")
    check_page(page, f"sommaire {year}")
    paths = section_paths(page, year)
    assert paths, "le sommaire ne mène à aucune section"
    for path in paths:
        page.goto(path)
        check_page(page, path)
        assert_focus_visible_in_form(page, path)
    return paths


def assert_focus_visible_in_form(page, what: str, stops: int = 12) -> None:
    """The first tab stops from the questionnaire form on all show where the focus is."""
    tab_to(page, "el.closest('#filling-form') !== null")
    for _ in range(stops):
        indicator = focus_indicator(page)
        if indicator["tag"] == "body":  # past the last stop of a short page
            break
        assert focus_is_visible(indicator), f"{what} : focus invisible sur {indicator}"
        page.keyboard.press("Tab")


def test_every_2021_page_of_a_commune_is_accessible_from_link_to_print(page, rennes, edition_2021):
    store_draft(edition_2021, rennes, planned_answers(edition_2021, rennes, seed=21))
    open_session(page, rennes, edition_2021, "agnes.martin@ville-rennes.test")

    paths = walk_sections(page, 2021)
    assert any(path.endswith("/section/focus_elections/") for path in paths)

    page.goto("/repondre/2021/relecture/")
    check_page(page, "relecture")
    for box in page.locator("input[name='confirm']").all():
        box.check()
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer ma réponse").click()
    assert page.url.endswith("/repondre/2021/confirmation/")
    check_page(page, "confirmation d'envoi")
    assert Response.objects.get(collectivite=rennes).status == Response.Status.SUBMITTED

    for path, what in (
        ("/repondre/2021/mes-reponses/", "lecture seule"),
        ("/repondre/2021/impression/", "version imprimable"),
    ):
        page.goto(path)
        check_page(page, what)
    page.emulate_media(media="print")
    check_page(page, "version imprimable, média print")


def test_every_2018_section_is_accessible_with_a_sheet_added_to_the_roster(
    page, rennes, edition_2018
):
    planned = [
        p
        for p in planned_answers(edition_2018, rennes, seed=18)
        if p.question.roster_id is None and p.question.code != "fiches_dispositifs"
    ]
    store_draft(edition_2018, rennes, planned)
    open_session(page, rennes, edition_2018, "agnes.martin@ville-rennes.test")
    paths = walk_sections(page, 2018)

    roster_page = next(path for path in paths if path.endswith("/section/fiches/"))
    page.goto(roster_page)
    with page.expect_navigation():
        page.get_by_role("button", name="Ajouter une fiche").click()
    assert page.locator(".roster-item").count() == 1
    check_page(page, "fiches des dispositifs, une fiche ajoutée")


def test_a_section_with_errors_focuses_its_summary_whose_links_reach_the_fields(
    page, rennes, edition_2021
):
    open_session(page, rennes, edition_2021, "agnes.martin@ville-rennes.test")
    page.goto("/repondre/2021/section/moyens/")
    page.locator("#q-etp_participation").fill("beaucoup")
    page.locator("#q-budget_participation").fill("-12")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer et continuer", exact=True).click()

    summary = page.locator("[data-error-summary]")
    assert page.evaluate("() => document.activeElement.matches('[data-error-summary]')")
    links = summary.locator("a")
    assert links.count() == 2
    check_page(page, "moyens, avec erreurs")

    for index, field in enumerate(("etp_participation", "budget_participation")):
        summary.focus()
        for _ in range(index + 1):
            page.keyboard.press("Tab")
        page.keyboard.press("Enter")
        assert page.evaluate("() => document.activeElement.name") == field
        assert focus_is_visible(focus_indicator(page)), field
        described = page.evaluate("() => document.activeElement.getAttribute('aria-describedby')")
        assert described, f"{field} : l'erreur n'est pas reliée au champ"
        assert page.locator(f"#{described.split()[0]}").inner_text()
