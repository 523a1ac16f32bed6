import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from respondents.models import AccessRequest, Contact, Invitation

pytestmark = pytest.mark.django_db
URL = reverse("access:request")


def _ask(client, collectivite, email="agent@ville-rennes.test"):
    return client.post(
        URL,
        {
            "q": "rennes",
            "collectivite": collectivite.pk,
            "first_name": "Agnès",
            "last_name": "Varda",
            "role": "Chargée de mission",
            "email": email,
        },
    )


def test_without_javascript_a_collectivite_finds_itself_and_asks(client, rennes, edition_2021):
    page = client.get(URL, {"q": "Rennes"}).content.decode()
    assert "<fieldset" in page and "<legend" in page
    assert f'value="{rennes.pk}"' in page and "Rennes (Commune, 35238)" in page
    response = _ask(client, rennes)
    assert response.status_code == 200
    assert "Votre demande est enregistrée" in response.content.decode()
    request = AccessRequest.objects.get()
    assert (request.collectivite, request.edition, request.status) == (
        rennes,
        edition_2021,
        "pending",
    )


def test_missing_fields_get_an_error_summary_in_french(client, rennes, edition_2021):
    response = client.post(URL, {"q": "rennes", "email": "x"})
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert "Choisissez votre collectivité dans la liste." in html
    assert "Indiquez votre prénom." in html
    assert not AccessRequest.objects.exists()


def test_no_request_without_an_open_edition(client, rennes):
    assert "Aucune enquête n'est ouverte" in client.get(URL).content.decode()


@override_settings(RATELIMIT_ACCESS_REQUESTS_PER_IP=2)
def test_access_requests_are_rate_limited_per_ip(client, rennes, edition_2021):
    for number in range(2):
        assert _ask(client, rennes, f"a{number}@ville-rennes.test").status_code == 200
    assert _ask(client, rennes, "a9@ville-rennes.test").status_code == 429
    assert AccessRequest.objects.count() == 2


def test_approval_creates_the_contact_and_sends_the_invitation(
    client, alice, rennes, edition_2021, django_capture_on_commit_callbacks
):
    _ask(client, rennes)
    request = AccessRequest.objects.get()
    client.force_login(alice)
    assert "Agnès Varda" in client.get(reverse("backoffice:access-requests")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(
                "backoffice:access-request-decide",
                kwargs={"pk": request.pk, "decision": "accepter"},
            )
        )
    request.refresh_from_db()
    contact = Contact.objects.get(email="agent@ville-rennes.test")
    assert (request.status, request.contact, request.decided_by) == ("approved", contact, alice)
    assert Invitation.objects.filter(contact=contact, edition=edition_2021).exists()
    assert [m.to for m in mail.outbox] == [["agent@ville-rennes.test"]]
    # Deciding twice changes nothing.
    client.post(
        reverse(
            "backoffice:access-request-decide", kwargs={"pk": request.pk, "decision": "refuser"}
        )
    )
    request.refresh_from_db()
    assert request.status == "approved"


def test_refusal_sends_nothing(
    client, alice, rennes, edition_2021, django_capture_on_commit_callbacks
):
    _ask(client, rennes)
    request = AccessRequest.objects.get()
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(
                "backoffice:access-request-decide", kwargs={"pk": request.pk, "decision": "refuser"}
            )
        )
    request.refresh_from_db()
    assert request.status == "refused"
    assert mail.outbox == [] and not Contact.objects.exists()


def test_analysts_cannot_decide(client, bob, rennes, edition_2021):
    _ask(client, rennes)
    request = AccessRequest.objects.get()
    client.force_login(bob)
    url = reverse(
        "backoffice:access-request-decide", kwargs={"pk": request.pk, "decision": "accepter"}
    )
    assert client.post(url).status_code == 403
