import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from respondents.models import Contact, EmailLog, Invitation, ReminderSchedule
from respondents.services.reminders import plan_reminders, send_due_reminders, send_reminders
from respondents.tasks import send_scheduled_reminders
from surveys.models import Response

from .conftest import invitation_with_token

pytestmark = pytest.mark.django_db

CLOSING = datetime(2027, 6, 30, 18, 0, tzinfo=UTC)


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


@pytest.fixture
def closing_on_june_30(invited):
    invited.opens_at = CLOSING - timedelta(days=60)
    invited.closes_at = CLOSING
    invited.save()
    ReminderSchedule.objects.create(edition=invited, enabled=True)
    return invited


def _recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def _link(message) -> str:
    return re.search(r"https?://[^/\s]+(/acces/[\w-]+/)", message.body).group(1)


def _keys(edition) -> list[str]:
    return sorted(
        EmailLog.objects.filter(invitation__edition=edition, kind="reminder").values_list(
            "reminder_key", flat=True
        )
    )


def test_reminders_skip_opted_out_contacts_and_submitted_collectivites(
    invited, metz_metropole, django_capture_on_commit_callbacks
):
    Response.objects.create(edition=invited, collectivite=metz_metropole, status="submitted")
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(invited).sent == 1
    assert _recipients() == ["rose.legoff@ville-rennes.test"]
    assert EmailLog.objects.get().kind == "reminder"


def test_a_draft_response_still_gets_reminded(
    invited, rennes, metz_metropole, django_capture_on_commit_callbacks
):
    Response.objects.create(edition=invited, collectivite=rennes, status="draft")
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(invited)
    assert _recipients() == ["marc.schmitt@metzmetropole.test", "rose.legoff@ville-rennes.test"]


def test_it_keeps_the_earlier_link_valid_after_a_reminder(
    client, invited, rennes_link, django_capture_on_commit_callbacks
):
    _, first_token = rennes_link
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(invited)
    reminder = next(m for m in mail.outbox if m.to == ["rose.legoff@ville-rennes.test"])
    assert "Les liens reçus précédemment restent valables" in reminder.body
    first = reverse("access:magic-link", args=[first_token])
    assert _link(reminder) != first
    assert client.post(first).status_code == 302
    assert client.post(_link(reminder)).status_code == 302
    invitation = rennes_link[0]
    assert invitation.links.filter(revoked_at__isnull=True).count() == 2


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
        send_reminders(invited, key="autre")
    assert _recipients() == ["marc.schmitt@metzmetropole.test"]


def test_a_forged_opt_out_link_is_refused(client, rennes_contact):
    url = reverse("access:reminder-opt-out", args=[f"{rennes_contact.pk}:faux"])
    assert client.post(url).status_code == 404
    rennes_contact.refresh_from_db()
    assert not rennes_contact.opted_out_of_reminders


