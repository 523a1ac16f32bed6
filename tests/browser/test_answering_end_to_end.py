"""Issue 5, done when: an invited agent answers the 2021 edition from the e-mail to the receipt.

The invitation really goes through SMTP (aiosmtpd on a free local port, the access tests' own
server); the agent opens the link it carries, fills every section with conditions taken both
ways, types in a field and waits for the autosave, reloads, leaves, comes back with the same
session, changes an answer that hides a question, submits; the stored answers are exactly the
ones typed.
"""

from urllib.parse import urlsplit

import pytest

from respondents.models import Contact
from respondents.services.invitations import invite
from surveys.models import Response
from tests.browser.answers import comparable, stored_answer_set
from tests.browser.support import assert_accessible
from tests.respondents.test_smtp_delivery import _link_path, smtp_server  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.smtp]

LIKERT = ["tout_a_fait", "plutot", "plutot_pas", "pas_du_tout", "nsp"]
OBJECTIFS = (
    "augmenter_participants publics_specifiques frequence_contributions espace_expression "
    "espace_neutre_debat recueillir_avis faire_connaitre transparence_decisions adhesion_projets "
    "production_informations nouvelles_idees modernite outil_ludique outil_neutre"
).split()
APPORTS = (
    "transparence efficacite qualite_decisions adhesion_decisions nouveaux_publics mobiliser_plus "
    "valoriser_travail evaluer confiance engagement"
).split()
EFFETS = ["acceleration_numerique", "nouveaux_publics_crise", "perte_lien", "fracture_numerique"]


def scale(rows: list[str]) -> dict[str, str]:
    return {row: LIKERT[i % len(LIKERT)] for i, row in enumerate(rows)}


# What the agent ends with, as stored: {code: value} or {code: (value, précisez)}.
FINAL = {
    "fonction_repondant": ("autre", "Chargée de mission démocratie locale"),
    "majorite_politique": ["ps", "eelv"],
    "dispositifs_existants": ["conseils_quartier", "budget_participatif"],
    "service_dedie": "oui",
    "service_intitule": "Direction de la participation citoyenne",
    "etp_participation": "2.5",
    "budget_participation": "12500.5",
    "outils_numeriques": ["site_information", "questionnaire_en_ligne"],
    "nouveaux_dispositifs": "oui",
    "intelligence_artificielle": "non",
    "logiciel": "libre",
    "identification": ["franceconnect"],
    "reseaux_sociaux": "non",
    "accompagnement": ["non"],
    "objectifs": scale(OBJECTIFS),
    "apports": scale(APPORTS),
    "sources_information": (["presse", "autre"], "Lettre d'information de la métropole"),
    "besoins": {"formation": 1, "budgets": 2, "mediation": 3},
    "elections_concernee": "oui",
    "changement_majorite": "non",
    "elu_participation": "existait",
    "participation_programme": "plutot",
    "evolution_apres_elections": "renforcee",
    "changements_prevus": "Un budget participatif annuel et des conseils de quartier élus.",
    "nouveaux_outils_elections": ["cartographie", "petition"],
    "outils_crise": ["entraide", "consultation_crise"],
    "consultation_thematique": "Solidarité de voisinage",
    "consultation_presentiel": "non",
    "visio_deliberations": "oui",
    "visio_ateliers": "non",
    "visio_outils": ["jitsi", "youtube_live"],
    "visio_avenir": "hybride",
    "priorites_evolution": "non",
    "effets_crise": scale(EFFETS),
    "cellule_covid": "non",
}
# Typed the French way, stored canonical.
TYPED_NUMBERS = {"etp_participation": "2,5", "budget_participation": "12 500,50"}


def expected_answers() -> dict:
    answers = {}
    for code, value in FINAL.items():
        value, other = value if isinstance(value, tuple) else (value, "")
        answers[(code, 0)] = (value, other)
    return answers


def question(page, code: str):
    return page.locator(f"#question-{code}")


def answer(page, code: str) -> None:
    """Give FINAL[code] the way an agent does, by clicking and typing in the page."""
    value, other = FINAL[code] if isinstance(FINAL[code], tuple) else (FINAL[code], "")
    kind = question(page, code).get_attribute("data-type")
    if kind in ("single", "multiple"):
        for choice in [value] if kind == "single" else value:
            page.locator(f"#q-{code}-{choice}").check()
    elif kind == "matrix":
        for row, point in value.items():
            page.locator(f"#q-{code}-{row}-{point}").check()
    elif kind == "ranking":
        for item, rank in value.items():
            page.locator(f"#q-{code}-{item}").select_option(str(rank))
    else:
        page.locator(f"#q-{code}").fill(TYPED_NUMBERS.get(code, value))
    if other:
        page.locator(f"#q-{code}_autre").fill(other)


def answer_all(page, *codes: str) -> None:
    for code in codes:
        answer(page, code)


