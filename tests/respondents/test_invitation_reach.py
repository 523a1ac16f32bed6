"""Before sending, the invitations screen says who will receive an e-mail and why not the others."""

import pytest
from django.core import mail
from django.urls import reverse

from respondents.models import Collectivite, Contact, Invitation
from respondents.services import invitations
from surveys.models import Response

pytestmark = pytest.mark.django_db


def _url(year=2021):
    return reverse("backoffice:invitations", kwargs={"year": year})


def commune(name, code, population=10_000) -> Collectivite:
    return Collectivite.objects.create(
        kind="commune", code=code, name=name, population=population, region_code="53"
    )


def contact(collectivite, email, **fields) -> Contact:
    return Contact.objects.create(collectivite=collectivite, email=email, **fields)


@pytest.fixture
def bretagne(edition_2021):
    """Six communes, one per case: Brest has two contacts to invite, Quimper one (and one opted
    out), Lorient none, Vannes answered already, Lannion's only contact is invited, Morlaix's only
    contact opted out."""
    brest, quimper, lorient, vannes, lannion, morlaix = (
        commune(name, code)
        for name, code in [
            ("Brest", "29019"),
            ("Quimper", "29232"),
            ("Lorient", "56121"),
            ("Vannes", "56260"),
            ("Lannion", "22113"),
            ("Morlaix", "29151"),
        ]
    )
    contact(brest, "a@brest.test")
    contact(brest, "b@brest.test")
    contact(quimper, "a@quimper.test")
    contact(quimper, "b@quimper.test", opted_out_of_reminders=True)
    contact(vannes, "a@vannes.test")
    Response.objects.create(
        edition=edition_2021, collectivite=vannes, status=Response.Status.SUBMITTED
    )
    invitations.invite(contact(lannion, "a@lannion.test"), edition_2021, send=False)
    contact(morlaix, "a@morlaix.test", opted_out_of_reminders=True)
    return {c.name: c for c in (brest, quimper, lorient, vannes, lannion, morlaix)}


def test_it_counts_who_will_receive_an_e_mail_and_why_not_the_others(edition_2021, bretagne):
    reach = invitations.reach(Collectivite.objects.all(), edition_2021)
    assert reach == invitations.Reach(
        selected=6,
        with_contact=5,
        reached=2,
        emails=3,
        without_contact=1,
        answered=1,
        already_invited=1,
        opted_out=1,
    )


def test_nobody_selected_reaches_nobody(edition_2021):
    assert invitations.reach(Collectivite.objects.none(), edition_2021) == invitations.Reach(
        0, 0, 0, 0, 0, 0, 0, 0
    )


def test_a_bulk_invitation_sends_exactly_the_announced_e_mails(
    client, alice, edition_2021, bretagne, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    page = client.get(_url()).content.decode()
    whole = "toute la sélection filtrée : 3 contacts de 2 collectivités recevront un courriel"
    assert whole in page
    assert "1 collectivité sans contact" in page
    assert "1 collectivité a déjà répondu" in page
    assert "1 collectivité dont tous les contacts sont déjà invités" in page
    assert "1 collectivité dont les contacts ont demandé à ne plus recevoir de courriels" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(), {"scope": "all"})
    assert sorted(m.to[0] for m in mail.outbox) == [
        "a@brest.test",
        "a@quimper.test",
        "b@brest.test",
    ]
    assert invitations.reach(Collectivite.objects.all(), edition_2021).emails == 0


def test_a_collectivite_without_contact_says_so_with_a_link_to_add_one(
    client, alice, edition_2021, bretagne
):
    client.force_login(alice)
    page = client.get(_url(), {"q": "lorient"}).content.decode()
    add_url = reverse("backoffice:collectivite", kwargs={"pk": bretagne["Lorient"].pk})
    assert f'<a href="{add_url}#ajout-contact">aucun contact' in page
    assert "disabled" not in page


def test_no_bulk_action_is_offered_when_nobody_can_receive_it(
    client, alice, edition_2021, bretagne, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    assert "Personne dans cette sélection" not in client.get(_url()).content.decode()
    for query in ("lorient", "morlaix", "lannion", "vannes"):
        page = client.get(_url(), {"q": query}).content.decode()
        assert "Personne dans cette sélection ne peut recevoir d'invitation" in page, query
        assert 'name="scope"' not in page and "Envoyer les invitations" not in page
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(_url(), {"q": "morlaix", "scope": "all"}, follow=True)
    assert "Aucun contact de cette sélection ne peut recevoir d&#x27;invitation" in (
        refused.content.decode()
    )
    assert mail.outbox == [] and Invitation.objects.count() == 1
