from django.core import mail

from respondents.models import EmailLog
from respondents.services.emails import queue_email


def test_a_receipt_names_the_collectivite_and_carries_no_link(
    rennes_link, django_capture_on_commit_callbacks
):
    invitation, token = rennes_link
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(invitation.contact, EmailLog.Kind.RECEIPT, invitation)
    [message] = mail.outbox
    assert message.subject == "Baromètre 2021 : nous avons bien reçu la réponse de Rennes"
    assert "/acces/" not in message.body
    # The receipt does not replace the respondent's link.
    invitation.refresh_from_db()
    assert invitation.find_by_token(token) == invitation


def test_a_link_is_not_sent_for_a_revoked_invitation(
    rennes_link, django_capture_on_commit_callbacks
):
    invitation, _ = rennes_link
    with django_capture_on_commit_callbacks(execute=True):
        log = queue_email(invitation.contact, EmailLog.Kind.INVITATION, invitation)
        invitation.revoke()
    log.refresh_from_db()
    assert (log.status, mail.outbox) == ("failed", [])
    assert "révoquée" in log.error


def test_names_with_apostrophes_are_not_html_escaped_in_plain_text_mails(
    rennes_link, django_capture_on_commit_callbacks
):
    invitation, _ = rennes_link
    collectivite = invitation.collectivite
    collectivite.name = "L'Abergement-Clémenciat"
    collectivite.save()
    with django_capture_on_commit_callbacks(execute=True):
        queue_email(invitation.contact, EmailLog.Kind.INVITATION, invitation)
    assert "pour L'Abergement-Clémenciat, au questionnaire" in mail.outbox[0].body
