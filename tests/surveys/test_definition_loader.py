"""Each error path of the definition loader: file, line and code in a French message."""

import pytest

from surveys.definition import DefinitionError, dump_definition, load_definition
from tests.surveys.definition_helpers import MINIMAL


def errors_of(source: str) -> list[str]:
    with pytest.raises(DefinitionError) as caught:
        load_definition("essai.yaml", text=source)
    return caught.value.errors


def only_error(source: str) -> str:
    errors = errors_of(source)
    assert len(errors) == 1, errors
    return errors[0]


def test_it_loads_a_valid_file_with_shared_lists_resolved():
    definition = load_definition("essai.yaml", text=MINIMAL)
    questions = definition["sections"][0]["questions"]
    assert [q["code"] for q in questions] == ["service_dedie", "service_intitule", "outils", "avis"]
    assert [c["code"] for c in questions[0]["choices"]] == ["oui", "non"]
    assert questions[0]["choices_source"] == {"from": "OUINON", "except": []}
    assert [c["code"] for c in questions[3]["choices"]] == ["oui", "non"]
    assert questions[2]["choices"][1]["exclusive"] is True
    assert questions[2]["choices"][2]["other"] is True


def test_it_reports_a_yaml_syntax_error_with_its_line():
    source = MINIMAL.replace("        text: Quels outils ?", "        text: [Quels outils ?")
    error = only_error(source)
    assert error.startswith("essai.yaml, ligne ")
    assert "YAML invalide" in error


def test_it_refuses_a_key_written_twice():
    source = MINIMAL.replace(
        "        text: Intitulé du service\n",
        "        text: Intitulé du service\n        text: Autre intitulé\n",
    )
    assert only_error(source) == "essai.yaml, ligne 20 : YAML invalide : clé « text » répétée."


def test_it_refuses_an_unknown_key_with_the_question_code():
    source = MINIMAL.replace("        required: true\n", "        requis: true\n")
    error = only_error(source)
    assert error.startswith("essai.yaml, ligne 15 : question « service_dedie » : clé inconnue")
    assert "« requis »" in error


def test_it_refuses_an_unknown_top_level_key():
    error = only_error("version: 2\n" + MINIMAL)
    assert error.startswith("essai.yaml, ligne 1 : le fichier : clé inconnue « version »")


def test_it_refuses_a_question_without_its_text():
    source = MINIMAL.replace("        text: Intitulé du service\n", "")
    assert only_error(source) == (
        "essai.yaml, ligne 17 : question « service_intitule » : « text » manque."
    )


def test_it_refuses_an_edition_without_a_year():
    source = MINIMAL.replace("  year: 2030\n", "")
    assert only_error(source) == "essai.yaml, ligne 2 : édition : l'année (« year ») manque."


def test_it_refuses_a_duplicate_question_code_even_in_another_section():
    source = MINIMAL + (
        "  - code: fin\n"
        "    title: Fin\n"
        "    questions:\n"
        "      - code: outils\n"
        "        type: text\n"
        "        text: Encore ?\n"
    )
    assert only_error(source) == (
        "essai.yaml, ligne 38 : question : code « outils » en double (déjà utilisé ligne 21)."
    )


def test_it_refuses_a_duplicate_choice_code():
    source = MINIMAL.replace(
        "          - {code: aucun, label: Aucun, exclusive: true}\n",
        "          - {code: forum, label: Forum bis}\n",
    )
    assert only_error(source) == (
        "essai.yaml, ligne 26 : question « outils » : choix : code « forum » en double "
        "(déjà utilisé ligne 25)."
    )


def test_it_refuses_a_duplicate_row_code():
    source = MINIMAL.replace("{code: utilite, label: Utilité}", "{code: clarte, label: Utilité}")
    assert "ligne : code « clarte » en double" in only_error(source)


def test_it_refuses_an_unknown_type_and_lists_the_known_ones():
    source = MINIMAL.replace("        type: text\n", "        type: texte\n")
    error = only_error(source)
    assert error.startswith(
        "essai.yaml, ligne 18 : question « service_intitule » : type inconnu « texte »"
    )
    assert "longtext" in error


