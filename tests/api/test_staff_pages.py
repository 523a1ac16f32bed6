from api.models import ApiToken, Webhook, WebhookDelivery, hash_token
from tests.api.conftest import client_with
from tests.api.webhook_server import Receiver


def test_an_analyst_creates_a_token_shown_once_and_stored_hashed(client, bob):
    client.force_login(bob)
    page = client.post("/api/jetons/", {"name": "Power BI"})
    key = page.context["new_key"]
    assert key in page.content.decode()
    token = ApiToken.objects.get(user=bob)
    assert token.key_hash == hash_token(key) and token.name == "Power BI"
    again = client.get("/api/jetons/").content.decode()
    assert key not in again and token.prefix in again
    assert client_with(key).get("/api/v1/editions/").status_code == 200


def test_a_token_without_a_name_is_refused_with_an_error_summary(client, bob):
    client.force_login(bob)
    page = client.post("/api/jetons/", {"name": ""}).content.decode()
    assert "data-error-summary" in page and 'href="#id_name"' in page
    assert not ApiToken.objects.exists()


def test_a_revoked_token_stops_working(client, bob):
    token, key = ApiToken.issue(bob, "ancien")
    client.force_login(bob)
    client.post(f"/api/jetons/{token.pk}/revoquer/")
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client_with(key).get("/api/v1/editions/").status_code == 401


def test_an_analyst_cannot_revoke_someone_elses_token(client, alice, bob):
    token, _key = ApiToken.issue(alice, "équipe")
    client.force_login(bob)
    assert client.post(f"/api/jetons/{token.pk}/revoquer/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).is_active


def test_staff_see_every_token_and_may_revoke_it(client, alice, bob):
    token, _key = ApiToken.issue(bob, "script de Bob")
    client.force_login(alice)
    assert "script de Bob" in client.get("/api/jetons/").content.decode()
    client.post(f"/api/jetons/{token.pk}/revoquer/")
    assert not ApiToken.objects.get(pk=token.pk).is_active


def test_token_pages_need_a_role_and_webhook_pages_need_staff(client, bob, charlie):
    client.force_login(charlie)
    assert client.get("/api/jetons/").status_code == 403
    client.force_login(bob)
    assert client.get("/api/webhooks/").status_code == 403


def test_staff_register_a_webhook_whose_secret_is_shown_once(client, alice):
    client.force_login(alice)
    page = client.post(
        "/api/webhooks/",
        {"url": "http://127.0.0.1:9/recepteur", "events": ["response.submitted"]},
    )
    secret = page.context["new_secret"]
    webhook = Webhook.objects.get()
    assert secret.startswith("whsec_") and webhook.secret == secret
    assert webhook.events == ["response.submitted"]
    assert secret not in client.get("/api/webhooks/").content.decode()
    assert secret not in client.get(f"/api/webhooks/{webhook.pk}/").content.decode()


def test_a_webhook_to_a_private_address_is_refused(client, alice):
    client.force_login(alice)
    page = client.post(
        "/api/webhooks/", {"url": "http://192.168.1.20/hook", "events": ["edition.published"]}
    ).content.decode()
    assert "réseau privé" in page and "data-error-summary" in page
    assert not Webhook.objects.exists()


def test_the_test_button_sends_an_event_and_logs_the_delivery(
    client, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with Receiver() as receiver:
        webhook = Webhook.objects.create(
            url=receiver.url, secret=Webhook.new_secret(), events=["edition.published"]
        )
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/api/webhooks/{webhook.pk}/test/")
    assert len(receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.event, delivery.status, delivery.response_status) == ("ping", "success", 200)
    page = client.get(f"/api/webhooks/{webhook.pk}/").content.decode()
    assert "<code>ping</code>" in page and "Reçue" in page


def test_the_staff_home_links_to_the_api_pages(client, alice, bob):
    client.force_login(bob)
    page = client.get("/equipe/").content.decode()
    assert 'href="/api/jetons/"' in page and 'href="/api/webhooks/"' not in page
    client.force_login(alice)
    assert 'href="/api/webhooks/"' in client.get("/equipe/").content.decode()
