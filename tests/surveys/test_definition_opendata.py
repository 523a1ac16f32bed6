"""The `opendata` block: which answers an edition publishes per collectivité."""

import pytest

from surveys.definition import (
    DefinitionError,
    dump_definition,
    export_definition,
    import_definition,
    load_definition,
)
from surveys.definition.evolution import clone_edition
from tests.surveys.definition_helpers import MINIMAL

ROSTER = """\
      - code: fiches
        type: roster
        text: Fiches
        questions:
          - {code: nom, type: text, text: Nom}
"""


def errors_of(source: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_definition("essai.yaml", text=source)
    return caught.value.errors


def test_it_reads_the_published_question_codes():
    definition = load_definition(
        "essai.yaml", text=MINIMAL + "opendata:\n  questions: [service_dedie, outils]\n"
    )
    assert definition["opendata"] == {"questions": ["service_dedie", "outils"]}


def test_an_edition_without_the_block_publishes_no_answer():
    assert load_definition("essai.yaml", text=MINIMAL)["opendata"] == {"questions": []}


def test_it_names_the_file_line_and_code_of_an_unknown_question():
    source = MINIMAL + "opendata:\n  questions:\n    - service_dedie\n    - budget_inconnu\n"
    line = source.splitlines().index("    - budget_inconnu") + 1
    assert errors_of(source) == [
        f"essai.yaml, ligne {line} : opendata : « budget_inconnu » n'est pas une question de "
        "l'édition."
    ]


def test_it_refuses_a_roster_question_a_repeat_and_a_stray_key():
    source = MINIMAL + ROSTER + "opendata:\n  questions: [nom, outils, outils]\n  sections: [x]\n"
    errors = errors_of(source)
    assert len(errors) == 3
    assert "« sections »" in errors[0]
    assert "« nom » est posée dans une liste répétable" in errors[1]
    assert "« outils » est déjà dans la liste" in errors[2]


def test_it_refuses_a_block_that_is_not_a_list_of_codes():
    errors = errors_of(MINIMAL + "opendata:\n  questions: service_dedie\n")
    assert errors == [
        f"essai.yaml, ligne {MINIMAL.count(chr(10)) + 2} : opendata : « questions » doit être la "
        "liste des codes des questions publiées."
    ]


@pytest.mark.django_db
def test_the_block_survives_import_export_and_the_next_edition():
    source = MINIMAL + "opendata:\n  questions: [service_dedie, outils]\n"
    edition, _ = import_definition(load_definition("essai.yaml", text=source))
    assert edition.opendata_questions == ["service_dedie", "outils"]
    exported = dump_definition(export_definition(edition))
    assert exported.endswith("opendata:\n  questions: [service_dedie, outils]\n")
    assert clone_edition(edition, 2031, "Édition 2031").opendata_questions == [
        "service_dedie",
        "outils",
    ]
