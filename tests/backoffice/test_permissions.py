"""Each staff URL × each role: anonymous → sign-in, no role → 403, analyst → figures only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from respondents.models import AccessRequest, Collectivite, Invitation
from surveys.backoffice.models import ResponseComment
from surveys.models import Edition, Response, Section
from tests.backoffice.conftest import make_contact
from tests.surveys.factories import add_question

LOGIN = "login"


@pytest.fixture
def objects(db, rennes):
    edition = Edition.objects.create(
        year=2031, title="Baromètre 2031", status="open", closes_at=timezone.now() + timedelta(5)
    )
    section = Section.objects.create(edition=edition, code="profil", title="Profil")
    add_question(section, "nb_reunions", "integer")
    roster = add_question(section, "fiches", "roster")
    add_question(section, "nom", "text", roster=roster)
    response = Response.objects.create(
        edition=edition, collectivite=rennes, status="submitted", submitted_at=timezone.now()
    )
    comment = ResponseComment.objects.create(response=response, body="À vérifier")
    lorient = Collectivite.objects.create(kind="commune", code="56121", name="Lorient")
    contact = make_contact(rennes, "rose@rennes.test")
    invitation = Invitation.objects.create(edition=edition, collectivite=rennes, contact=contact)
    invitation.issue_token()
    access_request = AccessRequest.objects.create(
        edition=edition,
        collectivite=lorient,
        first_name="Léa",
        last_name="Roux",
        email="lea@lorient.test",
    )
    return {
        "invitation": invitation.pk,
        "link": invitation.links.get().pk,
        "access_request": access_request.pk,
        "year": 2031,
        "response": response.pk,
        "comment": comment.pk,
        "collectivite": lorient.pk,
        "contact": contact.pk,
    }


# (url name, args, method, expected for: anonymous, charlie (no role), bob (analyst), alice)
URLS = [
    ("backoffice:home", [], "get", LOGIN, 403, 200, 200),
    ("backoffice:edition-preview", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:edition", ["year"], "get", LOGIN, 403, 200, 200),
    ("backoffice:edition", ["year"], "post", LOGIN, 403, 403, 403),
    ("backoffice:edition-status", ["year", "clore"], "get", LOGIN, 403, 403, 200),
    ("backoffice:edition-status", ["year", "clore"], "post", LOGIN, 403, 403, 302),
    ("backoffice:edition-extend", ["year"], "post", LOGIN, 403, 403, 400),
    ("backoffice:followup", ["year"], "get", LOGIN, 403, 200, 200),
    ("backoffice:followup", ["year"], "post", LOGIN, 403, 403, 403),
    ("backoffice:followup-export", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:followup-remind", ["year"], "post", LOGIN, 403, 403, 302),
    ("backoffice:responses", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:entry-search", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:entry-start", ["year", "collectivite"], "post", LOGIN, 403, 403, 302),
    ("backoffice:response", ["response"], "get", LOGIN, 403, 403, 200),
    ("backoffice:response-receipt", ["response"], "get", LOGIN, 403, 403, 200),
    ("backoffice:response-validate", ["response"], "post", LOGIN, 403, 403, 302),
    ("backoffice:response-flag", ["response"], "post", LOGIN, 403, 403, 302),
    ("backoffice:response-resolve", ["response", "comment"], "post", LOGIN, 403, 403, 302),
    ("backoffice:response-thread-reply", ["response", "comment"], "post", LOGIN, 403, 403, 302),
    ("backoffice:conversations", [], "get", LOGIN, 403, 403, 200),
    ("backoffice:response-reopen", ["response"], "post", LOGIN, 403, 403, 302),
    ("backoffice:response-submit", ["response"], "post", LOGIN, 403, 403, 302),
    ("backoffice:response-section", ["response", "profil"], "get", LOGIN, 403, 403, 200),
    # A correction of a sent response without its reason: refused before anything else.
    ("backoffice:response-section", ["response", "profil"], "post", LOGIN, 403, 403, 400),
    (
        "backoffice:response-roster-add",
        ["response", "profil", "fiches"],
        "post",
        LOGIN,
        403,
        403,
        302,
    ),
    (
        "backoffice:response-roster-copy",
        ["response", "profil", "fiches"],
        "post",
        LOGIN,
        403,
        403,
        302,
    ),
    (
        "backoffice:response-roster-remove",
        ["response", "profil", "fiches", 1],
        "post",
        LOGIN,
        403,
        403,
        302,
    ),
    ("backoffice:contacts", [], "get", LOGIN, 403, 403, 200),
    ("backoffice:contact-privacy", ["contact"], "get", LOGIN, 403, 403, 200),
    ("backoffice:contact-export", ["contact"], "get", LOGIN, 403, 403, 200),
    ("backoffice:contact-erase", ["contact"], "get", LOGIN, 403, 403, 200),
    ("backoffice:contact-erase", ["contact"], "post", LOGIN, 403, 403, 302),
    ("backoffice:contact-revoke-links", ["contact"], "post", LOGIN, 403, 403, 302),
    ("backoffice:link-revoke", ["link"], "post", LOGIN, 403, 403, 302),
    ("backoffice:contacts-confirm", [], "get", LOGIN, 403, 403, 200),
    ("backoffice:contacts-confirm", [], "post", LOGIN, 403, 403, 302),
    ("backoffice:contact-events", [], "get", LOGIN, 403, 403, 200),
    ("backoffice:collectivites", [], "get", LOGIN, 403, 403, 200),
    ("backoffice:collectivite", ["collectivite"], "get", LOGIN, 403, 403, 200),
    ("backoffice:contact", ["contact"], "get", LOGIN, 403, 403, 200),
    ("backoffice:invitations", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:invitations-upload", ["year"], "post", LOGIN, 403, 403, 400),
    ("backoffice:invitation-revoke", ["invitation"], "post", LOGIN, 403, 403, 302),
    ("backoffice:invitation-resend", ["invitation"], "post", LOGIN, 403, 403, 302),
    ("backoffice:access-requests", [], "get", LOGIN, 403, 403, 200),
    (
        "backoffice:access-request-decide",
        ["access_request", "refuser"],
        "post",
        LOGIN,
        403,
        403,
        302,
    ),
    ("backoffice:reminders", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:emails", [], "get", LOGIN, 403, 403, 200),
    # The rules editor and the differences: staff only; an empty form is refused, an unknown
    # rule is not found.
    ("backoffice:editor-differences", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-breaks", ["year"], "post", LOGIN, 403, 403, 302),
    ("backoffice:editor-rules", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-rules-check", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-rules-rounding", ["year"], "post", LOGIN, 403, 403, 400),
    ("backoffice:editor-rules-mapping", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-rules-mapping", ["year"], "post", LOGIN, 403, 403, 400),
    ("backoffice:editor-reporting", ["year", "inconnu"], "get", LOGIN, 403, 403, 404),
    ("backoffice:editor-reporting", ["year", "inconnu"], "post", LOGIN, 403, 403, 404),
    ("backoffice:editor-warning-add", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-warning-add", ["year"], "post", LOGIN, 403, 403, 400),
    ("backoffice:editor-warning", ["year", "inconnu"], "get", LOGIN, 403, 403, 404),
    ("backoffice:editor-warning-delete", ["year", "inconnu"], "post", LOGIN, 403, 403, 404),
    ("backoffice:editor-warning-delete", ["year", "inconnu"], "get", LOGIN, 403, 403, 404),
    ("backoffice:editor-indicator-add", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-indicator-add", ["year"], "post", LOGIN, 403, 403, 400),
    ("backoffice:editor-indicator", ["year", "inconnu"], "get", LOGIN, 403, 403, 404),
    ("backoffice:editor-indicator-delete", ["year", "inconnu"], "post", LOGIN, 403, 403, 404),
    ("backoffice:editor-indicator-delete", ["year", "inconnu"], "get", LOGIN, 403, 403, 404),
    ("backoffice:editor-brackets-add", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-brackets-add", ["year"], "post", LOGIN, 403, 403, 400),
    ("backoffice:editor-brackets", ["year", "inconnu"], "get", LOGIN, 403, 403, 404),
    ("backoffice:editor-brackets-delete", ["year", "inconnu"], "post", LOGIN, 403, 403, 404),
    ("backoffice:editor-brackets-delete", ["year", "inconnu"], "get", LOGIN, 403, 403, 404),
    # The questionnaire editor: staff only; an empty form is refused, an unknown code not found.
    ("backoffice:editor-clone", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-clone", ["year"], "post", LOGIN, 403, 403, 400),
    ("backoffice:editor", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-download", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-check", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-reorder", ["year"], "post", LOGIN, 403, 403, 400),
    ("backoffice:editor-section-add", ["year"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-section-add", ["year"], "post", LOGIN, 403, 403, 400),
    ("backoffice:editor-section", ["year", "profil"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-section", ["year", "inconnue"], "get", LOGIN, 403, 403, 404),
    ("backoffice:editor-section-move", ["year", "profil"], "post", LOGIN, 403, 403, 302),
    ("backoffice:editor-section-remove", ["year", "profil"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-question-add", ["year", "profil"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-question-add", ["year", "profil"], "post", LOGIN, 403, 403, 400),
    ("backoffice:editor-item-add", ["year", "fiches"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-item-add", ["year", "nb_reunions"], "get", LOGIN, 403, 403, 404),
    ("backoffice:editor-question", ["year", "nb_reunions"], "get", LOGIN, 403, 403, 200),
    ("backoffice:editor-question", ["year", "nb_reunions"], "post", LOGIN, 403, 403, 400),
    ("backoffice:editor-question-move", ["year", "inconnue"], "post", LOGIN, 403, 403, 302),
    ("backoffice:editor-question-remove", ["year", "nom"], "get", LOGIN, 403, 403, 200),
]


@pytest.mark.parametrize("role", ["anonymous", "charlie", "bob", "alice"])
@pytest.mark.parametrize(("name", "args", "method", *"ncba"), URLS)
def test_each_staff_url_answers_each_role_as_expected(
    request, client, objects, role, name, args, method, n, c, b, a
):
    expected = {"anonymous": n, "charlie": c, "bob": b, "alice": a}[role]
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url = reverse(name, args=[objects.get(arg, arg) for arg in args])
    response = getattr(client, method)(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == expected


def test_the_table_covers_every_staff_url():
    from surveys.backoffice import urls

    names = {f"{urls.app_name}:{p.name}" for p in urls.urlpatterns}
    assert names == {row[0] for row in URLS}
