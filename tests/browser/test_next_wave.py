"""Issue 13, done when: the next wave run as staff and an agent would, in Chromium.

2018 and 2021 are published, Rennes answered both. In the editor, staff clone 2021 into 2022,
add a question with a condition, reword one and judge the series break comparable, add a warning
against last year's answer, remove a choice nobody chose, preview; they open the wave and invite.
The agent sees 2021's answers prefilled and the new question, trips the new warning, confirms and
submits; staff close and publish; the trends read 2018 → 2021 → 2022 with the break marked.
Every editor page is checked with axe.
"""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core import mail

from barometre.roles import STAFF
from exports.results.cache import recompute
from respondents.models import Contact
from surveys.models import Answer, Edition, Response
from surveys.rules import as_number
from tests.browser.answers import planned_answers, store_draft
from tests.browser.support import assert_accessible, confirm_magic_link, open_edition
from tests.browser.test_conversation import staff_page

pytestmark = pytest.mark.browser

NEW_QUESTION = "Budget consacré aux outils numériques de participation (€)"
REWORDED = "Prévoyez-vous de nouveaux dispositifs numériques de participation cette année ?"
WARNING = "Plus du double des ETP déclarés l'an dernier ({precedent.etp_participation}) : vérifiez."


def _send(edition: Edition, collectivite, seed: int, overrides: dict) -> Response:
    """A sent response of `collectivite`: a valid generated answer set with `overrides`."""
    response = store_draft(edition, collectivite, planned_answers(edition, collectivite, seed))
    for code, value in overrides.items():
        Answer.objects.update_or_create(
            response=response,
            question=edition.questions.get(code=code),
            item=0,
            defaults={"value": value, "number": as_number(value), "other_text": ""},
        )
    response.status = Response.Status.SUBMITTED
    response.save()
    return response


def _without_forum(response: Response) -> None:
    """Nobody chose the choice staff will remove (a choice with answers cannot be removed)."""
    for answer in response.answers.filter(question__code="outils_numeriques"):
        kept = [code for code in answer.value if code != "forum"] or ["site_information"]
        answer.value = kept
        answer.save()


@pytest.fixture
def history(transactional_db, rennes, metz_metropole):
    """2018 and 2021 published; Rennes and Metz answered both; Rennes has a contact."""
    for year in (2018, 2021):
        edition = open_edition(year)
        for seed, collectivite in enumerate((rennes, metz_metropole)):
            overrides = {"service_dedie": "oui", "nouveaux_dispositifs": "oui"}
            if year == 2021 and collectivite == rennes:
                overrides |= {
                    "service_intitule": "Direction de la participation",
                    "budget_participation": "10000",
                    "etp_participation": "2",
                }
            _without_forum(_send(edition, collectivite, seed, overrides))
        Edition.objects.filter(pk=edition.pk).update(status=Edition.Status.PUBLISHED)
        recompute(edition, rebuild=True)
    Contact.objects.create(
        collectivite=rennes, email="agnes@rennes.test", first_name="Agnès", last_name="Martin"
    )


@pytest.fixture
def redaction(transactional_db):
    """A member of the staff (transactional tests flush the roles' groups: made again here)."""
    user = get_user_model().objects.create_user("redaction", "redaction@example.test", "pw")
    user.groups.add(Group.objects.get_or_create(name=STAFF)[0])
    return user


