"""Prefill that follows the new definition: answers left out with their reason, and the page
confirmed in one action (« Rien n'a changé depuis l'an dernier »)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from surveys import filling
from surveys.models import Answer, Response, SectionActivity
from tests.surveys.factories import build_edition
from tests.surveys.filling_helpers import bound_form, enter, question, section, stored

YEAR = 2030


@pytest.fixture
def edition(db):
    return build_edition(YEAR)


@pytest.fixture
def previous(db):
    return build_edition(YEAR - 1)


def answered_last_year(previous, collectivite, answers: dict) -> Response:
    old = Response.objects.create(
        edition=previous, collectivite=collectivite, status=Response.Status.SUBMITTED
    )
    for code, value in answers.items():
        Answer.objects.create(response=old, question=previous.questions.get(code=code), value=value)
    return old


PROFIL = {
    "fonction_repondant": "dgs",
    "dispositifs_existants": ["budget_participatif", "reunions_publiques"],
    "service_dedie": "oui",
    "service_intitule": "Mission démocratie",
}


@pytest.fixture
def last_year(previous, rennes):
    return answered_last_year(
        previous, rennes, {**PROFIL, "nb_reunions": 300, "etp_participation": "1.5"}
    )


@pytest.fixture
def response(edition, rennes):
    return filling.response_for(edition, rennes)


@pytest.fixture
def agent(client, edition, rennes):
    enter(client, edition, rennes)
    return client


def url(name, *args):
    return reverse(name, args=[YEAR, *args])


def version_of(page) -> str:
    return re.search(r'name="version" value="(\d+)"', page.content.decode()).group(1)


def confirm(client, code, version=None):
    if version is None:
        version = version_of(client.get(url("answering:section", code)))
    return client.post(url("answering:section", code), {"version": version, "action": "unchanged"})


# -- What is left out, and why ---------------------------------------------------------------


def test_an_answer_whose_choice_was_withdrawn_is_left_out_with_the_choice_named(
    edition, response, last_year
):
    question(response, "fonction_repondant").choices.filter(code="dgs").delete()
    prefill = filling.prefill_for(response, section(response, "profil"))
    assert "fonction_repondant" not in prefill.answers
    left = prefill.left_out["fonction_repondant"]
    assert (left.previous, left.reason, left.partly_kept) == (["DGS"], "choix retiré : DGS", False)


def test_a_number_outside_the_new_bounds_is_left_out_with_the_bounds(edition, response, last_year):
    edition.questions.filter(code="nb_reunions").update(max_value=Decimal(100))
    prefill = filling.prefill_for(response, section(response, "moyens"))
    assert "nb_reunions" not in prefill.answers
    left = prefill.left_out["nb_reunions"]
    assert (left.previous, left.reason) == (["300"], "hors des nouvelles bornes (0 à 100)")


def test_an_answer_to_a_question_whose_type_changed_is_left_out(edition, response, last_year):
    edition.questions.filter(code="etp_participation").update(type="integer")
    prefill = filling.prefill_for(response, section(response, "moyens"))
    assert "etp_participation" not in prefill.answers
    assert prefill.left_out["etp_participation"].reason == "type changé"
    assert prefill.left_out["etp_participation"].previous == ["1,5"]


def test_a_reworded_question_marked_as_a_series_break_is_left_out_to_check(
    edition, response, last_year
):
    edition.rules = {
        **edition.rules,
        "trends": {
            "breaks": {"service_dedie": "not_comparable", "fonction_repondant": "comparable"}
        },
    }
    edition.save()
    response.edition.refresh_from_db()
    prefill = filling.prefill_for(response, section(response, "profil"))
    assert "service_dedie" not in prefill.answers
    assert prefill.left_out["service_dedie"].reason == "question reformulée : à vérifier"
    # A change staff declared comparable keeps the answer.
    assert prefill.answers["fonction_repondant"].value == "dgs"


def test_a_multiple_answer_is_kept_without_its_withdrawn_choice_which_is_listed(
    edition, response, last_year
):
    question(response, "dispositifs_existants").choices.filter(code="reunions_publiques").delete()
    prefill = filling.prefill_for(response, section(response, "profil"))
    assert prefill.answers["dispositifs_existants"].value == ["budget_participatif"]
    left = prefill.left_out["dispositifs_existants"]
    assert left.reason == "choix retiré : Réunions publiques"
    assert left.partly_kept


def test_a_multiple_answer_whose_every_choice_was_withdrawn_is_left_out(
    edition, response, last_year
):
    question(response, "dispositifs_existants").choices.exclude(code="autre").delete()
    prefill = filling.prefill_for(response, section(response, "profil"))
    assert "dispositifs_existants" not in prefill.answers
    left = prefill.left_out["dispositifs_existants"]
    assert left.reason == "choix retirés : Budget participatif, Réunions publiques"
    assert not left.partly_kept


def test_a_withdrawn_ne_sait_pas_choice_is_named_like_any_other(edition, previous, rennes):
    answered_last_year(previous, rennes, {"outils_numeriques": ["forum"], "logiciel": "nsp"})
    response = filling.response_for(edition, rennes)
    question(response, "logiciel").choices.filter(code="nsp").delete()
    prefill = filling.prefill_for(response, section(response, "moyens"))
    assert prefill.left_out["logiciel"].reason == "choix retiré : Ne sait pas"
    assert prefill.answers["outils_numeriques"].value == ["forum"]


def test_the_page_does_not_list_an_answer_left_out_of_a_question_it_hides(
    agent, edition, previous, rennes
):
    answered_last_year(
        previous, rennes, {"outils_numeriques": ["aucun"], "logiciel": "nsp", "nb_reunions": 4}
    )
    edition.questions.get(code="logiciel").choices.filter(code="nsp").delete()
    html = agent.get(url("answering:section", "moyens")).content.decode()
    assert "non reprise" not in html
    assert 'value="unchanged"' in html


def test_nothing_is_left_out_when_the_definition_did_not_change(response, last_year):
    prefill = filling.prefill_for(response, section(response, "profil"))
    assert prefill.left_out == {}
    assert set(prefill.answers) == set(PROFIL)


def test_the_page_lists_the_answers_left_out_at_the_top_and_next_to_the_question(
    agent, edition, last_year
):
    edition.questions.get(code="dispositifs_existants").choices.filter(
        code="reunions_publiques"
    ).delete()
    html = agent.get(url("answering:section", "profil")).content.decode()
    notice = html[html.index('id="reprise-non-reprises"') : html.index("</section>")]
    assert "Réponses de 2029 non reprises (1)" in notice
    assert '<a href="#question-dispositifs_existants">Question dispositifs_existants</a>' in notice
    assert "« Budget participatif ; Réunions publiques »" in notice
    assert "<strong>choix retiré : Réunions publiques</strong>" in notice
    assert 'id="q-dispositifs_existants-non-reprise"' in html
    assert (
        'id="q-dispositifs_existants-budget_participatif" value="budget_participatif" checked'
        in html
    )


# -- « Rien n'a changé depuis l'an dernier » --------------------------------------------------


def test_confirming_saves_exactly_the_prefilled_answers_and_moves_on(
    agent, edition, rennes, last_year
):
    page = agent.get(url("answering:section", "profil")).content.decode()
    assert "Rien n'a changé depuis l'an dernier" in page
    done = confirm(agent, "profil")
    assert done.status_code == 302
    assert done["Location"].startswith(url("answering:section", "moyens"))
    response = Response.objects.get(edition=edition, collectivite=rennes)
    saved = {a.question.code: a.value for a in response.answers.select_related("question")}
    assert saved == PROFIL
    assert "profil" in response.saved_sections
    assert response.version == 1
    assert SectionActivity.objects.get(response=response, section__code="profil").saved_at
    # Saved: the page no longer offers last year's answers.
    assert 'value="unchanged"' not in agent.get(url("answering:section", "profil")).content.decode()


def test_confirming_leaves_out_what_no_longer_fits_and_keeps_the_rest(
    agent, edition, rennes, last_year
):
    edition.questions.get(code="dispositifs_existants").choices.filter(
        code="reunions_publiques"
    ).delete()
    confirm(agent, "profil")
    response = Response.objects.get(edition=edition, collectivite=rennes)
    assert stored(response, "dispositifs_existants") == ["budget_participatif"]
    assert stored(response, "fonction_repondant") == "dgs"


def test_it_is_not_offered_when_a_required_question_has_no_prefilled_answer(
    agent, edition, rennes, last_year
):
    edition.questions.get(code="fonction_repondant").choices.filter(code="dgs").delete()
    html = agent.get(url("answering:section", "profil")).content.decode()
    assert 'value="unchanged"' not in html
    assert "la question obligatoire « Question fonction_repondant » n&#x27;a pas de réponse" in html
    refused = confirm(agent, "profil")
    assert refused.status_code == 302
    assert refused["Location"] == url("answering:section", "profil")
    response = Response.objects.get(edition=edition, collectivite=rennes)
    assert not response.answers.exists() and response.saved_sections == []


def test_it_is_not_offered_without_last_years_answers(agent, edition, rennes):
    html = agent.get(url("answering:section", "profil")).content.decode()
    assert 'value="unchanged"' not in html and "confirmation en une fois" not in html
    confirm(agent, "profil")
    assert not Response.objects.get(edition=edition, collectivite=rennes).answers.exists()


def test_it_is_refused_once_the_edition_is_closed(agent, edition, rennes, last_year):
    version = version_of(agent.get(url("answering:section", "profil")))
    edition.closes_at = timezone.now() - timedelta(hours=1)
    edition.save()
    refused = confirm(agent, "profil", version)
    assert refused.status_code == 403
    assert "est clos" in refused.content.decode()
    assert not Response.objects.get(edition=edition, collectivite=rennes).answers.exists()


def test_it_changes_nothing_once_the_response_is_sent(agent, edition, rennes, last_year):
    response = filling.response_for(edition, rennes)
    Response.objects.filter(pk=response.pk).update(status=Response.Status.SUBMITTED)
    sent = confirm(agent, "profil", "0")
    assert sent["Location"] == url("answering:answers")
    assert not response.answers.exists()


def test_it_refuses_a_stale_version_and_keeps_what_staff_saved_meanwhile(
    agent, edition, rennes, last_year
):
    version = version_of(agent.get(url("answering:section", "profil")))
    response = filling.response_for(edition, rennes)
    # Staff enter the page on paper after the agent opened it.
    form = bound_form(response, "profil", fonction_repondant="elu")
    filling.save_section(response, form, response.version, by_staff=True)
    refused = confirm(agent, "profil", version)
    assert refused.status_code == 409
    assert 'id="conflict"' in refused.content.decode()
    response.refresh_from_db()
    assert "profil" not in response.saved_sections
    assert stored(response, "fonction_repondant") == "elu"
    assert stored(response, "service_dedie") is None
    # Reloaded, the page confirms last year's answers around what staff entered.
    assert confirm(agent, "profil").status_code == 302
    assert stored(response, "fonction_repondant") == "elu"
    assert stored(response, "service_dedie") == "oui"


def test_a_stray_byte_in_the_version_is_refused_without_saving(agent, edition, rennes, last_year):
    refused = confirm(agent, "profil", "1\x00")
    assert refused.status_code == 409
    assert not filling.response_for(edition, rennes).answers.exists()


def test_it_confirms_only_the_agents_own_collectivite(
    agent, edition, previous, rennes, metz_metropole, last_year
):
    answered_last_year(previous, metz_metropole, {"fonction_repondant": "elu"})
    metz = filling.response_for(edition, metz_metropole)
    confirm(agent, "profil")
    assert not metz.answers.exists()
    assert stored(filling.response_for(edition, rennes), "fonction_repondant") == "dgs"


# -- Paper entry ------------------------------------------------------------------------------


def test_paper_entry_lists_the_answers_left_out(client, alice, edition, rennes, last_year):
    edition.questions.get(code="fonction_repondant").choices.filter(code="dgs").delete()
    response = filling.response_for(edition, rennes)
    client.force_login(alice)
    html = client.get(
        reverse("backoffice:response-section", args=[response.pk, "profil"])
    ).content.decode()
    assert "Réponses de 2029 non reprises (1)" in html
    assert "<strong>choix retiré : DGS</strong>" in html
    assert 'id="q-fonction_repondant-non-reprise"' in html
    assert 'value="unchanged"' not in html
