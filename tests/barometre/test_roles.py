import pytest
from django.contrib.auth.models import Group
from django.urls import reverse


@pytest.mark.django_db
def test_the_roles_exist_as_groups():
    assert set(Group.objects.values_list("name", flat=True)) >= {"staff", "analysts"}


def test_staff_home_sends_anonymous_visitors_to_the_login_page(client, db):
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_home_refuses_a_user_without_a_role(client, charlie):
    client.force_login(charlie)
    assert client.get(reverse("backoffice:home")).status_code == 403


@pytest.mark.parametrize("who", ["alice", "bob"])
def test_staff_and_analysts_reach_the_staff_home(client, db, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("backoffice:home"))
    assert response.status_code == 200
    assert "Espace équipe" in response.content.decode()


def test_only_staff_see_the_administration_link(client, alice, bob):
    client.force_login(bob)
    assert reverse("admin:index") not in client.get(reverse("backoffice:home")).content.decode()
    client.force_login(alice)
    assert reverse("admin:index") in client.get(reverse("backoffice:home")).content.decode()
