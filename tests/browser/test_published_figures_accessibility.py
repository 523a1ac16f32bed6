"""axe-core on the results pages once published figures have an erratum: the public page (frozen
figures, their version, the errata table) and the staff results page (errata, « Republier »)."""

import pytest

from barometre.roles import STAFF
from exports.results.cache import recompute
from exports.results.models import Erratum
from surveys.backoffice import lifecycle, review
from tests.browser.support import assert_accessible, unnamed_controls
from tests.browser.test_staff_pictures_accessibility import member, sign_in
from tests.results.test_published_figures import YEAR, build_closed, response_of
from tests.surveys.filling_helpers import bound_form

pytestmark = pytest.mark.browser


@pytest.fixture
def corrected(transactional_db):
    staff = member("alice", STAFF)
    edition = build_closed()
    lifecycle.change_status(edition, "publier", staff)
    response = response_of(edition, 12)
    form = bound_form(response, "canaux", {"canaux": ["x"]})
    review.save_as_staff(response, form, response.version, staff, "Site internet oublié")
    recompute(edition)
    assert Erratum.objects.count() == 1
    return edition


def test_the_public_page_with_an_erratum_has_no_accessibility_violation(page, corrected):
    page.goto(f"/resultats/{YEAR}/publics/")
    errata = page.locator("#errata").locator("..")
    assert "Site internet oublié" in errata.inner_text()
    assert "69 % (11)" in errata.inner_text()
    assert_accessible(page, "page publique avec errata")
    assert unnamed_controls(page) == []


def test_the_staff_results_page_with_errata_has_no_accessibility_violation(page, corrected):
    sign_in(page, "alice")
    page.goto(f"/resultats/{YEAR}/")
    assert page.get_by_role("link", name="Republier…").is_visible()
    assert_accessible(page, "résultats de l'équipe avec errata")
    assert unnamed_controls(page) == []
    page.get_by_role("link", name="Republier…").click()
    page.get_by_role("button", name="Confirmer : republier les résultats").click()
    page.wait_for_url(f"**/equipe/editions/{YEAR}/**")
    page.goto(f"/resultats/{YEAR}/publics/")
    assert "(version 2)" in page.content()
    assert_accessible(page, "page publique republiée")
