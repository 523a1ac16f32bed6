"""Turnover: an agent invites a colleague ("Mon équipe"); staff ask contacts to confirm they are
still in post, and a contact who left names a successor."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from respondents.models import Contact, ContactEvent, EmailLog, Invitation
from respondents.services import rgpd
from respondents.services.emails import confirmation_url

pytestmark = pytest.mark.django_db

TEAM = reverse("answering:team", kwargs={"year": 2021})


@pytest.fixture(autouse=True)
def _staff_addresses(settings):
    settings.STAFF_NOTIFICATION_EMAILS = ["equipe@decider-ensemble.test"]


@pytest.fixture
def agent(client, rennes_link):
    """Rose, of Rennes, with her session opened by her link."""
    client.post(reverse("access:magic-link", args=[rennes_link[1]]))
    return client


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def _link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/acces/[\w-]+/)", message.body).group(1)


def test_an_agent_invites_a_colleague_who_gets_her_own_link_to_the_same_response(
    agent, client, rennes, rennes_contact, django_capture_on_commit_callbacks
):
    page = agent.get(TEAM).content.decode()
    assert "Mon équipe — Rennes" in page and "Rose Le Goff" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = agent.post(
            TEAM,
            {"email": " Paul.Durand@Ville-Rennes.test ", "first_name": "Paul", "role": "DGS"},
        )
    assert "Invitation envoyée à paul.durand@ville-rennes.test" in response.content.decode()
    colleague = Contact.objects.get(email="paul.durand@ville-rennes.test")
    assert colleague.collectivite == rennes
    event = ContactEvent.objects.get()
    assert (event.contact, event.kind, event.other, event.collectivite) == (
        rennes_contact,
        "colleague",
        colleague,
        rennes,
    )
    to_colleague = next(m for m in mail.outbox if m.to == [colleague.email])
    assert "Rose Le Goff vous invite à répondre, pour Rennes" in to_colleague.body
    to_staff = next(m for m in mail.outbox if m.to == ["equipe@decider-ensemble.test"])
    assert "Rennes" in to_staff.subject and "paul.durand@ville-rennes.test" in to_staff.body
    # The colleague's link opens Rennes' response; Rose's own link still works.
    other = client.__class__()
    assert other.post(_link_in(to_colleague)).status_code == 302
    assert "Réponse de Rennes" in other.get(reverse("answering:home", args=[2021])).content.decode()
    assert agent.get(TEAM).status_code == 200


def test_the_colleague_always_joins_the_agents_own_collectivite(
    agent, rennes, metz_metropole, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agent.post(TEAM, {"email": "intrus@metz.test", "collectivite": metz_metropole.pk})
    assert Contact.objects.get(email="intrus@metz.test").collectivite == rennes
    assert not metz_metropole.contacts.filter(email="intrus@metz.test").exists()


def test_another_collectivites_agent_sees_only_her_own_team(client, metz_link, rennes_contact):
    client.post(reverse("access:magic-link", args=[metz_link[1]]))
    page = client.get(TEAM).content.decode()
    assert "Metz Métropole" in page and "Rose Le Goff" not in page


def test_without_a_session_the_team_page_says_the_session_ended(client, edition_2021):
    assert client.get(TEAM).status_code == 403
    assert client.post(TEAM, {"email": "x@y.test"}).status_code == 403
    assert not Contact.objects.exists()


def test_bad_addresses_get_a_french_message_and_nothing_is_created(agent, rennes_contact):
    for value, message in [
        ("", "Indiquez l&#x27;adresse électronique professionnelle."),
        ("pas-une-adresse\x00", "Indiquez une adresse électronique valide"),
        ("ROSE.legoff@ville-rennes.test", "déjà contact de votre collectivité"),
    ]:
        response = agent.post(TEAM, {"email": value})
        assert response.status_code == 400
        page = response.content.decode()
        assert "Le formulaire contient des erreurs" in page and message in page
    assert Contact.objects.count() == 1
    assert not ContactEvent.objects.exists()


def test_inviting_colleagues_is_rate_limited(agent, settings):
    settings.RATELIMIT_COLLEAGUE_INVITES_PER_CONTACT = 2
    assert agent.post(TEAM, {"email": "un@ville-rennes.test"}).status_code == 200
    assert agent.post(TEAM, {"email": "deux@ville-rennes.test"}).status_code == 200
    assert agent.post(TEAM, {"email": "trois@ville-rennes.test"}).status_code == 429
    assert not Contact.objects.filter(email="trois@ville-rennes.test").exists()


def test_no_colleague_can_be_invited_once_the_wave_is_closed(agent, edition_2021):
    edition_2021.status = "closed"
    edition_2021.save()
    page = agent.get(TEAM).content.decode()
    assert "La collecte est close" in page
    agent.post(TEAM, {"email": "tard@ville-rennes.test"})
    assert not Contact.objects.filter(email="tard@ville-rennes.test").exists()


def test_staff_see_the_colleague_invitation_among_the_contacts_changes(
    client, alice, agent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agent.post(TEAM, {"email": "paul@ville-rennes.test"})
    staff = client.__class__()
    staff.force_login(alice)
    page = staff.get(reverse("backoffice:contact-events")).content.decode()
    assert "a invité un·e collègue" in page and "paul@ville-rennes.test" in page


@pytest.fixture
def asked(client, alice, rennes_link, metz_link, django_capture_on_commit_callbacks):
    """Staff asked every commune's contact (Rennes, not Metz Métropole) to confirm."""
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("backoffice:contacts-confirm"), {"type": "commune"}, follow=True
        )
    assert "Demande de confirmation en cours d&#x27;envoi à 1 contact(s)." in (
        response.content.decode()
    )
    client.logout()
    return client


