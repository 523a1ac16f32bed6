"""The editor changes an edition the way a definition file does: checked, protected, lossless."""

import pytest

from surveys.backoffice.editor.draft import (
    DefinitionError,
    blank_question,
    change_definition,
    find_question,
    plain_errors,
)
from surveys.definition import export_definition
from surveys.definition.evolution import clone_edition
from surveys.protection import ProtectedChangeError
from tests.surveys.definition_helpers import answer, import_shipped


@pytest.mark.django_db
def test_a_reworded_question_is_saved_and_nothing_else_changes():
    edition = clone_edition(import_shipped(2021), 2022, "Baromètre 2022")
    before = export_definition(edition)

    def reword(definition):
        find_question(definition, "service_dedie")["text"] = "Un service dédié existe-t-il ?"

    change_definition(edition, reword)
    after = export_definition(edition)
    assert find_question(after, "service_dedie")["text"] == "Un service dédié existe-t-il ?"
    find_question(after, "service_dedie")["text"] = find_question(before, "service_dedie")["text"]
    assert after == before


@pytest.mark.django_db
def test_a_condition_naming_a_missing_choice_is_refused_in_french_without_a_line():
    edition = clone_edition(import_shipped(2021), 2022, "Baromètre 2022")
    before = export_definition(edition)

    def dangling(definition):
        definition["sections"][1]["condition"] = "service_dedie = ouii"

    with pytest.raises(DefinitionError) as refused:
        change_definition(edition, dangling)
    messages = plain_errors(refused.value)
    assert any("ouii" in message for message in messages), messages
    assert not any("ligne" in message.split(":")[0] for message in messages), messages
    assert export_definition(edition) == before


def _remove(code):
    def change(definition):
        for section in definition["sections"]:
            section["questions"] = [q for q in section["questions"] if q["code"] != code]

    return change


def _add(definition):
    question = blank_question("nouvelle_question", "text", "Une nouvelle question ?")
    definition["sections"][0]["questions"].append(question)


@pytest.mark.django_db
def test_a_question_is_added_and_removed_while_nobody_answered_it():
    edition = import_shipped(2021)
    change_definition(edition, _add)
    first = edition.sections.order_by("order").first()
    assert edition.questions.get(code="nouvelle_question").section == first
    change_definition(edition, _remove("nouvelle_question"))
    assert not edition.questions.filter(code="nouvelle_question").exists()


@pytest.mark.django_db
def test_removing_an_answered_question_is_refused(rennes):
    edition = import_shipped(2021)
    change_definition(edition, _add)
    answer(edition, rennes, {"nouvelle_question": "Oui"})
    with pytest.raises(ProtectedChangeError, match="nouvelle_question"):
        change_definition(edition, _remove("nouvelle_question"))
    assert edition.questions.filter(code="nouvelle_question").exists()


@pytest.mark.django_db
def test_removing_a_question_others_refer_to_is_refused_by_the_loader():
    edition = import_shipped(2021)
    with pytest.raises(DefinitionError) as refused:
        change_definition(edition, _remove("service_dedie"))
    assert any("code inconnu « service_dedie »" in m for m in plain_errors(refused.value))
    assert edition.questions.filter(code="service_dedie").exists()
