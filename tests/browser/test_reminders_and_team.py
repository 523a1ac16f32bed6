"""Chromium + axe + keyboard: an earlier link still opens after a reminder; "Mon équipe",
"still in post?" and the staff screens of reminders and turnover."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail

from barometre.roles import STAFF
from respondents.models import Contact, ContactEvent
from respondents.services.emails import confirmation_url
from respondents.services.reminders import send_reminders
from surveys.models import Response
from tests.browser.support import (
    assert_accessible,
    confirm_magic_link,
    invite,
    tab_to,
    unnamed_controls,
)

pytestmark = pytest.mark.browser


def _accessible(page, what: str) -> None:
    assert_accessible(page, what)
    assert unnamed_controls(page) == [], what


def _path(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_the_first_link_still_opens_after_a_reminder_by_keyboard(
    context, page, rennes, edition_2021
):
    first = invite(rennes, edition_2021, "agnes.martin@ville-rennes.test")
    send_reminders(edition_2021)
    [reminder] = mail.outbox
    later = re.search(r"https?://[^/\s]+(/acces/[\w-]+/)", reminder.body).group(1)
    assert later != f"/acces/{first}/"

    page.goto(f"/acces/{first}/")
    _accessible(page, "confirmation du premier lien après une relance")
    tab_to(page, "el.type === 'submit' && el.textContent.includes('Accéder au questionnaire')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/repondre/2021/")
    assert "Réponse de Rennes" in page.inner_text("body")
    _accessible(page, "accueil du répondant ouvert par le premier lien")

    # The reminder's own link works too, in another browser.
    other = context.browser.new_context(base_url=page.url.split("/repondre/")[0])
    try:
        second = other.new_page()
        confirm_magic_link(second, later)
        assert second.url.endswith("/repondre/2021/")
    finally:
        other.close()


def test_an_agent_invites_a_colleague_by_keyboard(page, rennes, edition_2021):
    token = invite(rennes, edition_2021, "agnes.martin@ville-rennes.test")
    confirm_magic_link(page, f"/acces/{token}/")
    page.get_by_role("link", name="Mon équipe").click()
    page.wait_for_url("**/repondre/2021/equipe/")
    _accessible(page, "mon équipe")

    tab_to(page, "el.type === 'submit' && el.textContent.includes('Envoyer l')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator("[data-error-summary]")
    assert "Indiquez l'adresse électronique professionnelle." in summary.inner_text()
    _accessible(page, "mon équipe, avec erreur")

    page.fill("[name=email]", "paul.durand@ville-rennes.test")
    page.fill("[name=first_name]", "Paul")
    page.focus("[name=role]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Invitation envoyée à paul.durand@ville-rennes.test" in page.inner_text("main")
    assert "Paul" in page.inner_text("main")
    _accessible(page, "mon équipe, invitation envoyée")
    assert Contact.objects.get(email="paul.durand@ville-rennes.test").collectivite == rennes


def test_a_contact_answers_still_in_post_by_keyboard(page, rennes, edition_2021):
    invite(rennes, edition_2021, "agnes.martin@ville-rennes.test")
    contact = Contact.objects.get()
    page.goto(_path(confirmation_url(contact)))
    _accessible(page, "toujours en poste ?")
    tab_to(page, "el.type === 'submit'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Choisissez une réponse." in page.locator("[data-error-summary]").inner_text()
    _accessible(page, "toujours en poste ?, avec erreur")
    tab_to(page, "el.type === 'radio'")
    page.keyboard.press("Space")
    tab_to(page, "el.type === 'submit'")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "vous restez le contact de Rennes" in page.inner_text("main")
    _accessible(page, "toujours en poste ?, réponse enregistrée")
    contact.refresh_from_db()
    assert contact.confirmation == "confirmed"


def test_the_staff_screens_of_reminders_and_turnover_are_accessible(
    page, rennes, metz_metropole, edition_2021
):
    user = get_user_model().objects.create_user("equipe-relances", "e@example.test", "pw")
    user.groups.add(Group.objects.get_or_create(name=STAFF)[0])
    invite(rennes, edition_2021, "agnes.martin@ville-rennes.test")
    invite(metz_metropole, edition_2021, "marc@metz.test")
    Response.objects.create(edition=edition_2021, collectivite=metz_metropole, status="submitted")
    agnes = Contact.objects.get(email="agnes.martin@ville-rennes.test")
    ContactEvent.objects.create(collectivite=rennes, contact=agnes, kind="confirmed")
    page.goto("/compte/connexion/")
    page.fill("[name=username]", "equipe-relances")
    page.fill("[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/equipe/")

    page.goto("/equipe/relances/2021/")
    assert "Réponse déjà envoyée par la collectivité" in page.inner_text("main")
    _accessible(page, "relances")
    page.fill("[name=days_before_closing]", "14, trois")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer le programme").click()
    assert "Indiquez des nombres de jours" in page.locator("[data-error-summary]").inner_text()
    _accessible(page, "relances, programme avec erreur")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer la relance maintenant").click()
    assert "1 relance(s) en cours d'envoi" in page.inner_text("main")
    _accessible(page, "relances, résultat de l'envoi")

    for path, what in [
        ("/equipe/contacts/confirmer/", "confirmer les contacts"),
        ("/equipe/contacts/mouvements/", "mouvements des contacts"),
        (f"/equipe/contacts/{agnes.pk}/", "contact et ses liens"),
    ]:
        page.goto(path)
        _accessible(page, what)