def save_and_continue(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer et continuer", exact=True).click()
    summary = page.locator("[data-error-summary]")
    assert not summary.count(), f"page refusée :\n{summary.inner_text()}"


def stored(response: Response) -> dict:
    return comparable(stored_answer_set(response))


@pytest.fixture
def rennes_agent(rennes):
    return Contact.objects.create(
        collectivite=rennes, first_name="Agnès", last_name="Martin", email="agnes@rennes.test"
    )


def test_an_invited_agent_answers_from_the_emailed_link_to_the_receipt(
    context,
    rennes_agent,
    edition_2021,
    smtp_server,  # noqa: F811
):
    invite(rennes_agent, edition_2021)
    [invitation] = smtp_server.messages
    assert invitation["To"] == "agnes@rennes.test"

    page = context.new_page()
    page.goto(_link_path(invitation))
    with page.expect_navigation():
        page.get_by_role("button", name="Accéder au questionnaire").click()
    assert urlsplit(page.url).path.endswith("/repondre/2021/")
    with page.expect_navigation():
        page.get_by_role("link", name="Commencer le questionnaire").click()

    assert urlsplit(page.url).path.endswith("/section/profil/")
    answer_all(page, "fonction_repondant", "majorite_politique")
    save_and_continue(page)

    assert not question(page, "service_intitule").is_visible()
    answer_all(page, "dispositifs_existants", "service_dedie")
    assert question(page, "service_intitule").is_visible()
    answer(page, "service_intitule")
    save_and_continue(page)

    answer_all(page, "etp_participation", "budget_participation")
    save_and_continue(page)

    # Dispositifs numériques: social networks said yes reveals two questions, live.
    assert not question(page, "logiciel").is_visible()
    answer_all(page, "outils_numeriques", "nouveaux_dispositifs", "intelligence_artificielle")
    assert question(page, "logiciel").is_visible()
    answer_all(page, "logiciel", "identification")
    page.locator("#q-reseaux_sociaux-oui").check()
    assert question(page, "reseaux_utilises").is_visible()
    page.locator("#q-reseaux_utilises-facebook").check()
    page.locator("#q-reseaux_utilises-instagram").check()
    page.locator("#q-reseaux_finalite-consultation").check()
    save_and_continue(page)
    response = Response.objects.get(collectivite=rennes_agent.collectivite)
    assert stored(response)[("reseaux_utilises", 0)] == (["facebook", "instagram"], "")

    answer(page, "accompagnement")
    save_and_continue(page)
    answer_all(page, "objectifs", "apports")
    save_and_continue(page)
    answer(page, "sources_information")
    save_and_continue(page)
    answer(page, "besoins")
    save_and_continue(page)

    # The elections focus is asked of a commune; "oui" reveals its follow-up questions.
    assert urlsplit(page.url).path.endswith("/section/focus_elections/")
    assert not question(page, "changement_majorite").is_visible()
    answer(page, "elections_concernee")
    answer_all(
        page,
        "changement_majorite",
        "elu_participation",
        "participation_programme",
        "evolution_apres_elections",
        "changements_prevus",
        "nouveaux_outils_elections",
    )
    save_and_continue(page)

    # Covid focus: a consultation on the crisis asks its theme; it is autosaved, then reloaded.
    assert urlsplit(page.url).path.endswith("/section/focus_covid/")
    assert not question(page, "consultation_thematique").is_visible()
    answer(page, "outils_crise")
    assert question(page, "consultation_thematique").is_visible()
    page.locator("#q-consultation_thematique").press_sequentially(FINAL["consultation_thematique"])
    status = page.locator("#autosave-status")
    status.filter(has_text="Enregistré à").wait_for()
    assert stored(response)[("consultation_thematique", 0)] == (
        FINAL["consultation_thematique"],
        "",
    )
    page.reload()
    assert page.locator("#q-consultation_thematique").input_value() == "Solidarité de voisinage"
    assert page.locator("#q-outils_crise-consultation_crise").is_checked()

    # The agent leaves, and comes back later in the same browser session.
    page.close()
    page = context.new_page()
    page.goto("/repondre/2021/")
    assert page.locator("[data-section=profil]").get_attribute("data-state") == "complete"
    assert page.locator("[data-section=focus_covid]").get_attribute("data-state") != "not_started"

    # Social networks, finally no: the two questions hide, live, and their answers go.
    with page.expect_navigation():
        page.get_by_role("link", name="Les dispositifs numériques").click()
    assert page.locator("#q-reseaux_utilises-facebook").is_checked()
    page.locator("#q-reseaux_sociaux-non").check()
    assert not question(page, "reseaux_utilises").is_visible()
    assert not question(page, "reseaux_finalite").is_visible()
    save_and_continue(page)
    assert ("reseaux_utilises", 0) not in stored(response)
    assert ("reseaux_finalite", 0) not in stored(response)

    page.goto("/repondre/2021/section/focus_covid/")
    assert page.locator("#q-consultation_thematique").input_value() == "Solidarité de voisinage"
    answer_all(
        page,
        "consultation_presentiel",
        "visio_deliberations",
        "visio_ateliers",
        "visio_outils",
        "visio_avenir",
        "priorites_evolution",
        "effets_crise",
        "cellule_covid",
    )
    save_and_continue(page)

    assert urlsplit(page.url).path.endswith("/repondre/2021/relecture/")
    assert "Aucune : toutes les questions obligatoires ont une réponse." in page.inner_text("main")
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer ma réponse").click()
    assert urlsplit(page.url).path.endswith("/repondre/2021/confirmation/")

    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    assert stored(response) == comparable(expected_answers())
    receipt = smtp_server.messages[-1]
    assert len(smtp_server.messages) == 2 and receipt["To"] == "agnes@rennes.test"


def test_a_departement_is_not_asked_the_elections_focus(
    page,
    ille_et_vilaine,
    edition_2021,
    smtp_server,  # noqa: F811
):
    contact = Contact.objects.create(
        collectivite=ille_et_vilaine, email="paul@ille-et-vilaine.test"
    )
    invite(contact, edition_2021)
    [invitation] = smtp_server.messages
    page.goto(_link_path(invitation))
    with page.expect_navigation():
        page.get_by_role("button", name="Accéder au questionnaire").click()

    sections = page.locator("[data-section]")
    codes = [sections.nth(i).get_attribute("data-section") for i in range(sections.count())]
    assert "focus_covid" in codes and "focus_elections" not in codes
    assert_accessible(page, "sommaire d'un département")
    assert page.goto("/repondre/2021/section/focus_elections/").status == 404
