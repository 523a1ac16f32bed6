import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from respondents.models import Contact, EmailLog, ReminderSchedule
from respondents.services.reminders import send_reminders
from respondents.tasks import send_scheduled_reminders
from surveys.models import Response

from .conftest import invitation_with_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(rennes_link, metz_link, rennes_contact):
    """Rennes (two contacts, one opted out) and Metz Métropole are invited to 2021."""
    colleague = Contact.objects.create(
        collectivite=rennes_contact.collectivite,
        email="ne-plus-relancer@ville-rennes.test",
        opted_out_of_reminders=True,
    )
    invitation_with_token(colleague, rennes_link[0].edition)
    return rennes_link[0].edition


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_reminders_skip_opted_out_contacts_and_submitted_collectivites(
    invited, metz_metropole, django_capture_on_commit_callbacks
):
    Response.objects.create(edition=invited, collectivite=metz_metropole, status="submitted")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(invited) == 1
    assert _recipients() == ["rose.legoff@ville-rennes.test"]
    assert EmailLog.objects.get().kind == "reminder"


def test_a_draft_response_still_gets_reminded(
    invited, rennes, metz_metropole, django_capture_on_commit_callbacks
):
    Response.objects.create(edition=invited, collectivite=rennes, status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(invited)
    assert _recipients() == ["marc.schmitt@metzmetropole.test", "rose.legoff@ville-rennes.test"]


def test_every_reminder_has_a_working_opt_out_link_without_login(
    client, invited, rennes_contact, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(invited)
    message = next(m for m in mail.outbox if m.to == [rennes_contact.email])
    url = re.search(r"https?://[^/\s]+(/acces/desinscription/[^\s]+/)", message.body).group(1)
    assert message.extra_headers["List-Unsubscribe"].endswith(f"{url}>")
    # A GET (a link scanner) changes nothing; the confirmation does.
    assert client.get(url).status_code == 200
    rennes_contact.refresh_from_db()
    assert not rennes_contact.opted_out_of_reminders
    assert "ne recevra plus de relances" in client.post(url).content.decode()
    rennes_contact.refresh_from_db()
    assert rennes_contact.opted_out_of_reminders
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(invited)
    assert _recipients() == ["marc.schmitt@metzmetropole.test"]


def test_a_forged_opt_out_link_is_refused(client, rennes_contact):
    url = reverse("access:reminder-opt-out", args=[f"{rennes_contact.pk}:faux"])
    assert client.post(url).status_code == 404
    rennes_contact.refresh_from_db()
    assert not rennes_contact.opted_out_of_reminders


def test_the_periodic_task_honours_each_editions_schedule(
    invited, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert send_scheduled_reminders() == {}
    schedule = ReminderSchedule.objects.create(edition=invited, enabled=True, interval_days=7)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_scheduled_reminders() == {2021: 2}
    with django_capture_on_commit_callbacks(execute=True):
        assert send_scheduled_reminders() == {}
    schedule.last_sent_at = timezone.now() - timedelta(days=8)
    schedule.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_scheduled_reminders() == {2021: 2}
    assert len(mail.outbox) == 4


def test_no_reminder_once_the_edition_is_closed(invited, django_capture_on_commit_callbacks):
    invited.status = "closed"
    invited.save()
    ReminderSchedule.objects.create(edition=invited, enabled=True)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(invited) == 0
        assert send_scheduled_reminders() == {}
    assert mail.outbox == []


def test_staff_send_reminders_and_set_the_schedule_from_the_screen(
    client, alice, invited, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    url = reverse("backoffice:reminders", kwargs={"year": 2021})
    assert "2 contact(s) de 2 collectivité(s)" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"action": "envoyer"})
    assert len(mail.outbox) == 2
    response = client.post(url, {"action": "programme", "enabled": "on", "interval_days": "0"})
    assert "L&#x27;intervalle est d&#x27;au moins un jour." in response.content.decode()
    client.post(url, {"action": "programme", "enabled": "on", "interval_days": "14"})
    schedule = ReminderSchedule.objects.get(edition=invited)
    assert (schedule.enabled, schedule.interval_days) == (True, 14)
