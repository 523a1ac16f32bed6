"""400, 403, 404 and 500 in French and in the site's look with DEBUG off; JSON for scripts."""

import json

import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from barometre.errors import server_error
from barometre.middleware import DATABASE_DOWN, DatabaseUnavailableMiddleware

pytestmark = pytest.mark.urls("tests.barometre.error_urls")

PAGES = [
    ("/essai/400/", 400, "Requête incorrecte"),
    ("/essai/403/", 403, "Accès refusé"),
    ("/cette-page-n-existe-pas/", 404, "Page introuvable"),
    ("/essai/500/", 500, "Erreur du serveur"),
]


@pytest.fixture(autouse=True)
def _production(settings):
    settings.DEBUG = False


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "status", "title"), PAGES)
def test_each_error_page_is_french_and_in_the_sites_look(path, status, title):
    page = Client(raise_request_exception=False).get(path)
    html = page.content.decode()
    assert page.status_code == status
    assert '<html lang="fr">' in html
    assert f"<h1>{title}</h1>" in html
    assert 'class="site-header"' in html and "css/barometre.css" in html
    assert "Retour à l'accueil de la plateforme" in html
    for english in ("Not Found", "Server Error", "Bad Request", "Forbidden"):
        assert english not in html


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "status", "title"), PAGES)
def test_a_script_asking_for_json_gets_a_french_json_error(path, status, title):
    page = Client(raise_request_exception=False).get(path, HTTP_ACCEPT="application/json")
    assert page.status_code == status
    assert page["Content-Type"] == "application/json"
    error = page.json()["error"]
    assert error and error == page.json()["message"]
    assert "page" in error or "requête" in error or "erreur" in error


@pytest.mark.django_db
def test_a_button_address_opened_directly_explains_itself_in_french():
    page = Client().get("/repondre/2021/deconnexion/")
    assert page.status_code == 405
    assert page["Allow"] == "POST"
    assert "<h1>Adresse à ouvrir par un bouton</h1>" in page.content.decode()
    script = Client().get("/repondre/2021/deconnexion/", HTTP_ACCEPT="application/json")
    assert script.json()["error"].startswith("Cette adresse ne s'ouvre pas directement")


def test_the_500_page_renders_without_database_nor_request_context():
    # No django_db mark: any query would raise here.
    page = server_error(RequestFactory().get("/"))
    html = page.content.decode()
    assert page.status_code == 500
    assert "<h1>Erreur du serveur</h1>" in html
    assert "Ce qui avait déjà été enregistré est conservé" in html


@pytest.mark.django_db
def test_a_forged_host_gets_the_french_400_page():
    page = Client(raise_request_exception=False).get("/", HTTP_HOST="pirate.example")
    assert page.status_code == 400
    assert "Requête incorrecte" in page.content.decode()


@pytest.mark.django_db
def test_a_refused_csrf_token_explains_itself_in_french():
    client = Client(enforce_csrf_checks=True)
    page = client.post("/acces/renvoyer/", {"email": "agent@ville.test"})
    assert page.status_code == 403
    assert "Cette page a expiré" in page.content.decode()
    assert "<h1>Accès refusé</h1>" in page.content.decode()
    ajax = client.post(
        "/acces/renvoyer/", {"email": "agent@ville.test"}, HTTP_ACCEPT="application/json"
    )
    assert ajax.status_code == 403
    assert ajax.json()["error"].startswith("Cette page a expiré")


def test_a_lost_database_answers_the_autosave_in_json_and_pages_in_html():
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    lost = OperationalError("server closed the connection unexpectedly")
    factory = RequestFactory()
    script = factory.post("/repondre/2021/section/profil/autosave/", HTTP_ACCEPT="application/json")
    answer = middleware.process_exception(script, lost)
    assert answer.status_code == 503
    assert json.loads(answer.content)["error"] == DATABASE_DOWN
    page = middleware.process_exception(factory.get("/repondre/2021/"), lost)
    assert page.status_code == 503
    assert page["Content-Type"].startswith("text/")
