"""The API's cast: a token for Alice (staff), one for Bob (analyst), one for Charlie (no role),
and the small edition of the export tests (Rennes submitted, Metz Métropole a draft,
Ille-et-Vilaine validated)."""

import pytest
from rest_framework.test import APIClient

from api.models import ApiToken
from tests.exports.export_data import build_edition, build_responses


def client_with(key: str | None = None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def alice_key(alice) -> str:
    return ApiToken.issue(alice, "script de l'équipe")[1]


@pytest.fixture
def bob_key(bob) -> str:
    return ApiToken.issue(bob, "tableau de bord R")[1]


@pytest.fixture
def charlie_key(charlie) -> str:
    return ApiToken.issue(charlie, "sans rôle")[1]


@pytest.fixture
def staff_api(alice_key) -> APIClient:
    return client_with(alice_key)


@pytest.fixture
def analyst_api(bob_key) -> APIClient:
    return client_with(bob_key)


@pytest.fixture
def edition_2030(rennes, metz_metropole):
    edition = build_edition(2030)
    responses = build_responses(edition, rennes, metz_metropole)
    return edition, responses