def test_it_refuses_a_type_that_is_not_text_without_crashing():
    source = MINIMAL.replace("        type: text\n", "        type: [text]\n")
    assert only_error(source).startswith(
        "essai.yaml, ligne 18 : question « service_intitule » : type inconnu « ['text'] »"
    )


def test_it_refuses_bounds_in_the_wrong_order():
    source = MINIMAL.replace(
        "        type: text\n", "        type: decimal\n        min: 10\n        max: 2\n"
    )
    assert only_error(source) == (
        "essai.yaml, ligne 20 : question « service_intitule » : le maximum (2) est inférieur "
        "au minimum (10)."
    )


@pytest.mark.parametrize(
    ("bounds", "message"),
    [
        ("        step: 0\n", "le pas doit être strictement positif"),
        ("        step: 0.001\n", "« step » a plus de deux décimales"),
        ("        max: douze\n", "« max » doit être un nombre"),
        ("        max: 1.0e+15\n", "« max » est hors limites"),
    ],
)
def test_it_refuses_bad_numeric_bounds(bounds, message):
    source = MINIMAL.replace("        type: text\n", "        type: decimal\n" + bounds)
    assert message in only_error(source)


def test_it_refuses_a_fractional_bound_on_an_integer_question():
    source = MINIMAL.replace("        type: text\n", "        type: integer\n        max: 2.5\n")
    assert "« max » doit être entier pour une question de type integer" in only_error(source)


def test_it_refuses_choices_on_a_numeric_type():
    source = MINIMAL.replace("        type: multiple\n", "        type: integer\n")
    assert only_error(source) == (
        "essai.yaml, ligne 24 : question « outils » : « choices » ne s'applique pas à une "
        "question de type integer."
    )


def test_it_refuses_a_matrix_without_its_scale():
    source = MINIMAL.replace("        scale: OUINON\n", "")
    assert only_error(source) == (
        "essai.yaml, ligne 28 : question « avis » : « scale » manque (obligatoire pour le type "
        "matrix)."
    )


def test_it_refuses_an_unknown_code_in_a_condition_with_its_position():
    source = MINIMAL.replace("condition: service_dedie = oui", "condition: servise_dedie = oui")
    assert only_error(source) == (
        "essai.yaml, ligne 20 : question « service_intitule » : condition « servise_dedie = oui » "
        ": position 1 : code inconnu « servise_dedie »."
    )


def test_it_refuses_a_malformed_condition_with_its_position():
    source = MINIMAL.replace("condition: service_dedie = oui", "condition: service_dedie = ")
    error = only_error(source)
    assert error.startswith("essai.yaml, ligne 20 : question « service_intitule » : condition")
    assert "position 16" in error


def test_it_accepts_a_condition_on_a_later_question():
    source = MINIMAL.replace(
        "        text: Un service dédié ?\n",
        "        text: Un service dédié ?\n        condition: avis.clarte = oui\n",
    )
    definition = load_definition("essai.yaml", text=source)
    assert definition["sections"][0]["questions"][0]["condition"] == "avis.clarte = oui"


def test_it_checks_the_conditions_of_sections_and_choices_too():
    source = MINIMAL.replace(
        "    title: Profil\n", "    title: Profil\n    condition: type_collectivite in [commune\n"
    ).replace("{code: forum, label: Forum}", "{code: forum, label: Forum, condition: inconnu = 1}")
    errors = errors_of(source)
    assert len(errors) == 2
    assert errors[0].startswith("essai.yaml, ligne 11 : section « profil » : condition")
    assert errors[1].startswith("essai.yaml, ligne 26 : question « outils », choix « forum »")
    assert "code inconnu « inconnu »" in errors[1]


def test_it_refuses_a_reference_to_an_unknown_list():
    source = MINIMAL.replace("        choices: OUINON\n", "        choices: OUI_NON\n")
    assert only_error(source) == (
        "essai.yaml, ligne 16 : question « service_dedie » : « OUI_NON » n'est ni une liste "
        "partagée (« lists ») ni une question de l'édition."
    )


