import json
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from respondents.models import AccessRequest, Contact, EmailLog, Invitation
from respondents.services.rgpd import (
    erase_contact,
    export_contact,
    is_erased,
    purge_expired_contacts,
)
from respondents.tasks import purge_expired_contact_data
from surveys.models import Answer, Edition
from tests.backoffice.conftest import invite, make_contact, submitted_response


def closed_edition(year, closed_days_ago):
    return Edition.objects.create(
        year=year,
        title=f"Baromètre {year}",
        status="published",
        closes_at=timezone.now() - timedelta(days=closed_days_ago),
    )


def test_the_purge_erases_only_contacts_past_the_retention_period(
    db, settings, rennes, metz_metropole
):
    settings.CONTACT_RETENTION_DAYS = 3 * 365
    old = closed_edition(2019, closed_days_ago=3 * 365 + 2)
    recent = closed_edition(2023, closed_days_ago=3 * 365 - 2)
    gone = make_contact(rennes, "ancien@rennes.test", last_name="Ancien")
    invite(gone, old)
    kept = make_contact(metz_metropole, "recent@metz.test", last_name="Récent")
    invite(kept, recent)
    # Invited long ago, but invited again later: the last edition counts.
    again = make_contact(rennes, "fidele@rennes.test", last_name="Fidèle")
    invite(again, old)
    invite(again, recent)

    assert purge_expired_contact_data.delay().get() == 1
    gone.refresh_from_db()
    kept.refresh_from_db()
    again.refresh_from_db()
    assert is_erased(gone) and gone.last_name == "Contact effacé" and gone.first_name == ""
    assert not is_erased(kept) and kept.last_name == "Récent"
    assert not is_erased(again)
    # A second run finds nothing more to do.
    assert purge_expired_contacts() == 0


def test_the_purge_also_forgets_old_access_requests(db, settings, rennes):
    settings.CONTACT_RETENTION_DAYS = 30
    edition = closed_edition(2020, closed_days_ago=60)
    old, recent = (
        AccessRequest.objects.create(
            edition=edition, collectivite=rennes, first_name="Paul", last_name=name, email=email
        )
        for name, email in (("Ancien", "old@rennes.test"), ("Récent", "new@rennes.test"))
    )
    AccessRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    purge_expired_contacts()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.first_name, old.last_name, old.email) == (
        "",
        "",
        f"demande-{old.pk}@efface.invalid",
    )
    assert (recent.last_name, recent.email) == ("Récent", "new@rennes.test")


def test_a_contact_of_a_running_wave_is_never_purged(db, settings, rennes):
    settings.CONTACT_RETENTION_DAYS = 1
    running = Edition.objects.create(year=2031, title="B", status="open")
    contact = make_contact(rennes, "agent@rennes.test")
    Contact.objects.filter(pk=contact.pk).update(created_at=timezone.now() - timedelta(days=900))
    invitation = invite(contact, running)
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=900)
    )
    assert purge_expired_contacts() == 0


def test_erasure_forgets_the_person_but_keeps_the_collectivites_answers(
    db, edition, rennes, alice, django_capture_on_commit_callbacks
):
    contact = make_contact(rennes, "rose@rennes.test", first_name="Rose", last_name="Le Goff")
    invitation = invite(contact, edition, opened=True)
    EmailLog.objects.create(
        contact=contact, invitation=invitation, kind="invitation", to_email=contact.email
    )
    AccessRequest.objects.create(
        edition=edition,
        collectivite=rennes,
        first_name="Rose",
        last_name="Le Goff",
        email="rose@rennes.test",
    )
    response = submitted_response(edition, rennes)
    answers = Answer.objects.filter(response=response).count()

    erase_contact(contact, alice)

    contact.refresh_from_db()
    invitation.refresh_from_db()
    assert (contact.first_name, contact.last_name, contact.role) == ("", "Contact effacé", "")
    assert "rose" not in contact.email
    assert contact.opted_out_of_reminders
    assert invitation.revoked_at is not None and invitation.revoked_by == alice
    assert not invitation.is_valid()
    assert list(EmailLog.objects.values_list("to_email", flat=True)) == [contact.email]
    request = AccessRequest.objects.get()
    assert (request.first_name, request.last_name, request.email) == ("", "", contact.email)
    assert Answer.objects.filter(response=response).count() == answers
    held = json.dumps(export_contact(contact))
    assert "Rose" not in held and "Le Goff" not in held and "rose@" not in held


def test_staff_erase_a_contact_after_confirming(client, alice, edition, rennes):
    contact = make_contact(rennes, "rose@rennes.test", last_name="Le Goff")
    client.force_login(alice)
    url = reverse("backoffice:contact-erase", args=[contact.pk])
    assert "Confirmer l'effacement" in client.get(url).content.decode()
    contact.refresh_from_db()
    assert not is_erased(contact)
    page = client.post(url, follow=True)
    contact.refresh_from_db()
    assert is_erased(contact)
    assert "Les réponses de la collectivité sont conservées." in page.content.decode()


def test_staff_download_what_is_held_about_a_contact(client, alice, edition, rennes):
    contact = make_contact(rennes, "rose@rennes.test", first_name="Rose", role="DGS")
    invite(contact, edition, opened=True)
    EmailLog.objects.create(contact=contact, kind="reminder", to_email=contact.email)
    client.force_login(alice)
    response = client.get(reverse("backoffice:contact-export", args=[contact.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="contact-{contact.pk}.json"'
    data = json.loads(response.content)
    assert data["contact"]["prenom"] == "Rose"
    assert data["contact"]["fonction"] == "DGS"
    assert data["contact"]["courriel"] == "rose@rennes.test"
    assert data["contact"]["collectivite"]["code"] == "35238"
    assert [i["edition"] for i in data["invitations"]] == [2031]
    assert data["invitations"][0]["premiere_ouverture"] is not None
    assert [c["nature"] for c in data["courriels"]] == ["Relance"]


def test_staff_find_a_contact_by_name_or_address(client, alice, rennes):
    make_contact(rennes, "rose@rennes.test", last_name="Le Goff")
    client.force_login(alice)
    found = client.get(reverse("backoffice:contacts"), {"q": "le goff"}).content.decode()
    assert "rose@rennes.test" in found
    assert (
        "rose@rennes.test"
        not in client.get(reverse("backoffice:contacts"), {"q": "zzz"}).content.decode()
    )
