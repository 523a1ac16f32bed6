import re

from django.core import mail
from django.test import override_settings
from django.urls import reverse

from respondents.models import EmailLog, Invitation

URL = reverse("access:resend-link")


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_it_answers_the_same_for_a_known_and_an_unknown_address(
    client, rennes_link, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(URL, {"email": "Rose.LeGoff@ville-rennes.test"})
    with django_capture_on_commit_callbacks(execute=True):
        unknown = client.post(URL, {"email": "personne@ailleurs.test"})
    assert known.status_code == unknown.status_code == 200
    assert _without_csrf(known.content.decode()) == _without_csrf(unknown.content.decode())
    assert "Si cette adresse correspond" in known.content.decode()
    # Only the known address gets an e-mail, with a new working link.
    assert [m.to for m in mail.outbox] == [["rose.legoff@ville-rennes.test"]]
    token = re.search(r"/acces/([\w-]+)/", mail.outbox[0].body).group(1)
    assert client.post(reverse("access:magic-link", args=[token])).status_code == 302
    log = EmailLog.objects.get()
    assert (log.kind, log.status, log.attempts) == ("resend", "sent", 1)


def test_no_link_is_sent_for_a_revoked_invitation_or_a_closed_edition(
    client, rennes_link, metz_link, django_capture_on_commit_callbacks
):
    rennes_invitation, _ = rennes_link
    rennes_invitation.revoke()
    metz_invitation, _ = metz_link
    metz_invitation.edition.status = "closed"
    metz_invitation.edition.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"email": "rose.legoff@ville-rennes.test"})
        client.post(URL, {"email": "marc.schmitt@metzmetropole.test"})
    assert mail.outbox == []


def test_it_sends_a_link_per_open_edition_the_contact_is_invited_to(
    client, rennes_link, rennes_contact, edition_2020, django_capture_on_commit_callbacks
):
    Invitation.objects.create(
        edition=edition_2020,
        collectivite=rennes_contact.collectivite,
        contact=rennes_contact,
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"email": rennes_contact.email})
    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2
    assert subjects[0].startswith("Baromètre 2020") and subjects[1].startswith("Baromètre 2021")


def test_an_invalid_address_gets_a_french_error_and_an_error_summary(client, db):
    response = client.post(URL, {"email": "pas-une-adresse"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    assert "Indiquez une adresse électronique valide" in html


@override_settings(RATELIMIT_RESEND_PER_ADDRESS=2, RATELIMIT_RESEND_PER_IP=100)
def test_it_limits_requests_per_address(client, rennes_link, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(2):
            assert client.post(URL, {"email": "rose.legoff@ville-rennes.test"}).status_code == 200
        other_ip = client.__class__(REMOTE_ADDR="10.1.1.1")
        limited = other_ip.post(URL, {"email": "ROSE.legoff@ville-rennes.test"})
    assert limited.status_code == 429
    assert "Trop de tentatives" in limited.content.decode()
    assert len(mail.outbox) == 2
    # An unknown address is limited the same way, so the limit reveals nothing.
    for _ in range(2):
        client.post(URL, {"email": "inconnu@ailleurs.test"})
    assert client.post(URL, {"email": "inconnu@ailleurs.test"}).status_code == 429


@override_settings(RATELIMIT_RESEND_PER_ADDRESS=100, RATELIMIT_RESEND_PER_IP=3)
def test_it_limits_requests_per_ip(client, db):
    for number in range(3):
        assert client.post(URL, {"email": f"a{number}@ailleurs.test"}).status_code == 200
    assert client.post(URL, {"email": "a9@ailleurs.test"}).status_code == 429
    assert client.post(URL, {"email": "pas-une-adresse"}).status_code == 429
    other_ip = client.__class__(REMOTE_ADDR="10.2.2.2")
    assert other_ip.post(URL, {"email": "a9@ailleurs.test"}).status_code == 200