def test_it_takes_the_choices_of_another_question_except_some():
    source = MINIMAL.replace(
        "        type: text\n        text: Intitulé du service\n",
        "        type: multiple\n        text: Intitulé du service\n"
        "        choices: {from: outils, except: [aucun]}\n",
    )
    question = load_definition("essai.yaml", text=source)["sections"][0]["questions"][1]
    assert [c["code"] for c in question["choices"]] == ["forum", "autre"]
    assert question["choices_source"] == {"from": "outils", "except": ["aucun"]}


def test_it_refuses_an_exception_that_is_not_in_the_source():
    source = MINIMAL.replace(
        "        scale: OUINON\n", "        scale: {from: OUINON, except: [nsp]}\n"
    )
    assert "« except » : le choix « nsp » n'existe pas dans « OUINON »" in only_error(source)


def test_it_refuses_an_exclusive_choice_on_a_single_question():
    source = MINIMAL.replace("        type: multiple\n", "        type: single\n")
    assert "le choix « aucun » est exclusif" in only_error(source)


def test_it_refuses_a_roster_inside_a_roster():
    source = MINIMAL + (
        "      - code: fiches\n"
        "        type: roster\n"
        "        text: Fiches\n"
        "        questions:\n"
        "          - code: sous_fiches\n"
        "            type: roster\n"
        "            text: Sous-fiches\n"
        "            questions:\n"
        "              - {code: nom, type: text, text: Nom}\n"
    )
    assert only_error(source) == (
        "essai.yaml, ligne 39 : question « sous_fiches » : une liste répétable ne peut en "
        "contenir une autre."
    )


def test_it_refuses_roster_bounds_in_the_wrong_order():
    source = MINIMAL + (
        "      - code: fiches\n"
        "        type: roster\n"
        "        text: Fiches\n"
        "        min_items: 3\n"
        "        max_items: 2\n"
        "        questions:\n"
        "          - {code: nom, type: text, text: Nom}\n"
    )
    assert "« max_items » (2) est inférieur à « min_items » (3)" in only_error(source)


def test_it_refuses_a_ranking_of_more_items_than_it_has():
    source = MINIMAL.replace(
        "        type: multiple\n", "        type: ranking\n        rank_count: 4\n"
    )
    source = source.replace(", exclusive: true", "").replace(", other: true", "")
    assert "« rank_count » (4) dépasse le nombre de choix (3)" in only_error(source)


def test_it_refuses_a_code_that_yaml_reads_as_a_number_or_with_capitals():
    source = MINIMAL.replace("{code: forum, label: Forum}", "{code: 2021, label: Forum}")
    source = source.replace("code: avis\n", "code: Avis\n")
    errors = errors_of(source)
    assert "le code « 2021 » doit être du texte (mettez-le entre guillemets)" in errors[0]
    assert "code invalide « Avis »" in errors[1]


def test_it_refuses_a_closing_date_before_the_opening():
    source = MINIMAL.replace(
        "  title: Édition de test\n",
        "  title: Édition de test\n  opens_at: 2030-03-01 09:00:00+01:00\n"
        "  closes_at: 2030-02-01 09:00:00+01:00\n",
    )
    assert only_error(source) == (
        "essai.yaml, ligne 5 : édition : la clôture (« closes_at ») doit suivre l'ouverture."
    )


def test_it_reports_every_error_at_once():
    source = MINIMAL.replace("        type: text\n", "        type: texte\n").replace(
        "        required: true\n", "        required: oui\n"
    )
    assert len(errors_of(source)) == 2


def test_it_refuses_a_file_that_is_not_a_mapping_or_missing():
    assert errors_of("- a\n- b\n")[0].startswith("essai.yaml : le fichier doit contenir")
    with pytest.raises(DefinitionError, match="lecture impossible"):
        load_definition("/nonexistent/edition.yaml")


def test_dumping_then_loading_gives_the_same_definition_and_the_same_text():
    definition = load_definition("essai.yaml", text=MINIMAL)
    dumped = dump_definition(definition)
    assert "choices: OUINON" in dumped
    again = load_definition("export.yaml", text=dumped)
    assert again == definition
    assert dump_definition(again) == dumped
