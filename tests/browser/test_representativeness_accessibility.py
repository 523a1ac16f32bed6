"""The representativeness section of the analysts' results page in real Chromium: its tables,
the weighted percentages reached by keyboard, zero axe violations."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from barometre.roles import ANALYSTS
from tests.browser.support import assert_accessible, tab_to, unnamed_controls
from tests.browser.test_export_and_open_data_accessibility import sign_in
from tests.results.results_data import build_2021

pytestmark = pytest.mark.browser


@pytest.fixture
def analyste(transactional_db):
    user = get_user_model().objects.create_user("analyste-rep", "r@example.test", "pw")
    user.groups.add(Group.objects.get_or_create(name=ANALYSTS)[0])
    return user


def test_the_representativeness_and_the_weighted_figures_are_accessible(analyste, page):
    build_2021()
    sign_in(page, "analyste-rep")
    page.goto("/resultats/2021/")
    section = page.locator(".results-representativeness")
    assert section.get_by_role("heading", name="Représentativité des répondants").is_visible()
    assert section.get_by_role("table").first.is_visible()
    assert_accessible(page, "résultats avec la représentativité")
    assert unnamed_controls(page) == []

    tab_to(page, "el.textContent.startsWith('Afficher les pourcentages pondérés')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "pondere=1" in page.url
    assert section.get_by_role("columnheader", name="% pondéré").first.is_visible()
    assert_accessible(page, "pourcentages pondérés")
