"""The differences with the previous edition, and staff's verdict on each possible series break."""

import pytest
from django.core.cache import cache

from exports.results.trends import compute_trends
from surveys.backoffice.editor.diff import diff_definitions, edition_diff, set_breaks
from surveys.backoffice.editor.draft import blank_question, change_definition, find_question
from surveys.definition import export_definition
from surveys.definition.evolution import clone_edition
from surveys.models import Edition
from tests.results.results_data import build_2018_ranking, build_2021
from tests.surveys.definition_helpers import import_shipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def next_edition():
    return clone_edition(import_shipped(2021), 2022, "Baromètre 2022")


def _by_code(diff):
    return {question.code: question for question in diff.questions}


def test_a_fresh_clone_differs_in_nothing(next_edition):
    diff = edition_diff(next_edition)
    assert diff.previous.year == 2021
    assert diff.questions == []


def test_a_reworded_question_is_a_break_to_confirm(next_edition):
    def reword(definition):
        find_question(definition, "service_dedie")["text"] = "Avez-vous un service dédié ?"

    change_definition(next_edition, reword)
    diff = edition_diff(next_edition)
    question = _by_code(diff)["service_dedie"]
    assert question.status == "changed" and question.possible_break
    assert question.changes[0].after == "Avez-vous un service dédié ?"
    assert [q.code for q in diff.unconfirmed] == ["service_dedie"]
    assert question.verdict_label == "À confirmer"


def test_a_removed_choice_and_a_relabelled_one_are_breaks(next_edition):
    def change(definition):
        question = find_question(definition, "service_dedie")
        question["choices"] = [
            {**question["choices"][0], "label": "Oui, un service"},
        ]

    change_definition(next_edition, change)
    question = _by_code(edition_diff(next_edition))["service_dedie"]
    whats = [change.what for change in question.changes]
    assert "Choix reformulé (oui)" in whats
    assert "Choix retiré : « Non » (non)" in whats
    assert question.possible_break


def test_an_added_question_is_listed_and_breaks_nothing(next_edition):
    def add(definition):
        definition["sections"][0]["questions"].append(
            blank_question("nouvelle_question", "text", "Une nouvelle question ?")
        )

    change_definition(next_edition, add)
    diff = edition_diff(next_edition)
    assert [q.code for q in diff.added] == ["nouvelle_question"]
    assert diff.breaks == [] and diff.removed == []


def test_a_changed_scale_is_a_break_and_a_removed_question_is_listed():
    old = export_definition(import_shipped(2021))
    new = export_definition(Edition.objects.get(year=2021))
    apports = find_question(new, "apports")
    apports["choices"] = [c for c in apports["choices"] if c["code"] != "nsp"]
    new["sections"][-1]["questions"] = new["sections"][-1]["questions"][:-1]
    removed = old["sections"][-1]["questions"][-1]["code"]
    diff = {question.code: question for question in diff_definitions(old, new)}
    assert "Échelle modifiée" in [change.what for change in diff["apports"].changes]
    assert diff["apports"].possible_break
    assert diff[removed].status == "removed"


def test_an_edition_with_no_previous_one_says_so(client, alice):
    import_shipped(2018)
    client.force_login(alice)
    page = client.get("/equipe/editions/2018/editeur/differences/")
    assert page.status_code == 200
    assert "Aucune édition avant 2018" in page.content.decode()


def test_confirming_a_break_writes_the_rules_and_the_trends_honour_it(client, alice):
    cache.clear()
    build_2018_ranking()
    edition = build_2021()

    def reword(definition):
        find_question(definition, "service_dedie")["text"] = "Un service dédié existe-t-il ?"

    change_definition(edition, reword)
    assert "service_dedie" in {q["code"] for q in compute_trends(edition)["questions"]}
    client.force_login(alice)
    unconfirmed = edition_diff(edition).unconfirmed
    assert "service_dedie" in [question.code for question in unconfirmed]
    page = client.get("/equipe/editions/2021/editeur/differences/").content.decode()
    assert f"{len(unconfirmed)} ruptures de série à confirmer" in page
    answer = client.post(
        "/equipe/editions/2021/editeur/differences/ruptures/",
        {"service_dedie": "not_comparable"},
    )
    assert answer.status_code == 302
    edition.refresh_from_db()
    assert edition.rules["trends"]["breaks"] == {"service_dedie": "not_comparable"}
    assert edition.rules["trends"]["scale_mapping"]  # the rest of the rules is kept
    cache.clear()
    assert "service_dedie" not in {q["code"] for q in compute_trends(edition)["questions"]}
    page = client.get("/equipe/editions/2021/editeur/differences/").content.decode()
    assert "Verdict enregistré : <strong>Non comparable</strong>" in page
    assert f"{len(unconfirmed) - 1} rupture" in page
    assert "service_dedie" not in [question.code for question in edition_diff(edition).unconfirmed]


