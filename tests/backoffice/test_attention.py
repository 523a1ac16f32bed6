"""The staff home says what needs attention today, each item a count and a link."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from exports.models import ExportJob
from respondents.models import AccessRequest, EmailLog
from surveys.backoffice import attention, conversation
from surveys.backoffice.models import ResponseComment
from surveys.models import Answer, Edition
from tests.backoffice.conftest import commune, make_contact, submitted_response

pytestmark = pytest.mark.django_db


def by_label(items):
    return {item.label: (item.count, item.url) for item in items}


def responses_url(status: str) -> str:
    return reverse("backoffice:responses", args=[2031]) + f"?statut={status}"


@pytest.fixture
def busy_day(edition, rennes, alice):
    """Four responses sent in 2031: Rennes flagged then corrected, Brest flagged only, Vannes and
    Lorient waiting for validation; an access request; a failed e-mail (and an older one); an
    export of Alice's ready; the 2031 wave closing in three days."""
    brest, vannes, lorient = (
        commune("Brest", "29019", 139_926),
        commune("Vannes", "56260", 54_000),
        commune("Lorient", "56121", 57_000),
    )
    responses = {c.name: submitted_response(edition, c) for c in (rennes, brest, vannes, lorient)}
    for name in ("Rennes", "Brest"):
        conversation.flag(responses[name], alice, "Le budget semble très élevé.")
    Answer.objects.update(updated_at=timezone.now() - timedelta(hours=3))
    ResponseComment.objects.update(created_at=timezone.now() - timedelta(hours=2))
    # Rennes's agents changed an answer after the flag (reopened, corrected, sent again).
    Answer.objects.filter(response=responses["Rennes"], question__code="nb_reunions").update(
        updated_at=timezone.now()
    )
    AccessRequest.objects.create(
        edition=edition,
        collectivite=lorient,
        first_name="Léa",
        last_name="Morvan",
        email="lea@lorient.test",
    )
    contact = make_contact(brest, "bob@brest.test")
    EmailLog.objects.create(
        contact=contact, kind="invitation", status="failed", to_email=contact.email
    )
    old = EmailLog.objects.create(
        contact=contact, kind="reminder", status="failed", to_email=contact.email
    )
    EmailLog.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=30))
    EmailLog.objects.create(contact=contact, kind="reminder", status="sent", to_email=contact.email)
    ExportJob.objects.create(edition=edition, format="xlsx", created_by=alice, status="done")
    ExportJob.objects.create(edition=edition, format="csv", created_by=alice, status="running")
    Edition.objects.filter(pk=edition.pk).update(
        status=Edition.Status.OPEN, closes_at=timezone.now() + timedelta(days=3)
    )


def test_staff_see_every_item_with_its_count_and_filtered_link(alice, busy_day):
    assert by_label(attention.items_for(alice)) == {
        "Réponses envoyées, à valider (2031)": (4, responses_url("submitted")),
        "Réponses corrigées depuis un signalement, à revoir (2031)": (
            1,
            responses_url("corrected"),
        ),
        "Réponses avec une incohérence signalée (2031)": (2, responses_url("flagged")),
        "Demandes d'accès en attente": (1, reverse("backoffice:access-requests")),
        "Courriels en échec ces 7 derniers jours": (
            1,
            reverse("backoffice:emails") + "?statut=failed",
        ),
        "Vos exports prêts à télécharger": (1, reverse("exports:list")),
        "L'édition 2031 se termine dans 3 jours": (1, reverse("backoffice:edition", args=[2031])),
    }


def test_the_links_lead_to_lists_holding_the_counted_rows(client, alice, busy_day):
    client.force_login(alice)
    corrected = client.get(responses_url("corrected")).content.decode()
    assert "Rennes" in corrected and "Brest" not in corrected
    flagged = client.get(responses_url("flagged")).content.decode()
    assert "Rennes" in flagged and "Brest" in flagged and "Vannes" not in flagged
    failed = client.get(reverse("backoffice:emails"), {"statut": "failed"}).content.decode()
    assert "2 courriels" in failed and "bob@brest.test" in failed


def test_analysts_see_only_what_concerns_them(bob, busy_day, edition):
    ExportJob.objects.create(edition=edition, format="xlsx", created_by=bob, status="done")
    ExportJob.objects.create(
        edition=edition,
        format="xlsx",
        created_by=bob,
        status="done",
        expires_at=timezone.now() - timedelta(hours=1),
    )
    assert set(by_label(attention.items_for(bob))) == {
        "Vos exports prêts à télécharger",
        "L'édition 2031 se termine dans 3 jours",
    }
    assert by_label(attention.items_for(bob))["Vos exports prêts à télécharger"][0] == 1


def test_an_edition_opening_tomorrow_is_announced(alice, edition):
    Edition.objects.filter(pk=edition.pk).update(
        status=Edition.Status.DRAFT, opens_at=timezone.now() + timedelta(days=1)
    )
    assert by_label(attention.items_for(alice)) == {
        "L'édition 2031 ouvre demain": (1, reverse("backoffice:edition", args=[2031]))
    }


def test_the_home_lists_the_items_or_says_nothing_needs_attention(client, alice, edition):
    client.force_login(alice)
    home = client.get(reverse("backoffice:home")).content.decode()
    assert "Rien à traiter aujourd'hui" in home
    AccessRequest.objects.create(
        edition=edition,
        collectivite=commune("Lorient", "56121", 57_000),
        first_name="Léa",
        last_name="Morvan",
        email="lea@lorient.test",
    )
    home = client.get(reverse("backoffice:home")).content.decode()
    assert "Rien à traiter" not in home
    assert (
        f'<a href="{reverse("backoffice:access-requests")}">Demandes d&#x27;accès en attente</a>'
        in home
    )


def test_the_email_log_is_for_staff_only(client, bob):
    client.force_login(bob)
    assert client.get(reverse("backoffice:emails")).status_code == 403


def test_an_agents_reply_not_read_yet_is_on_the_home_until_staff_read_it(alice, busy_day, rennes):
    thread = ResponseComment.objects.get(response__collectivite=rennes)
    assert "Réponses d'agents à lire" not in by_label(attention.items_for(alice))
    conversation.reply_as_agent(thread.response, thread=thread.pk, body="Le budget est juste.")
    count, url = by_label(attention.items_for(alice))["Réponses d'agents à lire"]
    assert count == 1
    assert url == reverse("backoffice:conversations") + "?statut=open"
    conversation.mark_read(thread.response)
    assert "Réponses d'agents à lire" not in by_label(attention.items_for(alice))


def test_the_email_log_lists_the_staffs_own_notifications_too(client, alice, busy_day):
    # An agent's reply notifies the staff address: a log with no contact behind it.
    EmailLog.objects.create(
        contact=None, kind="agent_reply", status="sent", to_email="equipe@decider.test"
    )
    client.force_login(alice)
    page = client.get(reverse("backoffice:emails"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "equipe@decider.test <small" in html and "(équipe)" in html
    assert 'class="table-scroll"' in html
