from decimal import Decimal

import pytest

from respondents.models import Collectivite
from surveys.models import Answer, Question, Response
from surveys.visibility import (
    answer_values,
    drop_hidden_answers,
    edition_questions,
    is_visible,
    item_values,
    visible_choices,
    visible_questions,
)
from tests.surveys.factories import build_edition


@pytest.fixture
def edition(db):
    return build_edition()


@pytest.fixture
def ille_et_vilaine(db):
    return Collectivite.objects.create(
        kind=Collectivite.Kind.DEPARTEMENT,
        code="35",
        name="Ille-et-Vilaine",
        population=1_079_498,
        departement_code="35",
        region_code="53",
    )


def answer(response, code, value, item=0, other_text=""):
    question = Question.objects.get(edition=response.edition, code=code)
    return Answer.objects.create(
        response=response, question=question, item=item, value=value, other_text=other_text
    )


def codes(questions):
    return [q.code for q in questions]


def test_answer_values_include_answers_and_derived_variables(edition, rennes):
    response = Response.objects.create(edition=edition, collectivite=rennes)
    answer(response, "service_dedie", "oui")
    answer(response, "budget_participation", "225081")
    answer(response, "nom", "Fabrique citoyenne", item=1)
    values = answer_values(response)
    assert values["service_dedie"] == "oui"
    assert values["type_collectivite"] == "commune"
    assert values["tranche_population"] == "100k_500k"
    assert values["region"] == "53"
    assert values["budget_par_habitant"] == Decimal("1.00")
    assert "nom" not in values
    assert item_values(response) == {1: {"nom": "Fabrique citoyenne"}}


def test_a_question_condition_taken_both_ways(edition):
    question = edition.questions.get(code="service_intitule")
    assert is_visible(question, {"service_dedie": "oui"})
    assert not is_visible(question, {"service_dedie": "non"})
    assert not is_visible(question, {})


def test_a_section_condition_hides_all_its_questions(edition):
    questions = edition_questions(edition)
    commune = {"type_collectivite": "commune", "elections_concernee": "oui"}
    region = {"type_collectivite": "region", "elections_concernee": "oui"}
    assert {"elections_concernee", "changement_majorite"} <= set(
        codes(visible_questions(edition, commune, questions))
    )
    shown_to_region = codes(visible_questions(edition, region))
    assert "elections_concernee" not in shown_to_region
    assert "changement_majorite" not in shown_to_region
    assert "fonction_repondant" in shown_to_region


def test_visible_questions_leave_out_roster_items_and_keep_order(edition):
    shown = codes(visible_questions(edition, {"type_collectivite": "commune"}))
    assert shown[:3] == ["fonction_repondant", "dispositifs_existants", "service_dedie"]
    assert "fiches_dispositifs" in shown
    assert "nom" not in shown
    assert "logiciel" not in shown


def test_has_other_than_shows_logiciel_unless_aucun(edition):
    logiciel = edition.questions.get(code="logiciel")
    assert is_visible(logiciel, {"outils_numeriques": ["forum"]})
    assert not is_visible(logiciel, {"outils_numeriques": ["aucun"]})


def test_a_choice_condition_taken_both_ways(edition):
    question = edition.questions.get(code="dispositifs_existants")
    assert "conseils_quartier" in codes(visible_choices(question, {"type_collectivite": "commune"}))
    assert "conseils_quartier" not in codes(
        visible_choices(question, {"type_collectivite": "departement"})
    )


def test_a_roster_item_question_reads_its_own_item(edition):
    auteur = edition.questions.get(code="auteur_synthese")
    assert is_visible(auteur, {"synthese": ["publiee"]})
    assert not is_visible(auteur, {"synthese": ["non"]})


def test_hidden_answers_are_dropped(edition, rennes):
    response = Response.objects.create(edition=edition, collectivite=rennes)
    answer(response, "service_dedie", "non")
    answer(response, "service_intitule", "Mission démocratie")
    answer(response, "outils_numeriques", ["aucun"])
    answer(response, "logiciel", "libre")
    answer(response, "elections_concernee", "oui")
    answer(response, "changement_majorite", "non")
    assert drop_hidden_answers(response) == 2
    left = set(response.answers.values_list("question__code", flat=True))
    assert left == {
        "service_dedie",
        "outils_numeriques",
        "elections_concernee",
        "changement_majorite",
    }
    assert drop_hidden_answers(response) == 0