def test_the_periodic_task_honours_the_interval(invited, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert send_scheduled_reminders() == {}
    schedule = ReminderSchedule.objects.create(
        edition=invited, enabled=True, interval_days=7, days_before_closing=[]
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send_scheduled_reminders() == {2021: 2}
    with django_capture_on_commit_callbacks(execute=True):
        assert send_scheduled_reminders() == {}
    schedule.refresh_from_db()
    schedule.last_sent_at = timezone.now() - timedelta(days=8)
    schedule.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_scheduled_reminders() == {2021: 2}
    assert len(mail.outbox) == 4


def test_a_new_schedule_reminds_at_j14_j3_and_j1_by_default(invited):
    schedule = ReminderSchedule.objects.create(edition=invited)
    assert schedule.days_before_closing == [14, 3, 1]
    assert schedule.max_per_contact == 3
    assert schedule.interval_days is None


def test_it_reminds_fourteen_three_and_one_days_before_closing_once_each(
    closing_on_june_30, django_capture_on_commit_callbacks
):
    edition = closing_on_june_30
    runs = {
        "2027-06-10": {},  # J-20: nothing due.
        "2027-06-16 18:00": {2021: 2},  # J-14.
        "2027-06-16 19:00": {},  # The next hour's beat: J-14 already sent.
        "2027-06-20": {},
        "2027-06-27 18:00": {2021: 2},  # J-3.
        "2027-06-27 18:00 again": {},  # Beat twice in the same minute.
        "2027-06-29 18:30": {2021: 2},  # J-1.
        "2027-06-30 17:59": {},
        "2027-07-01": {},  # After closing.
    }
    for moment, expected in runs.items():
        now = datetime.fromisoformat(moment.removesuffix(" again")).replace(tzinfo=UTC)
        with django_capture_on_commit_callbacks(execute=True):
            assert send_due_reminders(now) == expected, moment
    assert _keys(edition) == ["J-1", "J-1", "J-14", "J-14", "J-3", "J-3"]
    assert len(mail.outbox) == 6


def test_after_a_beat_outage_only_the_latest_offset_is_sent(
    closing_on_june_30, django_capture_on_commit_callbacks
):
    now = datetime(2027, 6, 28, tzinfo=UTC)  # J-14 and J-3 both passed.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_due_reminders(now) == {2021: 2}
    assert _keys(closing_on_june_30) == ["J-3", "J-3"]


def test_the_cap_per_contact_is_respected(closing_on_june_30, django_capture_on_commit_callbacks):
    ReminderSchedule.objects.filter(edition=closing_on_june_30).update(max_per_contact=2)
    for day in (16, 27, 29):
        now = datetime(2027, 6, day, 19, tzinfo=UTC)
        with django_capture_on_commit_callbacks(execute=True):
            send_due_reminders(now)
    assert _keys(closing_on_june_30) == ["J-14", "J-14", "J-3", "J-3"]
    plan = plan_reminders(closing_on_june_30, "J-1")
    assert [r["code"] for r in plan.reasons()] == ["opted_out", "cap_reached"]


def test_a_reminder_already_logged_by_another_run_is_not_sent_again(
    invited, rennes_link, django_capture_on_commit_callbacks
):
    invitation = rennes_link[0]
    EmailLog.objects.create(
        contact=invitation.contact,
        invitation=invitation,
        kind="reminder",
        to_email=invitation.contact.email,
        reminder_key="J-3",
        status="sent",
    )
    with django_capture_on_commit_callbacks(execute=True):
        plan = send_reminders(invited, key="J-3")
    assert plan.sent == 1
    assert _recipients() == ["marc.schmitt@metzmetropole.test"]


def test_no_reminder_once_the_edition_is_closed(invited, django_capture_on_commit_callbacks):
    invited.status = "closed"
    invited.save()
    ReminderSchedule.objects.create(edition=invited, enabled=True, interval_days=7)
    with django_capture_on_commit_callbacks(execute=True):
        plan = send_reminders(invited)
        assert plan.sent == 0
        assert send_scheduled_reminders() == {}
    assert mail.outbox == []
    assert [r["code"] for r in plan.reasons()] == ["edition_not_open"]
    assert plan.reasons()[0]["count"] == 3


def test_it_says_why_each_contact_gets_no_reminder(invited, rennes, metz_metropole, alice):
    nantes_contact = Contact.objects.create(
        collectivite=metz_metropole, email="second@metzmetropole.test"
    )
    revoked, _ = invitation_with_token(nantes_contact, invited)
    revoked.revoke(alice)
    Response.objects.create(edition=invited, collectivite=metz_metropole, status="submitted")
    plan = plan_reminders(invited, "manuel:2027-01-01")
    reasons = {r["code"]: r for r in plan.reasons()}
    assert set(reasons) == {"opted_out", "submitted"}
    assert reasons["opted_out"]["count"] == 1
    assert reasons["opted_out"]["collectivites"] == [rennes]
    assert reasons["submitted"]["collectivites"] == [metz_metropole]
    # Nobody left with a valid link: the collectivité has "no contact".
    Invitation.objects.filter(collectivite=rennes).update(revoked_at=timezone.now())
    reasons = {r["code"]: r for r in plan_reminders(invited, "x").reasons()}
    assert reasons["no_contact"]["collectivites"] == [rennes]


def test_nobody_invited_means_nothing_to_explain(edition_2021):
    plan = plan_reminders(edition_2021, "x")
    assert (plan.to_remind, plan.reasons()) == ([], [])


def test_staff_see_the_reasons_then_send_and_see_the_result(
    client, alice, invited, metz_metropole, django_capture_on_commit_callbacks
):
    Response.objects.create(edition=invited, collectivite=metz_metropole, status="submitted")
    client.force_login(alice)
    url = reverse("backoffice:reminders", kwargs={"year": 2021})
    page = client.get(url).content.decode()
    assert "1 contact de 1 collectivité(s) recevrait une relance" in page
    assert "Contact désinscrit des relances" in page
    assert "Réponse déjà envoyée par la collectivité" in page and "Metz Métropole" in page
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"action": "envoyer"}).content.decode()
    assert "1 relance(s) en cours d'envoi, à 1 collectivité(s)." in page
    assert len(mail.outbox) == 1
    # A second click the same day sends nothing more, and says why.
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"action": "envoyer"}).content.decode()
    assert "0 relance(s)" in page and "Cette relance lui a déjà été envoyée" in page
    assert len(mail.outbox) == 1


def test_staff_edit_the_schedule_with_french_errors(client, alice, invited):
    client.force_login(alice)
    url = reverse("backoffice:reminders", kwargs={"year": 2021})
    data = {"action": "programme", "enabled": "on", "max_per_contact": "3"}
    response = client.post(url, {**data, "days_before_closing": "14, trois", "interval_days": "0"})
    page = response.content.decode()
    assert "Le formulaire contient des erreurs" in page
    assert "Indiquez des nombres de jours entre 1 et 365" in page
    assert "L&#x27;intervalle est d&#x27;au moins un jour." in page
    response = client.post(url, {**data, "days_before_closing": "0", "max_per_contact": "0"})
    assert "Indiquez entre 1 et 20 relances par contact." in response.content.decode()
    client.post(url, {**data, "days_before_closing": "J-2, 10 ; 10", "interval_days": "14"})
    schedule = ReminderSchedule.objects.get(edition=invited)
    assert (schedule.enabled, schedule.days_before_closing, schedule.interval_days) == (
        True,
        [10, 2],
        14,
    )
    assert 'value="10, 2"' in client.get(url).content.decode()