def test_an_old_scale_code_mapped_to_a_current_one_is_said_not_a_break():
    old = export_definition(import_shipped(2021))
    new = export_definition(Edition.objects.get(year=2021))
    apports = find_question(old, "apports")
    apports["choices"] = [
        {**c, "code": "pas_vraiment", "label": "Non, pas vraiment"}
        if c["code"] == "plutot_pas"
        else c
        for c in apports["choices"]
    ]
    question = {q.code: q for q in diff_definitions(old, new)}["apports"]
    assert not question.possible_break
    assert "compté comme « Non, plutôt pas » (plutot_pas)" in question.changes[-1].what


def test_a_verdict_can_be_withdrawn(next_edition):
    def reword(definition):
        find_question(definition, "service_dedie")["text"] = "Un service dédié existe-t-il ?"

    change_definition(next_edition, reword)
    assert set_breaks(next_edition, {"service_dedie": "comparable"}).rules["trends"]["breaks"] == {
        "service_dedie": "comparable"
    }
    set_breaks(next_edition, {"service_dedie": ""})
    next_edition.refresh_from_db()
    assert "breaks" not in next_edition.rules["trends"]


def test_an_unknown_verdict_is_refused_and_nothing_is_saved(client, alice, next_edition):
    def reword(definition):
        find_question(definition, "service_dedie")["text"] = "Un service dédié existe-t-il ?"

    change_definition(next_edition, reword)
    client.force_login(alice)
    answer = client.post(
        "/equipe/editions/2022/editeur/differences/ruptures/", {"service_dedie": "peut-etre"}
    )
    assert answer.status_code == 400
    assert "Le formulaire contient des erreurs" in answer.content.decode()
    next_edition.refresh_from_db()
    assert "breaks" not in next_edition.rules.get("trends", {})


@pytest.mark.parametrize("user", [None, "charlie", "bob"])
def test_only_staff_reach_the_differences(client, request, user, next_edition):
    if user:
        client.force_login(request.getfixturevalue(user))
    page = client.get("/equipe/editions/2022/editeur/differences/")
    post = client.post("/equipe/editions/2022/editeur/differences/ruptures/", {})
    assert page.status_code in (302, 403) and post.status_code in (302, 403)
    next_edition.refresh_from_db()
    assert "breaks" not in next_edition.rules.get("trends", {})


@pytest.mark.parametrize("status", [s for s, _ in Edition.Status.choices])
def test_the_page_answers_in_every_edition_state(client, alice, next_edition, status):
    Edition.objects.filter(pk=next_edition.pk).update(status=status)
    client.force_login(alice)
    assert client.get("/equipe/editions/2022/editeur/differences/").status_code == 200
    assert client.get("/equipe/editions/1999/editeur/differences/").status_code == 404


def test_the_edition_page_and_the_opening_warn_of_unconfirmed_breaks(client, alice, next_edition):
    def reword(definition):
        find_question(definition, "service_dedie")["text"] = "Un service dédié existe-t-il ?"

    change_definition(next_edition, reword)
    client.force_login(alice)
    for url in ("/equipe/editions/2022/", "/equipe/editions/2022/statut/ouvrir/"):
        page = client.get(url).content.decode()
        assert "1 rupture de série à confirmer" in page, url
        assert "(service_dedie)" in page, url
    set_breaks(next_edition, {"service_dedie": "comparable"})
    assert "à confirmer" not in client.get("/equipe/editions/2022/").content.decode()


def test_a_verdict_on_an_unchanged_question_is_still_shown_on_the_rules_page(
    client, alice, next_edition
):
    set_breaks(next_edition, {"service_dedie": "comparable"})
    client.force_login(alice)
    page = client.get("/equipe/editions/2022/editeur/regles/").content.decode()
    assert "<li>service_dedie : Comparable</li>" in page


def test_a_changed_type_and_a_new_matrix_row_are_breaks():
    old = export_definition(import_shipped(2021))
    new = export_definition(Edition.objects.get(year=2021))
    find_question(new, "etp_participation")["type"] = "integer"
    find_question(new, "objectifs")["rows"].append({"code": "autre_objectif", "label": "Autre"})
    diff = {question.code: question for question in diff_definitions(old, new)}
    etp = diff["etp_participation"].changes[0]
    assert (etp.what, etp.before, etp.after) == ("Type changé", "nombre décimal", "nombre entier")
    assert diff["objectifs"].changes[0].what == "Ligne ajoutée : « Autre » (autre_objectif)"
    assert diff["etp_participation"].possible_break and diff["objectifs"].possible_break
