"""Each staff URL × each role: anonymous → login, no role → 403, analyst → read or 403, staff."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys.models import Edition

LOGIN = "login"


@pytest.fixture
def edition(db):
    return Edition.objects.create(
        year=2031,
        title="Baromètre 2031",
        status="open",
        closes_at=timezone.now() + timedelta(days=5),
    )


# (url name, args, method, expected status for: anonymous, charlie, bob, alice)
# "login" means a redirect to the sign-in page.
URLS = [
    ("staff-edition", [2031], "get", LOGIN, 403, 200, 200),
    ("staff-edition-status", [2031, "clore"], "get", LOGIN, 403, 403, 200),
    ("staff-edition-status", [2031, "clore"], "post", LOGIN, 403, 403, 302),
    ("staff-edition-extend", [2031], "post", LOGIN, 403, 403, 400),
]


@pytest.mark.parametrize(("name", "args", "method", *"ncba"), URLS)
@pytest.mark.parametrize("role", ["anonymous", "charlie", "bob", "alice"])
def test_each_staff_url_answers_each_role_as_expected(
    request, client, edition, role, name, args, method, n, c, b, a
):
    expected = {"anonymous": n, "charlie": c, "bob": b, "alice": a}[role]
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url = reverse(name, args=args)
    response = getattr(client, method)(url)
    if expected == LOGIN:
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == expected
