"""Who may open each results URL."""

import pytest
from django.urls import reverse

from respondents.models import Collectivite
from tests.results.results_data import build_2021

pytestmark = pytest.mark.django_db

READERS = ["results:index", "results:edition", "results:breakdown", "results:trends"]


@pytest.fixture
def edition():
    return build_2021()


def url(name, edition):
    if name == "results:index":
        return reverse(name)
    if name == "results:collectivite":
        return reverse(name, args=[edition.year, Collectivite.objects.get(code="C1").pk])
    return reverse(name, args=[edition.year])


@pytest.mark.parametrize("name", [*READERS, "results:collectivite", "results:recompute"])
def test_anonymous_visitors_are_sent_to_sign_in(client, edition, name):
    method = client.post if name == "results:recompute" else client.get
    response = method(url(name, edition))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", [*READERS, "results:collectivite"])
def test_users_without_a_role_are_refused(client, charlie, edition, name):
    client.force_login(charlie)
    assert client.get(url(name, edition)).status_code == 403


@pytest.mark.parametrize("name", READERS)
def test_staff_and_analysts_read_results(client, alice, bob, edition, name):
    for user in (alice, bob):
        client.force_login(user)
        assert client.get(url(name, edition)).status_code == 200


def test_only_staff_recompute(client, alice, bob, charlie, edition):
    for user in (bob, charlie):
        client.force_login(user)
        assert client.post(url("results:recompute", edition)).status_code == 403
    client.force_login(alice)
    assert client.get(url("results:recompute", edition)).status_code == 405
    assert client.post(url("results:recompute", edition)).status_code == 302


def test_only_staff_open_a_collectivites_benchmark(client, alice, bob, edition):
    client.force_login(bob)
    assert client.get(url("results:collectivite", edition)).status_code == 403
    client.force_login(alice)
    assert client.get(url("results:collectivite", edition)).status_code == 200


def test_results_of_an_unknown_edition_are_not_found(client, bob, edition):
    client.force_login(bob)
    assert client.get(reverse("results:edition", args=[1999])).status_code == 404


def test_the_public_page_needs_no_account_once_published(client, edition):
    edition.status = "published"
    edition.save()
    assert client.get(reverse("results:public", args=[2021])).status_code == 200
