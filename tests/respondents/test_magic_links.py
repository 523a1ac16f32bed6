"""Several valid links per contact: reminders keep the earlier ones, "lien perdu" revokes them,
staff revoke them one by one or all; links sent before the upgrade keep working."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from respondents.models import MagicLink, ReminderSchedule, hash_token
from respondents.services.reminders import send_reminders

pytestmark = pytest.mark.django_db


def _link(token: str) -> str:
    return reverse("access:magic-link", args=[token])


def _token(message) -> str:
    return re.search(r"/acces/([\w-]+)/", message.body).group(1)


def test_lien_perdu_sends_a_new_link_and_revokes_the_earlier_ones(
    client, rennes_link, edition_2021, django_capture_on_commit_callbacks
):
    invitation, first = rennes_link
    second = invitation.issue_token()  # e.g. a reminder's
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("access:resend-link"), {"email": "rose.legoff@ville-rennes.test"})
    [message] = mail.outbox
    assert "il remplace les liens reçus précédemment, qui ne fonctionnent plus" in message.body
    for earlier in (first, second):
        response = client.get(_link(earlier))
        assert response.status_code == 410
        assert "Vous avez demandé un nouveau lien" in response.content.decode()
    assert client.post(_link(_token(message))).status_code == 302
    assert set(invitation.links.values_list("revoked_reason", flat=True)) == {"replaced", ""}


def test_a_reminder_does_not_end_a_session_opened_by_the_first_link(
    client, rennes_link, edition_2021, django_capture_on_commit_callbacks
):
    _, first = rennes_link
    client.post(_link(first))
    home = reverse("answering:home", kwargs={"year": 2021})
    assert client.get(home).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(edition_2021)
    assert client.get(home).status_code == 200


def test_staff_revoke_one_link_and_the_others_stay_valid(client, alice, rennes_link):
    invitation, first = rennes_link
    second = invitation.issue_token()
    agent = client.__class__()
    agent.post(_link(first))
    home = reverse("answering:home", kwargs={"year": 2021})
    assert agent.get(home).status_code == 200
    client.force_login(alice)
    page = client.get(reverse("backoffice:contact", kwargs={"pk": invitation.contact_id}))
    assert page.content.decode().count("Révoquer le lien du") == 2
    link = MagicLink.objects.get(token_hash=hash_token(first))
    client.post(reverse("backoffice:link-revoke", kwargs={"pk": link.pk}))
    assert agent.post(_link(first)).status_code == 410
    # The session that link opened ends with it.
    assert agent.get(home).status_code == 403  # the ended-session page
    assert agent.post(_link(second)).status_code == 302


def test_staff_revoke_every_link_of_a_contact(client, alice, rennes_link, metz_link):
    invitation, first = rennes_link
    second = invitation.issue_token()
    client.force_login(alice)
    response = client.post(
        reverse("backoffice:contact-revoke-links", kwargs={"pk": invitation.contact_id}),
        follow=True,
    )
    assert "2 lien(s) révoqué(s)" in response.content.decode()
    client.logout()
    for token in (first, second):
        assert client.get(_link(token)).status_code == 410
    # Another contact's link is untouched.
    assert client.post(_link(metz_link[1])).status_code == 302


def test_a_revoked_invitation_revokes_its_links_and_the_staff_screens_are_for_staff(
    client, bob, rennes_link
):
    invitation, token = rennes_link
    client.force_login(bob)
    link = invitation.links.get()
    response = client.post(reverse("backoffice:link-revoke", kwargs={"pk": link.pk}))
    assert response.status_code == 403
    link.refresh_from_db()
    assert link.revoked_at is None
    invitation.revoke()
    link.refresh_from_db()
    assert link.revoked_reason == "invitation"


@pytest.mark.django_db(transaction=True)
def test_links_sent_before_the_upgrade_keep_working(client, rennes, edition_2021):
    executor = MigrationExecutor(connection)
    before = [("respondents", "0005_benchmark_results_email")]
    after = [("respondents", "0006_reminders_links_schedule_turnover")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    contact = old.get_model("respondents", "Contact").objects.create(
        collectivite_id=rennes.pk, email="ancien@ville-rennes.test"
    )
    token = "lien-envoye-avant-la-mise-a-jour-" + "x" * 20
    old.get_model("respondents", "Invitation").objects.create(
        edition_id=edition_2021.pk,
        collectivite_id=rennes.pk,
        contact=contact,
        token_hash=hash_token(token),
    )
    old.get_model("respondents", "ReminderSchedule").objects.create(
        edition_id=edition_2021.pk, interval_days=7
    )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    link = MagicLink.objects.get()
    assert link.token_hash == hash_token(token)
    assert link.expires_at is not None
    assert client.post(_link(token)).status_code == 302
    assert ReminderSchedule.objects.get().days_before_closing == [14, 3, 1]
