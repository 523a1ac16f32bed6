"""Issues 15 and 18, done when: the conversation on a response, both ways, in Chromium, with its
e-mails through the real local SMTP server, zero axe violations on every page it adds or
changes, the agent's reply typed and sent with the keyboard; and the staff correction page,
which asks for a reason, saves without a script error.
"""

import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from barometre.roles import STAFF
from respondents.models import Collectivite
from surveys import filling
from surveys.backoffice.models import ConversationMessage, ResponseComment
from surveys.models import Response
from tests.browser.support import assert_accessible, confirm_magic_link, invite, tab_to
from tests.respondents.test_smtp_delivery import smtp_server  # noqa: F401
from tests.surveys.filling_helpers import save

pytestmark = [pytest.mark.browser, pytest.mark.smtp]

BUDGET = "Budget annuel dédié à la participation (€, hors masse salariale)"


@pytest.fixture
def rennes_2021(edition_2021):
    return Collectivite.objects.create(
        kind=Collectivite.Kind.COMMUNE,
        code="35238",
        name="Rennes",
        population=220_488,
        departement_code="35",
        region_code="53",
    )


@pytest.fixture
def sent_response(edition_2021, rennes_2021):
    response = filling.response_for(edition_2021, rennes_2021)
    save(response, "moyens", etp_participation="2", budget_participation="5000")
    Response.objects.filter(pk=response.pk).update(
        status=Response.Status.SUBMITTED, submitted_at=timezone.now()
    )
    response.refresh_from_db()
    return response


@pytest.fixture
def alice(transactional_db):
    """Alice is on the staff (transactional tests flush the roles' groups: made again here)."""
    user = get_user_model().objects.create_user("alice", "alice@decider-ensemble.test", "pw")
    user.groups.add(Group.objects.get_or_create(name=STAFF)[0])
    return user


def staff_page(context, alice, live_server):
    """A page of the context signed in as Alice."""
    client = Client()
    client.force_login(alice)
    name = django_settings.SESSION_COOKIE_NAME
    context.add_cookies(
        [{"name": name, "value": client.cookies[name].value, "url": live_server.url}]
    )
    return context.new_page()


def body_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def path_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+#echange-\d+)", body_of(message)).group(1)


def take(mailbox, subject_part: str):
    """The one new message whose subject says `subject_part` (and forget it)."""
    found = [m for m in mailbox.messages if subject_part in m["Subject"]]
    assert len(found) == 1, [m["Subject"] for m in mailbox.messages]
    mailbox.messages.remove(found[0])
    return found[0]


