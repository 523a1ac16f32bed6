import time

import pytest
from django.db import transaction

from respondents.models import EmailLog
from respondents.services.invitations import invite

pytestmark = pytest.mark.worker


def test_a_real_worker_sends_the_invitation_and_logs_it(
    celery_worker, rennes_contact, edition_2021, tmp_path
):
    with transaction.atomic():
        invitation = invite(rennes_contact, edition_2021)
    log = EmailLog.objects.get(invitation=invitation)
    deadline = time.monotonic() + 60
    while log.status == EmailLog.Status.QUEUED:
        assert time.monotonic() < deadline, "le worker n'a pas envoyé le courriel"
        time.sleep(0.3)
        log.refresh_from_db()
    assert (log.status, log.attempts) == ("sent", 1)
    assert "Rennes" in log.subject
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    # The worker prints e-mails on its console: the link is there, only its hash in the database.
    output = (tmp_path / "worker.log").read_text()
    [link] = invitation.links.all()
    assert "/acces/" in output and link.token_hash not in output