def _save(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer", exact=True).click()


def _status(page, action: str) -> None:
    page.goto("/equipe/editions/2022/")
    page.get_by_role("link", name=action).click()
    with page.expect_navigation():
        page.get_by_role("button", name=action).click()


def test_the_next_wave_from_the_editor_to_the_trends(
    history, rennes, redaction, context, browser, live_server
):
    page = staff_page(context, redaction, live_server)
    # Prepare 2022 from 2021.
    page.goto("/equipe/editions/2021/")
    page.get_by_role("link", name="Préparer l'édition suivante").click()
    assert_accessible(page, "préparer l'édition suivante")
    assert page.get_by_label("Année de la nouvelle édition").input_value() == "2022"
    with page.expect_navigation():
        page.get_by_role("button", name="Créer l'édition en brouillon").click()
    assert page.url.endswith("/equipe/editions/2022/editeur/")
    assert_accessible(page, "éditeur de l'édition 2022")
    edition = Edition.objects.get(year=2022)
    assert edition.status == Edition.Status.DRAFT

    # A new question, shown only to collectivités with a dedicated service.
    page.goto("/equipe/editions/2022/editeur/")
    page.locator("a[href$='/sections/moyens/questions/ajouter/']").click()
    assert_accessible(page, "nouvelle question")
    page.locator("[name=question-code]").fill("budget_numerique")
    page.locator("[name=question-type]").select_option("money")
    page.locator("[name=question-text]").fill(NEW_QUESTION)
    page.locator("[name=question-condition]").fill("service_dedie = oui")
    _save(page)
    assert edition.questions.get(code="budget_numerique").condition == "service_dedie = oui"

    # A reworded question.
    page.goto("/equipe/editions/2022/editeur/questions/nouveaux_dispositifs/")
    assert_accessible(page, "modifier une question")
    page.locator("[name=question-text]").fill(REWORDED)
    _save(page)

    # A choice nobody chose is removed.
    page.goto("/equipe/editions/2022/editeur/questions/outils_numeriques/")
    page.get_by_role("group", name=re.compile("« forum »")).get_by_label("Supprimer").check()
    _save(page)
    choices = edition.questions.get(code="outils_numeriques").choices
    assert not choices.filter(code="forum").exists()
    assert choices.filter(code="site_information").exists()

    # The differences with 2021: the reworded question is a break, judged comparable.
    page.goto("/equipe/editions/2022/editeur/differences/")
    assert_accessible(page, "différences avec 2021")
    body = page.inner_text("body")
    assert "budget_numerique" in body and REWORDED in body
    page.get_by_role("group", name=re.compile(re.escape(REWORDED))).get_by_label(
        "Comparable", exact=True
    ).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer les verdicts").click()
    assert "Verdict enregistré : Comparable" in page.inner_text("body")

    # A warning against last year's answer.
    page.goto("/equipe/editions/2022/editeur/regles/")
    assert_accessible(page, "règles de l'édition 2022")
    page.get_by_role("link", name="Ajouter un avertissement").click()
    page.locator("[name=code]").fill("etp_double")
    page.locator("[name=question]").select_option("etp_participation")
    page.locator("[name=when]").fill(
        "precedent.etp_participation > 0 and etp_participation > 2 * precedent.etp_participation"
    )
    page.locator("[name=message]").fill(WARNING)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Enregistrer")).click()
    assert "Avertissement « etp_double » enregistré." in page.inner_text("body")
    assert_accessible(page, "avertissement ajouté")

    # The preview as a commune sees it.
    page.goto("/equipe/editions/2022/apercu/?type=commune")
    assert REWORDED in page.inner_text("body")
    assert_accessible(page, "aperçu pour une commune")

    # The edited edition round-trips through its YAML file.
    download = page.request.get("/equipe/editions/2022/editeur/definition.yaml")
    assert download.ok and "etp_double" in download.text()

    # Open the wave, invite Rennes.
    _status(page, "Ouvrir la collecte")
    assert Edition.objects.get(year=2022).status == Edition.Status.OPEN
    page.goto("/equipe/invitations/2022/?q=rennes")
    page.locator(f"#choix-{rennes.pk}").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer les invitations à leurs contacts").click()
    assert "1 invitation(s) en cours d'envoi" in page.inner_text("body")
    invitation_mail = next(m for m in mail.outbox if "agnes@rennes.test" in m.to)

    # The agent, in a browser of their own.
    agent_context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    agent = agent_context.new_page()
    try:
        link = re.search(r"https?://[^/\s]+(/acces/[\w-]+/)", invitation_mail.body).group(1)
        confirm_magic_link(agent, link)
        # Page after page, last year's answers prefilled and saved as they are, but for the
        # budget; the new question shows once the dedicated service is saved.
        agent.goto("/repondre/2022/section/profil/")
        seen = []
        while "/relecture/" not in agent.url and len(seen) < 20:
            section = urlsplit(agent.url).path.rstrip("/").rsplit("/", 1)[-1]
            seen.append(section)
            if section == "dispositifs_participatifs":
                assert agent.locator("[name=service_dedie][value=oui]").is_checked()
            if section == "moyens":
                budget = agent.locator("[name=budget_participation]")
                assert budget.input_value().replace("\u202f", " ") in ("10 000", "10000")
                agent.locator("[name=etp_participation]").fill("6")
                agent.get_by_label(NEW_QUESTION).fill("12 000")
            with agent.expect_navigation():
                agent.get_by_role("button", name="Enregistrer et continuer", exact=True).click()
        assert seen[:3] == ["profil", "dispositifs_participatifs", "moyens"], seen
        agent.goto("/repondre/2022/relecture/")
        assert WARNING.replace("{precedent.etp_participation}", "2") in agent.inner_text("body")
        with agent.expect_navigation():
            agent.get_by_role("button", name="Envoyer ma réponse").click()
        assert Response.objects.get(edition__year=2022).status == Response.Status.DRAFT
        agent.locator("#confirm-etp_double").check()
        with agent.expect_navigation():
            agent.get_by_role("button", name="Envoyer ma réponse").click()
    finally:
        agent_context.close()
    response = Response.objects.get(edition__year=2022)
    assert response.status == Response.Status.SUBMITTED
    stored = {a.question.code: a.value for a in response.answers.select_related("question")}
    assert stored["budget_numerique"] == "12000"
    assert stored["budget_participation"] == "10000"  # prefilled, saved unchanged
    assert stored["etp_participation"] == "6"
    assert stored["fonction_repondant"]  # prefilled from 2021 and saved

    # Close, publish, read the trends.
    _status(page, "Clore la collecte")
    _status(page, "Publier les résultats")
    assert Edition.objects.get(year=2022).status == Edition.Status.PUBLISHED
    page.goto("/resultats/2022/tendances/")
    assert_accessible(page, "tendances 2018 → 2021 → 2022")
    service = page.locator("section[aria-labelledby='t-service_dedie']")
    assert re.findall(r"20\d\d", service.locator("thead").inner_text()) == ["2018", "2021", "2022"]
    oui = service.locator("tbody tr").filter(has_text="Oui").first.locator("td")
    cells = [cell.replace("\u202f", "") for cell in oui.all_inner_texts()]
    assert cells == ["100,0", "100,0", "100,0"]
    reworded = page.locator("section[aria-labelledby='t-nouveaux_dispositifs']")
    assert re.findall(r"20\d\d", reworded.locator("thead").inner_text()) == ["2018", "2021", "2022"]
    assert "Rupture de série en 2022" in reworded.inner_text()
    assert "jugée comparable" in reworded.inner_text()