def test_staff_and_agent_talk_about_a_question_until_staff_resolve_it(
    browser,
    context,
    live_server,
    alice,
    edition_2021,
    rennes_2021,
    sent_response,
    smtp_server,  # noqa: F811
    settings,
):
    settings.STAFF_NOTIFICATION_EMAILS = ["equipe@decider-ensemble.test"]
    token = invite(rennes_2021, edition_2021, "agnes@rennes.test")

    # Staff reopen the response, then flag the budget from its page: the label, not the code.
    staff = staff_page(context, alice, live_server)
    staff.goto(f"/equipe/reponses/{sent_response.pk}/")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Rouvrir pour la collectivité").click()
    reopened = take(smtp_server, "est rouverte")
    assert reopened["To"] == "agnes@rennes.test"
    assert staff.locator("#flag-question option", has_text=BUDGET).count() == 1
    staff.select_option("#flag-question", "budget_participation")
    staff.fill("#flag-body", "5 000 € pour 2 ETP : est-ce bien le budget annuel ?")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Signaler une incohérence").click()
    thread = ResponseComment.objects.get()
    assert staff.locator(f"#echange-{thread.pk}").get_by_text(f"Question « {BUDGET} »").count()
    assert_accessible(staff, "page d'une réponse (équipe) avec un échange")

    flagged = take(smtp_server, "un point à vérifier")
    assert flagged["To"] == "agnes@rennes.test"
    assert BUDGET in body_of(flagged)

    # The agent opens the link from the e-mail: the flag is next to the question.
    agent_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    agent_errors: list[str] = []
    agent_context.on("page", lambda p: p.on("pageerror", lambda e: agent_errors.append(str(e))))
    agent = agent_context.new_page()
    try:
        confirm_magic_link(agent, f"/acces/{token}/")
        overview = agent.locator(".staff-flags")
        assert f"Question « {BUDGET} »" in overview.inner_text()
        assert_accessible(agent, "vue d'ensemble avec un point à vérifier")
        with agent.expect_navigation():
            overview.get_by_role("link", name="Voir la question et répondre à l'équipe").click()
        assert agent.url.endswith(path_in(flagged))
        panel = agent.locator(f"#echange-{thread.pk}")
        assert panel.is_visible()
        assert "est-ce bien le budget annuel ?" in panel.inner_text()
        assert_accessible(agent, "section avec un point à vérifier")

        # Replies with the keyboard: Tab to the box, type, Tab to the button, Enter.
        agent.locator("#q-budget_participation").focus()
        tab_to(agent, f"el.id === 'reponse-{thread.pk}'")
        agent.keyboard.type("Oui : 5 000 € par an, hors salaires.")
        agent.keyboard.press("Tab")
        assert agent.evaluate("document.activeElement.textContent.trim()") == (
            "Répondre à l'équipe"
        )
        with agent.expect_navigation():
            agent.keyboard.press("Enter")
        assert agent.url.endswith(f"/section/moyens/#echange-{thread.pk}")
        assert "Oui : 5 000 € par an, hors salaires." in panel.inner_text()
        assert "Votre réponse est envoyée à l'équipe" in agent.inner_text("body")
        assert_accessible(agent, "section après la réponse de l'agent")
        reply = ConversationMessage.objects.get()
        assert (reply.author_kind, reply.contact.email) == ("agent", "agnes@rennes.test")

        told = take(smtp_server, "a répondu à un signalement")
        assert told["To"] == "equipe@decider-ensemble.test"
        assert "Oui : 5 000 € par an, hors salaires." in body_of(told)

        # The staff inbox shows the unread reply first; the staff answer, then resolve.
        staff.goto("/equipe/echanges/")
        row = staff.locator(f'[data-thread="{thread.pk}"]')
        assert "Réponse de l'agent non lue" in row.inner_text()
        assert_accessible(staff, "boîte des échanges")
        with staff.expect_navigation():
            row.get_by_role("link", name="Rennes").click()
        assert "Oui : 5 000 € par an, hors salaires." in staff.inner_text(f"#echange-{thread.pk}")
        staff.fill(f"#reponse-{thread.pk}", "Merci, c'est noté.")
        with staff.expect_navigation():
            staff.get_by_role("button", name="Envoyer la réponse").click()
        answered = take(smtp_server, "l'équipe vous répond")
        assert "Merci, c'est noté." in body_of(answered)
        agent.reload()
        assert "Merci, c'est noté." in agent.locator(f"#echange-{thread.pk}").inner_text()

        with staff.expect_navigation():
            staff.get_by_role("button", name="Lever ce signalement").click()
        assert "Levé le" in staff.inner_text(f"#echange-{thread.pk}")
        assert_accessible(staff, "page d'une réponse avec un échange levé")

        # Resolved: it leaves the agent's pages, and stays in the staff's history.
        agent.goto("/repondre/2021/")
        assert not agent.locator(".staff-flags").count()
        agent.goto("/repondre/2021/section/moyens/")
        assert not agent.locator(f"#echange-{thread.pk}").count()
        staff.goto("/equipe/echanges/?statut=resolved")
        assert staff.locator(f'[data-thread="{thread.pk}"]').count() == 1
    finally:
        agent_context.close()
    assert not agent_errors, agent_errors


