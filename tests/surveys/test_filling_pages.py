"""The respondent's pages: overview, rendering of every type, saving, conflicts, closed waves."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from respondents.models import Collectivite
from surveys import filling
from surveys.compiled import touch_edition
from surveys.models import Answer, Edition, Question, Response
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import enter, question, stored

YEAR = 2030


@pytest.fixture
def edition(db):
    return build_edition(YEAR)


@pytest.fixture
def agent(client, edition, rennes):
    enter(client, edition, rennes)
    return client


def url(name, *args):
    return reverse(name, args=[YEAR, *args])


def version_of(page) -> str:
    return re.search(r'name="version" value="(\d+)"', page.content.decode()).group(1)


def post_section(client, code, fields, *, version=None, action="continue"):
    if version is None:
        version = version_of(client.get(url("answering:section", code)))
    data = {"version": version, "action": action, **fields}
    return client.post(url("answering:section", code), data)


def test_the_overview_lists_the_sections_with_their_state_and_progress(agent, rennes):
    page = agent.get(url("answering:home"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Bienvenue, Rennes" in html
    assert re.findall(r'data-section="(\w+)" data-state="(\w+)"', html) == [
        ("profil", "not_started"),
        ("moyens", "not_started"),
        ("focus_elections", "not_started"),
        ("fiches", "not_started"),
    ]
    assert '<progress class="filling-progress" max="4" value="0"' in html
    assert "Commencer le questionnaire" in html
    post_section(agent, "moyens", {"nb_reunions": "4"})
    post_section(agent, "profil", {"service_dedie": "oui"})
    html = agent.get(url("answering:home")).content.decode()
    assert 'data-section="moyens" data-state="complete"' in html
    assert 'data-section="profil" data-state="in_progress"' in html
    assert '<progress class="filling-progress" max="4" value="1"' in html
    assert "1 section complète sur 4" in html
    assert "Continuer le questionnaire" in html


def test_a_section_whose_condition_fails_is_neither_listed_nor_reachable(client, edition):
    departement = Collectivite.objects.create(
        kind=Collectivite.Kind.DEPARTEMENT, code="35", name="Ille-et-Vilaine", population=1_000
    )
    enter(client, edition, departement)
    home = client.get(url("answering:home")).content.decode()
    assert 'data-section="focus_elections"' not in home
    assert client.get(url("answering:section", "focus_elections")).status_code == 404


def test_every_type_is_rendered_accessibly_from_its_definition(agent):
    profil = agent.get(url("answering:section", "profil")).content.decode()
    assert '<fieldset id="q-fonction_repondant" class="choices">' in profil
    assert '<legend class="question-label">Question fonction_repondant' in profil
    assert "(obligatoire)" in profil
    assert 'type="radio" name="fonction_repondant" id="q-fonction_repondant-elu" value="elu"' in (
        profil
    )
    assert '<label class="form-check-label" for="q-fonction_repondant-elu">Élu·e</label>' in profil
    assert 'name="fonction_repondant_autre" id="q-fonction_repondant_autre"' in profil
    assert 'type="checkbox" name="dispositifs_existants"' in profil
    # A question hidden by its condition is in the page, hidden, with its condition for the script.
    assert re.search(
        r'id="question-service_intitule"[^>]*data-condition="\{&#34;code&#34;:&#34;service_dedie'
        r"&#34;,&#34;key&#34;:null,&#34;op&#34;:&#34;=&#34;,&#34;values&#34;:\[&#34;oui"
        r'&#34;\]\}" hidden>',
        profil,
    )
    moyens = agent.get(url("answering:section", "moyens")).content.decode()
    assert (
        '<input type="text" inputmode="decimal" autocomplete="off" class="form-control" '
        'name="budget_participation" id="q-budget_participation"' in moyens
    )
    assert 'name="budget_participation_nsp" id="q-budget_participation_nsp"' in moyens
    assert 'name="nb_reunions_nsp"' not in moyens
    assert "data-exclusive" in moyens
    # Matrix: a table with column and row headers and a label per cell.
    assert '<th scope="col" id="q-apports-h-tout_a_fait">Oui, tout à fait</th>' in moyens
    assert '<th scope="row" id="q-apports-transparence">Transparence</th>' in moyens
    assert (
        'type="radio" name="apports.transparence" id="q-apports-transparence-plutot" value="plutot"'
        in moyens
    )
    assert (
        '<label class="visually-hidden" for="q-apports-transparence-plutot">'
        "Transparence : Oui, plutôt</label>" in moyens
    )
    # Ranking: a rank select per item.
    select = '<select class="form-select ranking-select" name="besoins.besoin_4"'
    assert f'{select} id="q-besoins-besoin_4"' in moyens
    assert '<option value="3">3</option>' in moyens
    assert '<option value="4">' not in moyens
    assert '<textarea class="form-control" name="commentaire" id="q-commentaire"' in moyens


def test_the_header_names_the_collectivite_and_offers_to_log_out(agent, edition):
    for name in ("answering:home", "answering:review"):
        page = agent.get(url(name)).content.decode()
        header = page.split("</header>")[0]
        assert "Réponse de Rennes" in header
        assert f'action="/repondre/{edition.year}/deconnexion/"' in header
        assert "Connexion équipe" not in header
    page = agent.get(url("answering:section", "profil")).content.decode()
    assert "Réponse de Rennes" in page.split("</header>")[0]


def test_a_ranking_instruction_is_given_once(agent, edition):
    moyens = agent.get(url("answering:section", "moyens")).content.decode()
    assert moyens.count("Donnez un rang à 3 propositions") == 1
    assert 'aria-describedby="q-besoins-consigne"' in moyens
    # The edition's own help replaces the generated instruction: never both.
    Question.objects.filter(edition=edition, code="besoins").update(
        help_text="Choisissez les 3 propositions les plus importantes et classez-les."
    )
    touch_edition(edition)  # a queryset update sends no signal: the stamp moves on by hand
    moyens = agent.get(url("answering:section", "moyens")).content.decode()
    assert "Donnez un rang" not in moyens and "q-besoins-consigne" not in moyens
    assert moyens.count("Choisissez les 3 propositions les plus importantes") == 1
    assert 'aria-describedby="q-besoins-aide"' in moyens


def test_saving_moves_on_to_the_next_section_or_back_home(agent):
    page = post_section(agent, "profil", {"fonction_repondant": "elu"})
    assert page.status_code == 302
    assert page.url == url("answering:section", "moyens") + "?depuis=profil"
    page = post_section(agent, "moyens", {"nb_reunions": "2"}, action="later")
    assert page.url == url("answering:home") + "?depuis=moyens"
    home = agent.get(page.url).content.decode()
    assert "Vos réponses sont enregistrées." in home
    page = post_section(agent, "fiches", {})
    assert page.url == url("answering:review") + "?depuis=fiches"


def test_errors_are_summarised_with_links_and_the_typed_values_kept(agent, rennes, edition):
    response = filling.response_for(edition, rennes)
    page = post_section(
        agent,
        "moyens",
        {
            "etp_participation": "beaucoup",
            "budget_participation": "12 500,50",
            "outils_numeriques": ["autre"],
        },
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert 'class="error-summary" role="alert"' in html
    assert (
        '<a href="#q-etp_participation">Question etp_participation : '
        "« beaucoup » n&#x27;est pas un nombre.</a>" in html
    )
    assert (
        '<a href="#q-outils_numeriques_autre">Question outils_numeriques : '
        "Précisez votre réponse « Autre ».</a>" in html
    )
    assert (
        '<p class="field-error" id="q-etp_participation-erreur"><span class="visually-hidden">'
        "Erreur : </span>« beaucoup » n&#39;est pas un nombre.</p>" in html
    )
    assert 'aria-describedby="q-etp_participation-erreur"' in html
    assert 'value="beaucoup"' in html
    assert 'value="12 500,50"' in html
    assert "Les autres réponses de cette page ont été enregistrées" in html
    assert stored(response, "budget_participation") == "12500.5"
    assert stored(response, "outils_numeriques") is None
    # The page carries the new version: saving again is not a conflict.
    again = post_section(agent, "moyens", {"etp_participation": "2"}, version=version_of(page))
    assert again.status_code == 302


def test_a_stale_page_is_refused_and_shows_the_newer_answers(client, edition, rennes):
    """Two agents of Rennes open the same page; the second save is refused, nothing is lost."""
    enter(client, edition, rennes, "rose@rennes.test")
    other = Client()
    enter(other, edition, rennes, "marc@rennes.test")
    first_version = version_of(client.get(url("answering:section", "profil")))
    second_version = version_of(other.get(url("answering:section", "profil")))
    post_section(client, "profil", {"fonction_repondant": "elu"}, version=first_version)
    mine = {"fonction_repondant": "dgs", "service_dedie": "non"}
    page = post_section(other, "profil", mine, version=second_version)
    html = page.content.decode()
    assert page.status_code == 409
    assert "Une autre personne de votre collectivité a enregistré des réponses" in html
    # The newer stored answer is shown, and what this agent typed is recalled.
    assert 'id="q-fonction_repondant-elu" value="elu" checked' in html
    assert "Votre saisie non enregistrée : DGS" in html
    assert "Votre saisie non enregistrée : Non" in html
    response = Response.objects.get(edition=edition, collectivite=rennes)
    assert stored(response, "fonction_repondant") == "elu"
    assert stored(response, "service_dedie") is None
    assert version_of(page) == str(response.version)


def test_autosave_returns_the_new_version_and_refuses_a_stale_one(agent, edition, rennes):
    autosave = url("answering:autosave", "moyens")
    first = agent.post(autosave, {"version": "0", "nb_reunions": "7", "etp_participation": "x"})
    data = first.json()
    assert first.status_code == 200
    assert data["ok"] is True
    assert data["version"] == 1
    assert re.fullmatch(r"\d\d\u00a0h\u00a0\d\d", data["saved_at"])
    assert data["message"].startswith("Enregistré à ")
    assert data["errors"] == {"etp_participation": "« x » n'est pas un nombre."}
    stale = agent.post(autosave, {"version": "0", "nb_reunions": "8"})
    assert stale.status_code == 409
    assert stale.json()["conflict"] is True
    assert stale.json()["version"] == 1
    response = Response.objects.get(edition=edition, collectivite=rennes)
    assert stored(response, "nb_reunions") == 7
    assert agent.get(autosave).status_code == 405


def test_the_last_autosave_of_a_page_left_does_not_make_the_next_page_a_conflict(
    agent, edition, rennes
):
    """Moving on to the next page (typed address, back button) before the previous page's last
    autosave lands: the next page was loaded at the older version and still saves."""
    next_page = version_of(agent.get(url("answering:section", "profil")))
    left = agent.post(url("answering:autosave", "moyens"), {"version": "0", "nb_reunions": "7"})
    assert left.json()["version"] == 1
    saved = agent.post(
        url("answering:autosave", "profil"), {"version": next_page, "fonction_repondant": "elu"}
    )
    assert saved.status_code == 200
    assert saved.json()["version"] == 2
    response = Response.objects.get(edition=edition, collectivite=rennes)
    assert (stored(response, "nb_reunions"), stored(response, "fonction_repondant")) == (7, "elu")


def test_the_prefilled_answers_are_marked_on_the_page(agent, rennes, edition):
    previous = build_edition(2029)
    old = Response.objects.create(
        edition=previous, collectivite=rennes, status=Response.Status.VALIDATED
    )
    Answer.objects.create(response=old, question=question(old, "service_dedie"), value="oui")
    html = agent.get(url("answering:section", "profil")).content.decode()
    assert "Réponse reprise de l'édition 2029 — à confirmer ou modifier" in html
    assert 'id="q-service_dedie-oui" value="oui" checked' in html
    assert 'id="question-service_intitule"' in html
    assert not re.search(r'id="question-service_intitule"[^>]*hidden', html)
    post_section(agent, "profil", {"service_dedie": "oui"})
    html = agent.get(url("answering:section", "profil")).content.decode()
    assert "Réponse reprise" not in html


def test_a_closed_wave_shows_a_message_keeps_the_draft_and_refuses_saving(agent, edition, rennes):
    post_section(agent, "profil", {"fonction_repondant": "elu"})
    edition.closes_at = timezone.now() - timedelta(hours=2)
    edition.save()
    page = agent.get(url("answering:section", "profil"))
    html = page.content.decode()
    assert "est clos depuis le" in html
    assert '<fieldset class="filling-fields" disabled>' in html
    assert "Enregistrer et continuer" not in html
    assert 'id="q-fonction_repondant-elu" value="elu" checked' in html
    refused = post_section(agent, "profil", {"fonction_repondant": "dgs"})
    assert refused.status_code == 403
    data = {"version": version_of(page), "fonction_repondant": "dgs"}
    autosave = agent.post(url("answering:autosave", "profil"), data)
    assert autosave.status_code == 403
    assert "est clos" in autosave.json()["message"]
    assert "est clos" in agent.get(url("answering:home")).content.decode()
    response = Response.objects.get(edition=edition, collectivite=rennes)
    assert stored(response, "fonction_repondant") == "elu"
    # Staff extend the deadline: the agent carries on where they were.
    edition.closes_at = timezone.now() + timedelta(days=3)
    edition.save()
    assert post_section(agent, "profil", {"fonction_repondant": "dgs"}).status_code == 302
    assert stored(response, "fonction_repondant") == "dgs"


def test_a_wave_not_yet_open_says_when_it_opens(agent, edition):
    edition.status = Edition.Status.DRAFT
    edition.opens_at = timezone.now() + timedelta(days=1)
    edition.save()
    html = agent.get(url("answering:section", "profil")).content.decode()
    assert "n&#x27;est pas encore ouvert : il ouvrira le" in html
    assert post_section(agent, "profil", {"fonction_repondant": "elu"}).status_code == 403


def test_a_wave_opened_by_staff_before_its_date_lets_agents_answer(agent, edition, rennes):
    edition.status = Edition.Status.OPEN
    edition.opens_at = timezone.now() + timedelta(days=1)
    edition.save()
    assert post_section(agent, "profil", {"fonction_repondant": "elu"}).status_code == 302
    response = Response.objects.get(edition=edition, collectivite=rennes)
    assert stored(response, "fonction_repondant") == "elu"


def test_roster_items_are_added_and_removed_with_server_side_buttons(agent, edition, rennes):
    page = agent.get(url("answering:section", "fiches"))
    assert "0 fiche" in page.content.decode()
    added = agent.post(
        url("answering:roster-add", "fiches", "fiches_dispositifs"),
        {"version": version_of(page)},
    )
    assert added.status_code == 302
    assert added.url.endswith("#fiche-fiches_dispositifs-1")
    page = agent.get(url("answering:section", "fiches"))
    html = page.content.decode()
    assert '<h3 class="h5" id="fiche-fiches_dispositifs-1-titre">Fiche 1</h3>' in html
    assert 'name="fiches_dispositifs-1-nom" id="q-fiches_dispositifs-1-nom"' in html
    assert 'formaction="/repondre/2030/section/fiches/fiches_dispositifs/1/supprimer/"' in html
    added = agent.post(
        url("answering:roster-add", "fiches", "fiches_dispositifs"),
        {"version": version_of(page), "fiches_dispositifs-1-nom": "Fabrique citoyenne"},
    )
    response = Response.objects.get(edition=edition, collectivite=rennes)
    assert stored(response, "nom", item=1) == "Fabrique citoyenne"
    assert stored(response, "fiches_dispositifs") == 2
    page = agent.get(url("answering:section", "fiches"))
    removed = agent.post(
        url("answering:roster-remove", "fiches", "fiches_dispositifs", 1),
        {"version": version_of(page), "fiches_dispositifs-2-nom": "Carte participative"},
    )
    assert removed.status_code == 302
    assert stored(response, "fiches_dispositifs") == 1
    assert stored(response, "nom", item=1) == "Carte participative"
    assert "La fiche 1 a été supprimée." in agent.get(removed.url).content.decode()
    gone = agent.post(
        url("answering:roster-remove", "fiches", "fiches_dispositifs", 2),
        {"version": str(Response.objects.get(pk=response.pk).version)},
    )
    assert gone.status_code == 404


def test_without_javascript_a_revealed_question_keeps_the_agent_on_the_page(agent):
    page = agent.get(url("answering:section", "profil"))
    shown = re.search(r'name="shown" value="([^"]*)"', page.content.decode()).group(1)
    assert "service_intitule" not in shown.split()
    data = {"version": version_of(page), "shown": shown, "action": "continue"}
    stay = agent.post(url("answering:section", "profil"), {**data, "service_dedie": "oui"})
    html = stay.content.decode()
    assert stay.status_code == 200
    assert "Vos réponses font apparaître de nouvelles questions sur cette page." in html
    assert not re.search(r'id="question-service_intitule"[^>]*hidden', html)
    # With the question seen (as the script reports it), saving moves on.
    shown = re.search(r'name="shown" value="([^"]*)"', html).group(1)
    data = {"version": version_of(stay), "shown": shown, "action": "continue"}
    moved = agent.post(url("answering:section", "profil"), {**data, "service_dedie": "oui"})
    assert moved.status_code == 302


def test_the_pages_cost_a_bounded_number_of_queries(
    agent, edition, rennes, django_assert_max_num_queries
):
    """Independent of the number of questions and answers (no query per question), and the
    questionnaire's structure is not read again (surveys.compiled: built by the first save)."""
    post_section(agent, "moyens", {"nb_reunions": "3", "outils_numeriques": ["forum"]})
    # Session, access (invitation, edition, link), response, answers, paradata; no query for
    # the staff's flags while the response has none (Response.staff_notes).
    with django_assert_max_num_queries(5):
        page = agent.get(url("answering:section", "moyens"))
    # The same four, the audit's check, the version claimed, the answers deleted (the POST
    # empties the page), paradata; and here the save's savepoint (the test's transaction).
    with django_assert_max_num_queries(10):
        agent.post(url("answering:autosave", "moyens"), {"version": version_of(page)})
    # Session, access, response, answers: no flags nor corrections to look for.
    with django_assert_max_num_queries(4):
        agent.get(url("answering:home"))
    # The same on the review, whatever the size (last edition's response would add its read).
    with django_assert_max_num_queries(4):
        agent.get(url("answering:review"))
