from datetime import timedelta

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from respondents.access import SESSION_KEY, get_respondent
from respondents.models import MagicLink, hash_token
from surveys.models import Edition

from .conftest import invitation_with_token


def home(year=2021):
    return reverse("answering:home", kwargs={"year": year})


def link(token):
    return reverse("access:magic-link", args=[token])


def test_only_the_hash_of_the_token_is_stored(rennes_link):
    invitation, token = rennes_link
    [stored] = invitation.links.all()
    assert stored.token_hash == hash_token(token)
    assert not MagicLink.objects.filter(token_hash=token).exists()
    assert len(token) >= 40


def test_opening_the_link_shows_a_button_and_opens_no_session(client, rennes_link):
    invitation, token = rennes_link
    response = client.get(link(token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Accéder au questionnaire" in html and "Rennes" in html
    assert '<form method="post"' in html
    assert SESSION_KEY not in client.session
    assert client.get(home()).status_code == 403
    invitation.refresh_from_db()
    assert invitation.first_used_at is None


def test_confirming_the_link_opens_the_session_and_lands_on_the_respondent_home(
    client, rennes_link
):
    invitation, token = rennes_link
    client.get(link(token))
    key_before = client.session.session_key
    response = client.post(link(token))
    assert response.status_code == 302
    assert response["Location"] == home()
    assert client.session.session_key != key_before
    page = client.get(home())
    assert page.status_code == 200
    html = page.content.decode()
    assert "Bienvenue, Rennes" in html
    assert "Baromètre de la démocratie locale numérique 2021" in html
    assert "Merci de consacrer vingt minutes" in html
    assert "Se déconnecter" in html
    invitation.refresh_from_db()
    assert invitation.first_used_at is not None


def test_get_respondent_returns_the_collectivite_contact_and_invitation(rf, rennes_link):
    invitation, _ = rennes_link
    request = rf.get("/")
    request.session = {
        SESSION_KEY: {
            str(invitation.edition_id): {
                "collectivite": invitation.collectivite_id,
                "contact": invitation.contact_id,
                "invitation": invitation.pk,
            }
        }
    }
    access = get_respondent(request, invitation.edition.year)
    assert access.collectivite.name == "Rennes"
    assert access.contact == invitation.contact
    assert access.invitation == invitation
    assert access.edition == invitation.edition


def test_a_tampered_session_entry_gives_no_access(rf, rennes_link, metz_metropole):
    invitation, _ = rennes_link
    request = rf.get("/")
    request.session = {
        SESSION_KEY: {
            str(invitation.edition_id): {
                "collectivite": metz_metropole.pk,
                "contact": invitation.contact_id,
                "invitation": invitation.pk,
            }
        }
    }
    assert get_respondent(request, invitation.edition.year) is None


def test_a_revoked_link_neither_opens_nor_keeps_a_session(client, rennes_link, alice):
    invitation, token = rennes_link
    client.post(link(token))
    assert client.get(home()).status_code == 200
    invitation.revoke(alice)
    assert client.get(home()).status_code == 403
    response = client.post(link(token))
    assert response.status_code == 410
    assert "désactivé" in response.content.decode()


def test_the_link_expires_after_the_wave_closes_and_its_grace_period(client, rennes_link):
    invitation, token = rennes_link
    edition = invitation.edition
    edition.closes_at = timezone.now() - timedelta(days=2)
    edition.save()
    with override_settings(MAGIC_LINK_GRACE_DAYS=3):
        assert client.post(link(token)).status_code == 302
    with override_settings(MAGIC_LINK_GRACE_DAYS=1):
        assert client.get(home()).status_code == 403
        response = client.post(link(token))
        assert response.status_code == 410
        assert "close" in response.content.decode()


def test_the_link_and_the_session_stop_working_once_the_edition_is_published(client, rennes_link):
    invitation, token = rennes_link
    client.post(link(token))
    assert client.get(home()).status_code == 200
    Edition.objects.filter(pk=invitation.edition_id).update(status=Edition.Status.PUBLISHED)
    assert client.get(home()).status_code == 403
    assert client.get(link(token)).status_code == 410
    assert client.post(link(token)).status_code == 410


def test_a_closed_wave_keeps_the_session_read_only_until_the_grace_period_ends(client, rennes_link):
    invitation, token = rennes_link
    client.post(link(token))
    Edition.objects.filter(pk=invitation.edition_id).update(
        status=Edition.Status.CLOSED, closes_at=timezone.now() - timedelta(hours=1)
    )
    with override_settings(MAGIC_LINK_GRACE_DAYS=3):
        page = client.get(home())
        assert page.status_code == 200
        assert "est clos" in page.content.decode()
    with override_settings(MAGIC_LINK_GRACE_DAYS=0):
        assert client.get(home()).status_code == 403
        assert client.post(link(token)).status_code == 410


def test_a_wave_closed_by_hand_without_a_deadline_ends_the_links(client, rennes_link):
    invitation, token = rennes_link
    client.post(link(token))
    Edition.objects.filter(pk=invitation.edition_id).update(
        status=Edition.Status.CLOSED, closes_at=None
    )
    assert client.get(home()).status_code == 403


def test_an_unknown_token_is_refused(client, rennes_link):
    response = client.get(link("pas-un-vrai-jeton"))
    assert response.status_code == 404
    assert "pas valide" in response.content.decode()


@override_settings(RATELIMIT_TOKEN_FAILURES_PER_IP=3)
def test_failed_token_attempts_are_rate_limited_per_ip_but_valid_links_still_open(
    client, rennes_link
):
    _, token = rennes_link
    for attempt in range(3):
        assert client.get(link(f"faux-{attempt}")).status_code == 404
    # Further guesses are refused, but not the colleagues behind the same address.
    assert client.get(link("faux-3")).status_code == 429
    assert client.post(link(token)).status_code == 302


def test_a_new_token_keeps_the_earlier_link_valid(client, rennes_link):
    invitation, old_token = rennes_link
    new_token = invitation.issue_token()
    assert client.post(link(old_token)).status_code == 302
    assert client.post(link(new_token)).status_code == 302


def test_a_new_token_asked_for_by_the_contact_revokes_the_earlier_links(client, rennes_link):
    invitation, old_token = rennes_link
    new_token = invitation.issue_token(revoke_earlier=True)
    response = client.get(link(old_token))
    assert response.status_code == 410
    assert "Vous avez demandé un nouveau lien" in response.content.decode()
    assert client.post(link(new_token)).status_code == 302


def test_a_session_for_one_collectivite_never_reaches_another(
    client, rennes_link, metz_link, edition_2020
):
    _, rennes_token = rennes_link
    client.post(link(rennes_token))
    html = client.get(home()).content.decode()
    assert "Rennes" in html and "Metz" not in html
    # No access to an edition it was not invited to, nor to an edition that does not exist.
    assert client.get(home(2020)).status_code == 403
    assert client.get(home(1999)).status_code == 403


def test_two_links_of_two_editions_live_side_by_side(
    client, rennes_link, rennes_contact, edition_2020
):
    _, token_2021 = rennes_link
    _, token_2020 = invitation_with_token(rennes_contact, edition_2020)
    client.post(link(token_2021))
    client.post(link(token_2020))
    assert client.get(home(2021)).status_code == 200
    assert client.get(home(2020)).status_code == 200


def test_revoking_one_of_two_links_ends_only_its_editions_access(
    client, rennes_link, rennes_contact, edition_2020
):
    invitation_2021, token_2021 = rennes_link
    _, token_2020 = invitation_with_token(rennes_contact, edition_2020)
    client.post(link(token_2021))
    client.post(link(token_2020))
    invitation_2021.links.get().revoke()
    assert client.get(home(2021)).status_code == 403
    assert client.get(home(2020)).status_code == 200


def test_signing_out_forgets_the_respondent_access(client, rennes_link):
    _, token = rennes_link
    client.post(link(token))
    response = client.post(reverse("answering:logout", kwargs={"year": 2021}))
    assert response.status_code == 200
    assert "déconnecté" in response.content.decode()
    assert client.get(home()).status_code == 403


def test_respondent_pages_are_not_cached(client, rennes_link):
    _, token = rennes_link
    client.post(link(token))
    assert "no-store" in client.get(home())["Cache-Control"]