def test_dropping_follows_chains_of_conditions(edition, ille_et_vilaine):
    response = Response.objects.create(edition=edition, collectivite=ille_et_vilaine)
    answer(response, "elections_concernee", "oui")
    answer(response, "changement_majorite", "oui")
    answer(response, "fonction_repondant", "dgs")
    assert drop_hidden_answers(response) == 2
    assert list(response.answers.values_list("question__code", flat=True)) == ["fonction_repondant"]


def test_hidden_choices_are_removed_from_multiple_answers(edition, ille_et_vilaine, rennes):
    response = Response.objects.create(edition=edition, collectivite=ille_et_vilaine)
    trimmed = answer(
        response, "dispositifs_existants", ["conseils_quartier", "budget_participatif"]
    )
    other = Response.objects.create(edition=edition, collectivite=rennes)
    kept = answer(other, "dispositifs_existants", ["conseils_quartier", "budget_participatif"])
    assert drop_hidden_answers(response) == 1
    assert drop_hidden_answers(other) == 0
    trimmed.refresh_from_db()
    kept.refresh_from_db()
    assert trimmed.value == ["budget_participatif"]
    assert kept.value == ["conseils_quartier", "budget_participatif"]


def test_an_answer_left_with_only_hidden_choices_is_deleted(edition, ille_et_vilaine):
    response = Response.objects.create(edition=edition, collectivite=ille_et_vilaine)
    answer(response, "dispositifs_existants", ["conseils_quartier"])
    assert drop_hidden_answers(response) == 1
    assert not response.answers.exists()


def test_the_precision_goes_with_its_hidden_other_choice(edition, ille_et_vilaine):
    choice = edition.questions.get(code="dispositifs_existants").choices.get(code="autre")
    choice.condition = "type_collectivite = commune"
    choice.save()
    response = Response.objects.create(edition=edition, collectivite=ille_et_vilaine)
    kept = answer(
        response, "dispositifs_existants", ["budget_participatif", "autre"], other_text="Jury"
    )
    drop_hidden_answers(response)
    kept.refresh_from_db()
    assert (kept.value, kept.other_text) == (["budget_participatif"], "")


def test_a_single_answer_on_a_hidden_choice_is_deleted(edition, ille_et_vilaine):
    choice = edition.questions.get(code="fonction_repondant").choices.get(code="elu")
    choice.condition = "type_collectivite = commune"
    choice.save()
    response = Response.objects.create(edition=edition, collectivite=ille_et_vilaine)
    answer(response, "fonction_repondant", "elu")
    assert drop_hidden_answers(response) == 1


def test_a_ranking_with_a_hidden_item_is_deleted(edition, ille_et_vilaine):
    choice = edition.questions.get(code="besoins").choices.get(code="besoin_1")
    choice.condition = "type_collectivite = commune"
    choice.save()
    response = Response.objects.create(edition=edition, collectivite=ille_et_vilaine)
    answer(response, "besoins", {"besoin_1": 1, "besoin_2": 2, "besoin_3": 3})
    assert drop_hidden_answers(response) == 1


def test_roster_items_are_judged_one_by_one(edition, rennes):
    response = Response.objects.create(edition=edition, collectivite=rennes)
    answer(response, "fiches_dispositifs", 2)
    answer(response, "synthese", ["publiee"], item=1)
    answer(response, "auteur_synthese", ["vie_citoyenne"], item=1)
    answer(response, "synthese", ["non"], item=2)
    answer(response, "auteur_synthese", ["vie_citoyenne"], item=2)
    assert drop_hidden_answers(response) == 1
    left = set(
        response.answers.filter(question__code="auteur_synthese").values_list("item", flat=True)
    )
    assert left == {1}


def test_a_hidden_roster_drops_its_items(edition, rennes):
    roster_section = edition.sections.get(code="fiches")
    roster_section.condition = "type_collectivite = region"
    roster_section.save()
    response = Response.objects.create(edition=edition, collectivite=rennes)
    answer(response, "fiches_dispositifs", 1)
    answer(response, "nom", "Budget participatif", item=1)
    assert drop_hidden_answers(response) == 2
    assert not response.answers.exists()
