from django.utils import timezone

from api.models import ApiCall, ApiToken, hash_token
from tests.api.conftest import client_with


def test_it_stores_only_the_digest_of_a_token(alice):
    token, key = ApiToken.issue(alice, "mon script")
    assert key.startswith("baro_") and len(key) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hash_token(key)
    assert key not in {stored.key_hash, stored.prefix, stored.name}


def test_it_refuses_a_call_without_a_token(db):
    assert client_with().get("/api/v1/editions/").status_code == 401


def test_it_refuses_an_unknown_token(db):
    assert client_with("baro_inconnu").get("/api/v1/editions/").status_code == 401


def test_it_refuses_a_revoked_token(alice):
    token, key = ApiToken.issue(alice, "ancien")
    assert client_with(key).get("/api/v1/editions/").status_code == 200
    token.revoke()
    response = client_with(key).get("/api/v1/editions/")
    assert response.status_code == 401
    assert "révoqué" in response.json()["detail"]


def test_a_token_without_a_role_reads_nothing(charlie_key, edition_2030):
    api = client_with(charlie_key)
    for path in (
        "/api/v1/editions/",
        "/api/v1/collectivites/",
        "/api/v1/editions/2030/responses/",
        "/api/v1/editions/2030/results/",
        "/api/v1/editions/2030/followup/",
    ):
        assert api.get(path).status_code == 403, path


def test_an_analyst_token_reads(analyst_api, edition_2030):
    assert analyst_api.get("/api/v1/editions/2030/responses/").status_code == 200
    assert analyst_api.get("/api/v1/editions/2030/results/").status_code == 200
    assert analyst_api.get("/api/v1/editions/2030/followup/").status_code == 200


def test_an_analyst_token_cannot_write(analyst_api, edition_2030):
    response = analyst_api.post("/api/v1/editions/2030/exports/", {"format": "csv"}, format="json")
    assert response.status_code == 403
    from api.sources import ExportJob

    assert not ExportJob.objects.exists()


def test_an_analyst_token_cannot_read_drafts(analyst_api, edition_2030):
    for status in ("draft", "all"):
        response = analyst_api.get("/api/v1/editions/2030/responses/", {"status": status})
        assert response.status_code == 403
    _edition, responses = edition_2030
    draft = responses["metz"]
    assert analyst_api.get(f"/api/v1/editions/2030/responses/{draft.pk}/").status_code == 404


def test_a_token_follows_its_owner_losing_the_role(bob, bob_key, edition_2030):
    api = client_with(bob_key)
    assert api.get("/api/v1/editions/").status_code == 200
    bob.groups.clear()
    assert client_with(bob_key).get("/api/v1/editions/").status_code == 403


def test_every_call_is_logged_with_who_what_and_when(bob, bob_key, edition_2030):
    before = timezone.now()
    client_with(bob_key).get("/api/v1/editions/2030/responses/?region=53")
    client_with("baro_inconnu").get("/api/v1/editions/")
    calls = list(ApiCall.objects.order_by("pk"))
    assert [(c.method, c.path, c.status_code) for c in calls] == [
        ("GET", "/api/v1/editions/2030/responses/", 200),
        ("GET", "/api/v1/editions/", 401),
    ]
    assert calls[0].user == bob and calls[0].token.name == "tableau de bord R"
    assert calls[0].query == "region=53" and calls[0].at >= before
    assert calls[1].user is None and calls[1].token is None
    assert ApiToken.objects.get(user=bob).last_used_at >= before


def test_a_token_is_rate_limited(settings, bob_key, edition_2030):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "token": "3/minute"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        api = client_with(bob_key)
        codes = [api.get("/api/v1/editions/").status_code for _ in range(4)]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 200, 429]
