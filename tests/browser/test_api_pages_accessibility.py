"""axe-core on the API's back-office pages: personal tokens and webhooks."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from api.models import Webhook
from barometre.roles import ANALYSTS, STAFF
from tests.browser.support import assert_accessible, unnamed_controls

pytestmark = pytest.mark.browser


def member(username: str, role: str):
    # Transactional tests flush the tables, the roles' groups included: made again here.
    user = get_user_model().objects.create_user(username, f"{username}@example.test", "pw")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def equipe(transactional_db):
    return member("equipe-api", STAFF)


@pytest.fixture
def analyste(transactional_db):
    return member("analyste-api", ANALYSTS)


def sign_in(page, username: str) -> None:
    page.goto("/compte/connexion/")
    page.fill("[name=username]", username)
    page.fill("[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/equipe/")


def test_the_token_page_is_accessible_empty_with_errors_and_with_a_new_token(analyste, page):
    sign_in(page, "analyste-api")
    page.goto("/api/jetons/")
    assert_accessible(page, "jetons")
    assert unnamed_controls(page) == []
    page.click("text=Créer le jeton")
    page.wait_for_selector("[data-error-summary]")
    assert_accessible(page, "jetons avec erreurs")
    page.fill("#id_name", "Script R")
    page.click("text=Créer le jeton")
    page.wait_for_selector("#nouveau-jeton")
    assert page.input_value("#nouveau-jeton").startswith("baro_")
    assert_accessible(page, "jetons avec un nouveau jeton")


def test_the_webhook_pages_are_accessible(equipe, page):
    sign_in(page, "equipe-api")
    page.goto("/api/webhooks/")
    assert_accessible(page, "webhooks")
    assert unnamed_controls(page) == []
    page.fill("#id_url", "http://10.0.0.8/hook")
    page.click("text=Enregistrer le webhook")
    page.wait_for_selector("[data-error-summary]")
    assert_accessible(page, "webhooks avec erreurs")
    webhook = Webhook.objects.create(
        url="http://127.0.0.1:9/hook", secret=Webhook.new_secret(), events=["edition.published"]
    )
    page.goto(f"/api/webhooks/{webhook.pk}/")
    assert_accessible(page, "un webhook")