def test_staff_ask_a_selection_of_contacts_to_confirm(asked, rennes_contact, metz_contact):
    [message] = mail.outbox
    assert message.to == [rennes_contact.email]
    assert "êtes-vous toujours la bonne personne ?" in message.body
    rennes_contact.refresh_from_db()
    metz_contact.refresh_from_db()
    assert (rennes_contact.confirmation, metz_contact.confirmation) == ("requested", "")
    assert EmailLog.objects.get().kind == "confirmation"


def test_a_contact_confirms_and_staff_see_it_with_the_date(
    asked, alice, rennes_contact, django_capture_on_commit_callbacks
):
    url = re.search(r"https?://[^/\s]+(/acces/confirmer/[^\s]+/)", mail.outbox[0].body).group(1)
    page = asked.get(url).content.decode()
    assert "Je suis toujours la bonne personne" in page and "<legend" in page
    rennes_contact.refresh_from_db()
    assert rennes_contact.confirmation == "requested"  # A GET changes nothing.
    response = asked.post(url, {})
    assert response.status_code == 400 and "Choisissez une réponse." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = asked.post(url, {"still_in_post": "oui"})
    assert "vous restez le contact de Rennes" in response.content.decode()
    # Listed for staff, but no e-mail for each of a campaign's thousands of confirmations.
    assert ContactEvent.objects.get().kind == "confirmed"
    assert len(mail.outbox) == 1
    rennes_contact.refresh_from_db()
    assert rennes_contact.confirmation == "confirmed"
    assert rennes_contact.confirmation_answered_at is not None
    asked.force_login(alice)
    page = asked.get(reverse("backoffice:contacts-confirm") + "?type=commune").content.decode()
    assert re.search(r'data-status="confirmed">1<', page)
    assert re.search(r'data-status="requested">0<', page)
    assert "Rose Le Goff" in page and "confirmé" in page
    page = asked.get(reverse("backoffice:contact", args=[rennes_contact.pk])).content.decode()
    assert "Toujours en poste ? confirmé (réponse du" in page


def test_a_contact_who_left_names_a_successor_who_is_invited_in_her_place(
    client, rennes, rennes_link, django_capture_on_commit_callbacks
):
    invitation, token = rennes_link
    contact = invitation.contact
    url = _path(confirmation_url(contact))
    response = client.post(url, {"still_in_post": "non", "successor_email": contact.email})
    assert "Indiquez l&#x27;adresse de la personne qui vous succède." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"still_in_post": "non", "successor_email": "Nouvelle.Elue@ville-rennes.test"}
        )
    assert "nous ne vous écrirons plus au sujet de Rennes" in response.content.decode()
    contact.refresh_from_db()
    assert (contact.confirmation, contact.opted_out_of_reminders) == ("left", True)
    successor = Contact.objects.get(email="nouvelle.elue@ville-rennes.test")
    assert successor.collectivite == rennes
    assert Invitation.objects.filter(contact=successor, edition=invitation.edition).exists()
    kinds = list(ContactEvent.objects.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["left", "successor"]
    # The one who left no longer gets in; the successor does.
    assert client.get(reverse("access:magic-link", args=[token])).status_code == 410
    invitation_mail = next(m for m in mail.outbox if m.to == [successor.email])
    assert client.post(_link_in(invitation_mail)).status_code == 302
    assert any(m.to == ["equipe@decider-ensemble.test"] for m in mail.outbox)
    # Coming back to the link later says it is done.
    assert "nous ne vous écrirons plus" in client.get(url).content.decode()


def test_a_forged_or_erased_confirmation_link_is_refused(client, rennes_contact):
    forged = reverse("access:confirm-contact", args=[f"{rennes_contact.pk}:faux"])
    assert client.post(forged, {"still_in_post": "oui"}).status_code == 404
    url = _path(confirmation_url(rennes_contact))
    rgpd.erase_contact(rennes_contact)
    assert client.get(url).status_code == 404
    rennes_contact.refresh_from_db()
    assert rennes_contact.confirmation == ""


def test_the_personal_data_export_and_erasure_cover_confirmations_and_changes(
    agent, rennes_contact, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        agent.post(TEAM, {"email": "paul@ville-rennes.test"})
    colleague = Contact.objects.get(email="paul@ville-rennes.test")
    exported = rgpd.export_contact(colleague)
    assert exported["mouvements"][0]["role"] == "nouveau contact"
    assert rgpd.export_contact(rennes_contact)["mouvements"][0]["role"] == "auteur"
    rgpd.erase_contact(colleague)
    colleague.refresh_from_db()
    assert colleague.email.endswith("@efface.invalid")
    assert not Invitation.objects.get(contact=colleague).links.filter(revoked_at=None).exists()


def test_a_colleague_who_had_left_can_be_invited_back(
    agent, rennes, edition_2021, django_capture_on_commit_callbacks
):
    former = Contact.objects.create(
        collectivite=rennes,
        email="retour@ville-rennes.test",
        confirmation="left",
        opted_out_of_reminders=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = agent.post(TEAM, {"email": "retour@ville-rennes.test"})
    assert "Invitation envoyée à retour@ville-rennes.test" in response.content.decode()
    former.refresh_from_db()
    assert (former.confirmation, former.opted_out_of_reminders) == ("", False)
    assert Invitation.objects.get(contact=former).is_valid()
    assert any(m.to == [former.email] for m in mail.outbox)
