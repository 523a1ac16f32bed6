"""The trends page with its constant panel in real Chromium: the option reached and ticked by
keyboard, the panel's tables (masked cells included) with zero axe violations."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from barometre.roles import ANALYSTS
from tests.browser.support import assert_accessible, tab_to, unnamed_controls
from tests.browser.test_export_and_open_data_accessibility import sign_in
from tests.results.test_trend_panel import build_series

pytestmark = pytest.mark.browser


@pytest.fixture
def analyste(transactional_db):
    user = get_user_model().objects.create_user("analyste-panel", "p@example.test", "pw")
    user.groups.add(Group.objects.get_or_create(name=ANALYSTS)[0])
    return user


def test_the_constant_panel_is_chosen_by_keyboard_and_accessible(analyste, page):
    build_series()
    sign_in(page, "analyste-panel")
    page.goto("/resultats/2022/tendances/")
    assert_accessible(page, "tendances")
    assert unnamed_controls(page) == []

    tab_to(page, "el.name === 'panel'")
    page.keyboard.press("Space")
    tab_to(page, "el.textContent.trim() === 'Afficher'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "panel=on" in page.url
    caption = page.get_by_text("Panel constant 2018 → 2021 — 12 collectivités", exact=False)
    assert caption.first.is_visible()
    assert page.get_by_role("cell", name="masqué").first.is_visible()
    assert page.get_by_role("checkbox", name="Ajouter le panel constant", exact=False).is_checked()
    assert_accessible(page, "tendances avec le panel constant")
