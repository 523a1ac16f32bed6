"""Each staff URL × each role: anonymous → sign-in, no role → 403, analyst → figures only."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from respondents.models import Collectivite
from surveys.models import Edition, Response, ResponseComment, Section
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
    return {
        "year": 2031,
        "response": response.pk,
        "comment": comment.pk,
        "collectivite": lorient.pk,
        "contact": contact.pk,
    }


# (url name, args, method, expected for: anonymous, charlie (no role), bob (analyst), alice)
URLS = [
    ("staff-edition", ["year"], "get", LOGIN, 403, 200, 200),
    ("staff-edition", ["year"], "post", LOGIN, 403, 403, 403),
    ("staff-edition-status", ["year", "clore"], "get", LOGIN, 403, 403, 200),
    ("staff-edition-status", ["year", "clore"], "post", LOGIN, 403, 403, 302),
    ("staff-edition-extend", ["year"], "post", LOGIN, 403, 403, 400),
    ("staff-followup", ["year"], "get", LOGIN, 403, 200, 200),
    ("staff-followup", ["year"], "post", LOGIN, 403, 403, 403),
    ("staff-followup-export", ["year"], "get", LOGIN, 403, 403, 200),
    ("staff-followup-remind", ["year"], "post", LOGIN, 403, 403, 302),
    ("staff-responses", ["year"], "get", LOGIN, 403, 403, 200),
    ("staff-entry-search", ["year"], "get", LOGIN, 403, 403, 200),
    ("staff-entry-start", ["year", "collectivite"], "post", LOGIN, 403, 403, 302),
    ("staff-response", ["response"], "get", LOGIN, 403, 403, 200),
    ("staff-response-validate", ["response"], "post", LOGIN, 403, 403, 302),
    ("staff-response-flag", ["response"], "post", LOGIN, 403, 403, 302),
    ("staff-response-resolve", ["response", "comment"], "post", LOGIN, 403, 403, 302),
    ("staff-response-reopen", ["response"], "post", LOGIN, 403, 403, 302),
    ("staff-response-submit", ["response"], "post", LOGIN, 403, 403, 302),
    ("staff-response-section", ["response", "profil"], "get", LOGIN, 403, 403, 200),
    ("staff-response-section", ["response", "profil"], "post", LOGIN, 403, 403, 409),
    ("staff-response-roster-add", ["response", "profil", "fiches"], "post", LOGIN, 403, 403, 302),
    (
        "staff-response-roster-remove",
        ["response", "profil", "fiches", 1],
        "post",
        LOGIN,
        403,
        403,
        302,
    ),
    ("staff-contacts", [], "get", LOGIN, 403, 403, 200),
    ("staff-contact-privacy", ["contact"], "get", LOGIN, 403, 403, 200),
    ("staff-contact-export", ["contact"], "get", LOGIN, 403, 403, 200),
    ("staff-contact-erase", ["contact"], "get", LOGIN, 403, 403, 200),
    ("staff-contact-erase", ["contact"], "post", LOGIN, 403, 403, 302),
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
    from barometre.urls import urlpatterns  # noqa: F401 (loads the URLconf)
    from respondents import urls_privacy
    from surveys import urls_staff

    names = {p.name for p in urls_staff.urlpatterns} | {
        p.name for p in urls_privacy.urlpatterns if p.name != "privacy-notice"
    }
    assert names == {row[0] for row in URLS}
