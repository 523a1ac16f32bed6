import re
from io import BytesIO

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from respondents.models import Collectivite, Contact, EmailLog, Invitation

pytestmark = pytest.mark.django_db


def _url(year=2021):
    return reverse("backoffice:invitations", kwargs={"year": year})


def _upload(client, name, content, year=2021):
    return client.post(
        reverse("backoffice:invitations-upload", kwargs={"year": year}),
        {"file": SimpleUploadedFile(name, content)},
    )


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("backoffice:collectivites", {}),
        ("backoffice:access-requests", {}),
        ("backoffice:invitations", {"year": 2021}),
        ("backoffice:reminders", {"year": 2021}),
    ],
)
def test_staff_screens_are_for_staff_only(client, alice, bob, edition_2021, name, kwargs):
    url = reverse(name, kwargs=kwargs)
    assert client.get(url).status_code == 302
    client.force_login(bob)
    assert client.get(url).status_code == 403
    client.force_login(alice)
    assert client.get(url).status_code == 200


def test_staff_invite_the_contacts_of_chosen_collectivites(
    client, alice, edition_2021, rennes_contact, metz_contact, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    page = client.get(_url(), {"type": "commune"}).content.decode()
    assert "Rennes" in page and "Metz Métropole" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(), {"type": "commune", "collectivite": [rennes_contact.collectivite_id]}
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["rose.legoff@ville-rennes.test"]]
    invitation = Invitation.objects.get()
    assert (invitation.contact, invitation.created_by) == (rennes_contact, alice)
    assert EmailLog.objects.get().status == "sent"
    # A second send skips contacts already invited.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(), {"scope": "all"})
    assert Invitation.objects.count() == 2
    assert len(mail.outbox) == 2


def test_filters_by_region_and_population_bracket(
    client, alice, edition_2021, rennes, metz_metropole
):
    client.force_login(alice)
    assert "Metz Métropole" in client.get(_url(), {"region": "44"}).content.decode()
    assert "Rennes" not in client.get(_url(), {"region": "44"}).content.decode()
    bracket = client.get(_url(), {"tranche": "100k_500k", "type": "metropole"}).content.decode()
    assert "Metz Métropole" in bracket and "Rennes" not in bracket


def test_a_valid_csv_creates_contacts_and_invites_them(
    client, alice, edition_2021, rennes, metz_metropole, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    content = (
        b"code;email;prenom;nom;fonction\n"
        b"35238;Anne.Martin@ville-rennes.test;Anne;Martin;DGS\n"
        b"200039865;dgs@metzmetropole.test;;;\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, "contacts.csv", content)
    assert response.status_code == 302
    anne = Contact.objects.get(email="anne.martin@ville-rennes.test")
    assert (anne.collectivite, anne.role) == (rennes, "DGS")
    assert Contact.objects.get(email="dgs@metzmetropole.test").collectivite == metz_metropole
    assert len(mail.outbox) == 2


def test_an_xlsx_with_errors_names_each_row_and_saves_nothing(
    client, alice, edition_2021, rennes, django_capture_on_commit_callbacks
):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Code INSEE", "E-mail", "Type"])
    sheet.append(["35238", "ok@ville-rennes.test", ""])
    sheet.append(["99999", "x@ailleurs.test", ""])
    sheet.append(["35238", "pas-une-adresse", ""])
    sheet.append(["35238", "y@ville-rennes.test", "canton"])
    sheet.append(["", "z@ville-rennes.test", ""])
    buffer = BytesIO()
    workbook.save(buffer)
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, "contacts.xlsx", buffer.getvalue())
    html = response.content.decode()
    assert response.status_code == 400
    assert "Ligne 3 : aucune collectivité active avec le code « 99999 »" in html
    assert "Ligne 4 : adresse électronique « pas-une-adresse » invalide." in html
    assert "Ligne 5 : type « canton » inconnu" in html
    assert "Ligne 6 : le code INSEE ou SIREN est vide." in html
    assert "Ligne 2" not in html
    assert not Contact.objects.exists() and mail.outbox == []


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("contacts.pdf", b"%PDF", "Format non pris en charge"),
        ("contacts.csv", b"insee;nom\n35238;x\n", "colonne(s) manquante(s) : « email »"),
        ("contacts.xlsx", b"pas un classeur", "illisible"),
    ],
)
def test_unreadable_files_get_a_clear_french_error(
    client, alice, edition_2021, name, content, message
):
    client.force_login(alice)
    response = _upload(client, name, content)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_region_needs_the_type_column(
    client, alice, edition_2021, django_capture_on_commit_callbacks
):
    bretagne = Collectivite.objects.create(kind="region", code="53", name="Bretagne")
    Collectivite.objects.create(kind="departement", code="53", name="Mayenne")
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(
            client, "c.csv", b"code,email,type\n53,dgs@bretagne.test,region\n53,dgs@mayenne.test,\n"
        )
    assert Contact.objects.get(email="dgs@bretagne.test").collectivite == bretagne
    assert Contact.objects.get(email="dgs@mayenne.test").collectivite.name == "Mayenne"


def test_staff_revoke_and_resend_a_link(
    client, alice, rennes_link, django_capture_on_commit_callbacks
):
    invitation, token = rennes_link
    client.force_login(alice)
    client.post(reverse("backoffice:invitation-revoke", kwargs={"pk": invitation.pk}))
    invitation.refresh_from_db()
    assert invitation.revoked_by == alice
    client.logout()
    assert client.get(reverse("access:magic-link", args=[token])).status_code == 410

    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("backoffice:invitation-resend", kwargs={"pk": invitation.pk}))
    client.logout()
    new_token = re.search(r"/acces/([\w-]+)/", mail.outbox[-1].body).group(1)
    assert client.post(reverse("access:magic-link", args=[new_token])).status_code == 302


def test_staff_add_a_contact_with_a_french_error_for_a_duplicate(client, alice, rennes_contact):
    client.force_login(alice)
    url = reverse("backoffice:collectivite", kwargs={"pk": rennes_contact.collectivite_id})
    response = client.post(url, {"email": "ROSE.legoff@ville-rennes.test", "first_name": "R"})
    assert "déjà un contact avec cette adresse" in response.content.decode()
    client.post(url, {"email": "paul@ville-rennes.test", "last_name": "Durand"})
    assert rennes_contact.collectivite.contacts.count() == 2
