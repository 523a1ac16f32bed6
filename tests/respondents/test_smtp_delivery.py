"""Invitations through a real SMTP server (aiosmtpd) on a free local port."""

import email
import re
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.test import override_settings
from django.urls import reverse

from respondents.models import EmailLog
from respondents.services.invitations import invite
from surveys import filling
from surveys.filling import receipt
from tests.browser.answers import planned_answers, store_draft
from tests.browser.support import open_edition
from tests.respondents.conftest import invitation_with_token
from tests.surveys.receipt_helpers import pdf_text

pytestmark = pytest.mark.smtp


class Mailbox:
    """An SMTP handler that keeps messages and can answer given codes first."""

    def __init__(self):
        self.messages = []
        self.replies = []

    async def handle_DATA(self, server, session, envelope):
        if self.replies:
            return self.replies.pop(0)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    mailbox = Mailbox()
    port = _free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=port,
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=5,
        ):
            yield mailbox
    finally:
        controller.stop()


def _link_path(message) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://[^/\s]+(/acces/[\w-]+/)", body).group(1)


def test_an_invitation_sent_by_smtp_leads_to_the_questionnaire(
    client, alice, rennes_contact, edition_2021, smtp_server, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("backoffice:invitations", kwargs={"year": 2021}),
            {"collectivite": [rennes_contact.collectivite_id]},
        )
    client.logout()

    [message] = smtp_server.messages
    assert message["To"] == "rose.legoff@ville-rennes.test"
    assert "Rennes" in message["Subject"]
    path = _link_path(message)

    shown = client.get(path)
    assert shown.status_code == 200
    assert client.get(reverse("answering:home", kwargs={"year": 2021})).status_code == 404

    confirmed = client.post(path)
    assert confirmed.status_code == 302
    landing = client.get(confirmed["Location"])
    assert landing.status_code == 200
    assert landing.request["PATH_INFO"] == reverse("answering:home", kwargs={"year": 2021})
    assert "Bienvenue, Rennes" in landing.content.decode()
    log = EmailLog.objects.get()
    assert (log.kind, log.status, log.attempts) == ("invitation", "sent", 1)


def test_a_temporary_smtp_failure_is_retried_and_logged(
    rennes_contact, edition_2021, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.replies = ["451 4.3.0 Réessayez plus tard"]
    with django_capture_on_commit_callbacks(execute=True):
        invite(rennes_contact, edition_2021)
    log = EmailLog.objects.get()
    assert (log.status, log.attempts) == ("sent", 2)
    assert len(smtp_server.messages) == 1
    rennes_contact.refresh_from_db()
    assert rennes_contact.last_invited_at is not None


def test_a_permanent_smtp_refusal_marks_the_email_failed(
    rennes_contact, edition_2021, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.replies = ["550 5.1.1 Boîte inconnue"]
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite(rennes_contact, edition_2021)
    log = EmailLog.objects.get()
    assert (log.status, log.attempts) == ("failed", 1)
    assert "550" in log.error
    invitation.refresh_from_db()
    assert invitation.sent_at is None


def test_the_acknowledgement_reaches_the_agent_with_its_pdf_receipt(
    rennes_contact, smtp_server, django_capture_on_commit_callbacks
):
    edition = open_edition(2021)
    rennes = rennes_contact.collectivite
    response = store_draft(edition, rennes, planned_answers(edition, rennes, seed=7))
    invitation, _token = invitation_with_token(rennes_contact, edition)
    warnings = [w.code for w in filling.review(response).warnings]
    with django_capture_on_commit_callbacks(execute=True):
        filling.submit_response(
            response, response.version, warnings, contact=rennes_contact, invitation=invitation
        )

    [message] = smtp_server.messages
    assert message["To"] == "rose.legoff@ville-rennes.test"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "en pièce jointe l'accusé de réception (PDF)" in body
    [attachment] = message.iter_attachments()
    number = receipt.receipt_number(response)
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"accuse-de-reception-{number}.pdf"
    assert f"Numéro de reçu {number}" in pdf_text(attachment.get_content())
    assert EmailLog.objects.get().status == "sent"