def test_a_staff_correction_asks_why_saves_without_script_error_and_the_agent_reads_why(
    browser,
    context,
    live_server,
    alice,
    edition_2021,
    rennes_2021,
    sent_response,
    smtp_server,  # noqa: F811
):
    token = invite(rennes_2021, edition_2021, "agnes@rennes.test")
    staff = staff_page(context, alice, live_server)
    console_errors: list[str] = []
    staff.on(
        "console",
        lambda m: (
            console_errors.append(m.text)
            if m.type == "error" and "Failed to load resource" not in m.text
            else None
        ),
    )
    staff.goto(f"/equipe/reponses/{sent_response.pk}/sections/moyens/")
    staff.fill("#q-budget_participation", "6 000")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Enregistrer").click()
    summary = staff.locator("[data-error-summary]")
    assert "Indiquez le motif de la correction" in summary.inner_text()
    assert staff.input_value("#q-budget_participation") == "6 000", "nothing typed is lost"
    assert_accessible(staff, "correction refusée sans motif")
    staff.fill("#motif", "Budget rectifié au téléphone par la DGS")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Enregistrer").click()
    assert staff.url.endswith(f"/equipe/reponses/{sent_response.pk}/")
    assert "Budget rectifié au téléphone par la DGS" in staff.inner_text(
        "section[aria-labelledby=historique]"
    )
    assert not console_errors, console_errors

    with staff.expect_navigation():
        staff.get_by_role("button", name="Valider la réponse").click()
    validated = take(smtp_server, "est validée")
    assert validated["To"] == "agnes@rennes.test"
    assert "/repondre/2021/mes-reponses/" in body_of(validated)

    agent = browser.new_context(base_url=live_server.url, locale="fr-FR")
    try:
        page = agent.new_page()
        confirm_magic_link(page, f"/acces/{token}/")
        corrections = page.locator(".staff-corrections")
        text = corrections.inner_text()
        assert "Motif : Budget rectifié au téléphone par la DGS" in text
        assert BUDGET in text
        assert_accessible(page, "vue d'ensemble avec les corrections de l'équipe")
    finally:
        agent.close()


def test_a_sent_response_shows_its_flags_and_a_bad_reply_gets_the_error_summary(
    browser,
    context,
    live_server,
    alice,
    edition_2021,
    rennes_2021,
    sent_response,
    smtp_server,  # noqa: F811
):
    token = invite(rennes_2021, edition_2021, "agnes@rennes.test")
    staff = staff_page(context, alice, live_server)
    staff.goto(f"/equipe/reponses/{sent_response.pk}/")
    staff.fill("#flag-body", "Pouvez-vous confirmer l'ensemble de la réponse ?")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Signaler une incohérence").click()
    whole = ResponseComment.objects.get()
    take(smtp_server, "un point à vérifier")

    agent = context.browser.new_context(base_url=live_server.url, locale="fr-FR")
    try:
        page = agent.new_page()
        confirm_magic_link(page, f"/acces/{token}/")
        with page.expect_navigation():
            page.get_by_role("link", name="Répondre à l'équipe").click()
        assert page.url.endswith(f"/repondre/2021/echanges/{whole.pk}/#echange-{whole.pk}")
        assert_accessible(page, "page d'un point à vérifier")
        with page.expect_navigation():
            page.get_by_role("button", name="Répondre à l'équipe").click()
        summary = page.locator("[data-error-summary]")
        assert "Écrivez votre réponse à l'équipe." in summary.inner_text()
        assert_accessible(page, "point à vérifier, réponse vide refusée")
        summary.get_by_role("link").click()
        assert page.evaluate("document.activeElement.id") == f"reponse-{whole.pk}"
        page.keyboard.type("Tout est confirmé.")
        page.keyboard.press("Tab")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert "Tout est confirmé." in page.inner_text(f"#echange-{whole.pk}")
        page.goto("/repondre/2021/mes-reponses/")
        assert "Tout est confirmé." in page.inner_text(f"#echange-{whole.pk}")
        assert_accessible(page, "mes réponses avec un point à vérifier")
    finally:
        agent.close()
