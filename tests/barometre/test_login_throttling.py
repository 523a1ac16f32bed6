"""Staff login: repeated failures lock the username and the address out, in French, logged."""

import logging

from django.test import Client, override_settings

LOGIN = "/compte/connexion/"


def attempt(client, password, username="alice"):
    return client.post(LOGIN, {"username": username, "password": password})


@override_settings(RATELIMIT_LOGIN_FAILURES_PER_USERNAME=5)
def test_after_five_wrong_passwords_even_the_right_one_is_refused(client, alice, caplog):
    caplog.set_level(logging.WARNING, logger="barometre.security")
    for _ in range(5):
        assert attempt(client, "mauvais").status_code == 200
    refused = attempt(client, "pw")
    assert refused.status_code == 200
    assert "Trop de tentatives de connexion infructueuses" in refused.text
    assert "_auth_user_id" not in client.session
    assert "Connexion refusée (trop d'échecs) : compte 'alice'" in caplog.text
    assert caplog.text.count("Échec de connexion : compte 'alice'") == 5
    # From another address too: the username is locked, not only the address.
    assert "Trop de tentatives" in attempt(Client(REMOTE_ADDR="10.1.1.1"), "pw").text


@override_settings(RATELIMIT_LOGIN_FAILURES_PER_IP=3, RATELIMIT_LOGIN_FAILURES_PER_USERNAME=99)
def test_an_address_trying_many_usernames_is_locked_out(client, alice):
    for number in range(3):
        attempt(client, "x", username=f"inconnu{number}")
    assert "Trop de tentatives" in attempt(client, "pw").text
    assert attempt(Client(REMOTE_ADDR="10.1.1.2"), "pw").status_code == 302


def test_a_few_mistakes_then_the_right_password_logs_in(client, alice):
    attempt(client, "mauvais")
    assert attempt(client, "pw").status_code == 302


@override_settings(RATELIMIT_LOGIN_FAILURES_PER_USERNAME=2)
def test_the_admin_login_is_throttled_too(client, alice):
    for _ in range(2):
        client.post("/admin/login/", {"username": "alice", "password": "x"})
    page = client.post("/admin/login/", {"username": "alice", "password": "pw"})
    assert "Trop de tentatives" in page.text
