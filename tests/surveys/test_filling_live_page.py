"""The section page in real Chromium: live conditions, exclusive choices, autosave.

The database is prepared before the browser starts and checked after it stops: Playwright's
sync API runs an event loop, inside which Django refuses synchronous ORM calls.
"""

import shutil

import pytest

from respondents.models import Contact, Invitation
from surveys.models import Response
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import stored


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_conditions_apply_live_and_autosave_stores_the_answers(live_server, rennes):
    from playwright.sync_api import expect, sync_playwright

    edition = build_edition(2030)
    contact = Contact.objects.create(collectivite=rennes, email="rose@rennes.test")
    invitation = Invitation.objects.create(edition=edition, collectivite=rennes, contact=contact)
    token = invitation.issue_token()
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    assert executable, "Chromium est nécessaire (bin/test installe le paquet Debian)"
    errors = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{live_server.url}/acces/{token}/")
            page.locator("main form button[type=submit]").click()
            page.get_by_role("link", name="Profil").click()

            intitule = page.locator("#question-service_intitule")
            expect(intitule).to_be_hidden()
            page.locator("#q-service_dedie-oui").check()
            expect(intitule).to_be_visible()
            page.locator("#q-service_intitule").fill("Mission participation")
            page.locator("#q-fonction_repondant-autre").check()
            expect(page.locator("#q-fonction_repondant_autre")).to_be_visible()
            page.locator("#q-fonction_repondant_autre").fill("Chargée de mission")
            expect(page.locator("#autosave-status")).to_contain_text("Enregistré à")
            page.get_by_role("button", name="Enregistrer et continuer", exact=True).click()

            expect(page.locator("h1")).to_have_text("Moyens")
            logiciel = page.locator("#question-logiciel")
            expect(logiciel).to_be_hidden()
            page.locator("#q-outils_numeriques-forum").check()
            expect(logiciel).to_be_visible()
            page.locator("#q-logiciel-libre").check()
            page.locator("#q-outils_numeriques-aucun").check()
            expect(page.locator("#q-outils_numeriques-forum")).not_to_be_checked()
            expect(logiciel).to_be_hidden()
            page.locator("#q-budget_participation").fill("12 500,50")
            page.locator("#q-budget_participation_nsp").check()
            expect(page.locator("#q-budget_participation")).to_have_value("")
            with page.expect_response(
                lambda r: "autosave" in r.url and "\r\n\r\n12\r\n" in r.request.post_data
            ) as saved:
                page.locator("#q-nb_reunions").fill("12")
            assert saved.value.status == 200
            expect(page.locator("#autosave-status")).to_contain_text("Enregistré à")
        finally:
            browser.close()
    assert errors == []
    response = Response.objects.get(edition=edition, collectivite=rennes)
    assert stored(response, "service_intitule") == "Mission participation"
    assert response.answers.get(question__code="fonction_repondant").other_text == (
        "Chargée de mission"
    )
    assert stored(response, "outils_numeriques") == ["aucun"]
    assert stored(response, "logiciel") is None
    assert stored(response, "budget_participation") == "nsp"
    assert stored(response, "nb_reunions") == 12
