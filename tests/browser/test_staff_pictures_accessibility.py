"""axe-core and the keyboard on the staff screens of issue 18: the home's items, the invitations'
reach, the e-mail log, paper entry prefilled, and the follow-up's pictures."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from barometre.roles import ANALYSTS, STAFF
from respondents.models import Collectivite, Contact, EmailLog, Invitation
from surveys import filling
from surveys.models import Answer, Question, Response
from tests.browser.support import assert_accessible, invite, open_edition, unnamed_controls

pytestmark = pytest.mark.browser


def member(username: str, role: str):
    user = get_user_model().objects.create_user(username, f"{username}@example.test", "pw")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def sign_in(page, username: str) -> None:
    page.goto("/compte/connexion/")
    page.fill("[name=username]", username)
    page.fill("[name=password]", "pw")
    page.click("button[type=submit]")
    page.wait_for_url("**/equipe/")


def watch_console(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def commune(name: str, code: str, population: int) -> Collectivite:
    return Collectivite.objects.create(
        kind="commune",
        code=code,
        name=name,
        population=population,
        departement_code=code[:2],
        region_code="53",
    )


@pytest.fixture
def wave(edition_2021):
    """Rennes sent its response, Brest opened its link, Quimper has no contact, an e-mail
    to Brest failed."""
    rennes = commune("Rennes", "35238", 225_081)
    brest = commune("Brest", "29019", 139_926)
    commune("Quimper", "29232", 63_000)
    invite(rennes, edition_2021, "agent@rennes.test")
    invite(brest, edition_2021, "agent@brest.test")
    Invitation.objects.filter(collectivite=brest).update(first_used_at=timezone.now())
    for invitation in Invitation.objects.select_related("contact"):
        EmailLog.objects.create(
            contact=invitation.contact,
            invitation=invitation,
            kind="invitation",
            status="sent",
            to_email=invitation.contact.email,
            sent_at=timezone.now(),
        )
    EmailLog.objects.create(
        contact=Contact.objects.get(email="agent@brest.test"),
        kind="reminder",
        status="failed",
        to_email="agent@brest.test",
        error="550 boîte inconnue",
    )
    Response.objects.create(
        edition=edition_2021,
        collectivite=rennes,
        status=Response.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    return edition_2021


def test_the_followup_pictures_are_accessible_and_a_departement_takes_the_focus(
    transactional_db, wave, page
):
    member("analyste", ANALYSTS)
    errors = watch_console(page)
    sign_in(page, "analyste")
    page.goto("/equipe/editions/2021/suivi/")
    page.wait_for_selector(".followup-chart__canvas:not([hidden]) canvas")
    assert page.locator(".followup-chart__canvas:not([hidden])").count() == 3
    assert_accessible(page, "suivi en images")
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => document.activeElement.closest('svg.france-map') ? "
            "document.activeElement.getAttribute('aria-label') : null"
        )
        if focused:
            break
    assert focused == "Ain : aucune collectivité suivie"
    page.focus("svg.france-map path[data-code='35']")
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == (
        "Ille-et-Vilaine : 100 % (1 sur 1)"
    )
    page.click("summary:has-text('Chiffres de la carte')")
    assert page.locator("tr[data-code='35']").inner_text().split("\t") == [
        "35",
        "Ille-et-Vilaine",
        "100 %",
        "1",
        "1",
    ]
    assert_accessible(page, "suivi, tableau de la carte ouvert")
    assert errors == []


def test_the_staff_home_invitations_and_email_log_are_accessible(transactional_db, wave, page):
    member("equipe", STAFF)
    errors = watch_console(page)
    sign_in(page, "equipe")
    assert page.locator("#a-traiter ~ ul li").count() >= 2
    assert page.get_by_role("link", name="Réponses envoyées, à valider (2021)").is_visible()
    assert_accessible(page, "accueil de l'équipe")
    page.get_by_role("link", name="Courriels en échec ces 7 derniers jours").click()
    page.wait_for_selector("text=550 boîte inconnue")
    assert_accessible(page, "courriels en échec")

    page.goto("/equipe/invitations/2021/?type=commune")
    reach = page.locator(".invitation-reach").inner_text()
    assert "3 collectivités dans la sélection filtrée, dont 2 avec au moins un contact" in reach
    assert "1 collectivité sans contact" in reach
    assert page.get_by_role("link", name="aucun contact pour Quimper : en ajouter un").is_visible()
    assert_accessible(page, "invitations")
    assert unnamed_controls(page) == []
    assert errors == []


def test_paper_entry_shows_last_editions_answer_accessibly(transactional_db, page):
    previous, current = open_edition(2018), open_edition(2021)
    rennes = commune("Rennes", "35238", 225_081)
    old = Response.objects.create(
        edition=previous, collectivite=rennes, status=Response.Status.SUBMITTED
    )
    # A single-choice question both editions ask, answered in 2018 with a choice 2021 offers.
    question = next(
        q
        for q in current.questions.filter(type=Question.Type.SINGLE, roster__isnull=True)
        .select_related("section")
        .order_by("section__order", "order")
        if previous.questions.filter(code=q.code, type=q.type).exists()
        and not q.condition
        and not q.section.condition
    )
    choice = question.choices.order_by("order").first()
    Answer.objects.create(
        response=old, question=previous.questions.get(code=question.code), value=choice.code
    )
    response = filling.response_for(current, rennes)
    member("equipe", STAFF)
    errors = watch_console(page)
    sign_in(page, "equipe")
    page.goto(f"/equipe/reponses/{response.pk}/sections/{question.section.code}/")
    assert page.locator(f"#q-{question.code}-{choice.code}").is_checked()
    assert page.locator("text=Réponse reprise de l'édition 2018").first.is_visible()
    assert_accessible(page, "saisie préremplie")
    assert errors == []
