"""Once an edition has answers: no deleting or recoding what they rely on; rewording is fine."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import ProtectedError

from surveys.definition import (
    dump_definition,
    export_definition,
    import_definition,
    load_definition,
)
from surveys.models import Choice, MatrixRow, Question
from surveys.protection import ProtectedChangeError
from tests.surveys.definition_helpers import answer, import_shipped, snapshot

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def edition(db, rennes):
    edition = import_shipped(2021)
    answer(
        edition,
        rennes,
        {
            "fonction_repondant": "elu",
            "outils_numeriques": ["forum", "autre"],
            "objectifs": {"nouvelles_idees": "plutot"},
            "besoins": {"formation": 1, "budgets": 2, "mediation": 3},
        },
    )
    return edition


def question(edition, code: str) -> Question:
    return edition.questions.get(code=code)


def test_it_refuses_deleting_an_answered_question(edition):
    with pytest.raises(ProtectedChangeError) as caught:
        question(edition, "fonction_repondant").delete()
    assert caught.value.messages == [
        "La question « fonction_repondant » a déjà des réponses : elle ne peut pas être "
        "supprimée (vous pouvez la reformuler)."
    ]
    with pytest.raises(ProtectedError), transaction.atomic():
        Question.objects.filter(code="fonction_repondant").delete()
    assert edition.questions.filter(code="fonction_repondant").exists()


def test_it_allows_deleting_a_question_nobody_answered(edition):
    question(edition, "logiciel").delete()
    assert not edition.questions.filter(code="logiciel").exists()


def test_it_refuses_changing_the_type_of_an_answered_question(edition):
    answered = question(edition, "fonction_repondant")
    answered.type = Question.Type.MULTIPLE
    with pytest.raises(ProtectedChangeError, match="son type \\(single\\) ne peut plus changer"):
        answered.save()
    assert question(edition, "fonction_repondant").type == "single"


def test_it_refuses_changing_the_code_of_an_answered_question(edition):
    answered = question(edition, "fonction_repondant")
    answered.code = "fonction"
    with pytest.raises(ProtectedChangeError, match="son code ne peut plus changer"):
        answered.save()


def test_it_allows_rewording_and_adding(edition):
    answered = question(edition, "fonction_repondant")
    answered.text = "Quelle fonction occupez-vous ?"
    answered.help_text = "Une seule réponse."
    answered.save()
    choice = answered.choices.get(code="elu")
    choice.label = "Élu·e local·e"
    choice.save()
    Choice.objects.create(question=answered, code="collaborateur", label="Collaborateur·rice")
    Question.objects.create(
        edition=edition,
        section=answered.section,
        code="anciennete",
        type=Question.Type.INTEGER,
        text="Depuis combien d'années ?",
    )
    unused = question(edition, "logiciel")
    unused.type = Question.Type.MULTIPLE  # nobody answered it: still free to change
    unused.save()
    assert question(edition, "fonction_repondant").choices.get(code="elu").label == "Élu·e local·e"


def test_it_refuses_deleting_a_chosen_choice_but_not_an_unchosen_one(edition):
    # Deletion runs in a transaction: the refusal rolls it back to the savepoint.
    outils = question(edition, "outils_numeriques")
    with pytest.raises(ProtectedChangeError) as caught, transaction.atomic():
        outils.choices.get(code="forum").delete()
    assert caught.value.messages == [
        "Question « outils_numeriques » : le choix « forum » figure déjà dans des réponses : "
        "il ne peut pas être supprimé (vous pouvez le reformuler)."
    ]
    with pytest.raises(ProtectedChangeError), transaction.atomic():
        outils.choices.filter(code__in=["petition", "forum"]).delete()
    assert outils.choices.filter(code__in=["petition", "forum"]).count() == 2
    outils.choices.get(code="petition").delete()
    assert not outils.choices.filter(code="petition").exists()


def test_it_refuses_recoding_a_chosen_choice_but_not_an_unchosen_one(edition):
    outils = question(edition, "outils_numeriques")
    forum = outils.choices.get(code="forum")
    forum.code = "forum_discussion"
    with pytest.raises(ProtectedChangeError, match="son code ne peut plus changer"):
        forum.save()
    petition = outils.choices.get(code="petition")
    petition.code = "petition_en_ligne"
    petition.save()
    assert outils.choices.filter(code="petition_en_ligne").exists()


def test_it_protects_matrix_rows_scale_points_and_ranking_items(edition):
    objectifs = question(edition, "objectifs")
    with pytest.raises(ProtectedChangeError, match="la ligne « nouvelles_idees »"):
        with transaction.atomic():
            objectifs.rows.get(code="nouvelles_idees").delete()
    with pytest.raises(ProtectedChangeError, match="le choix « plutot »"), transaction.atomic():
        objectifs.choices.get(code="plutot").delete()
    row = objectifs.rows.get(code="nouvelles_idees")
    row.code = "idees"
    with pytest.raises(ProtectedChangeError):
        row.save()
    with pytest.raises(ProtectedChangeError, match="le choix « formation »"), transaction.atomic():
        question(edition, "besoins").choices.get(code="formation").delete()
    objectifs.rows.get(code="modernite").delete()
    assert MatrixRow.objects.filter(question=objectifs).count() == 13


def edited_2021(transform) -> str:
    return transform((ROOT / "editions" / "2021.yaml").read_text(encoding="utf-8"))


def reimport(source: str):
    return import_definition(load_definition("2021-modifie.yaml", text=source))


def test_reimport_refuses_deleting_an_answered_question_and_changes_nothing(edition):
    before = snapshot(edition)
    source = edited_2021(
        lambda text: text.replace("Quelle est votre fonction ?", "Votre fonction ?").replace(
            "      - code: fonction_repondant\n", "      - code: fonction\n"
        )
    )
    with pytest.raises(ProtectedChangeError) as caught:
        reimport(source)
    assert caught.value.messages == [
        "La question « fonction_repondant » a déjà des réponses : elle ne peut pas être "
        "supprimée (vous pouvez la reformuler)."
    ]
    assert snapshot(edition) == before


def test_reimport_refuses_a_type_change_and_a_removed_chosen_choice(edition):
    source = edited_2021(
        lambda text: (
            text.replace(
                "      - code: fonction_repondant\n        type: single\n",
                "      - code: fonction_repondant\n        type: text\n",
            )
            .replace("          - {code: elu, label: Élu·e}\n", "")
            .replace("          - {code: forum, label: Forum de discussion}\n", "")
        )
    )
    source = source.replace(
        "        text: Quelle est votre fonction ?\n        required: true\n        choices:\n"
        "          - {code: dgs, label: Direction générale}\n"
        "          - {code: directeur_service, label: Directeur·rice de service}\n"
        "          - {code: agent, label: Agent·e / chargé·e de mission}\n"
        "          - {code: autre, label: Autre, other: true}\n",
        "        text: Quelle est votre fonction ?\n        required: true\n",
    )
    with pytest.raises(ProtectedChangeError) as caught:
        reimport(source)
    assert caught.value.messages == [
        "La question « fonction_repondant » a déjà des réponses : son type (single) ne peut "
        "plus changer en text.",
        "Question « outils_numeriques » : le choix « forum » figure déjà dans des "
        "réponses : il ne peut pas être supprimé ni changer de code.",
    ]
    assert question(edition, "outils_numeriques").choices.filter(code="forum").exists()


def test_reimport_accepts_rewording_adding_and_removing_unanswered_things(edition):
    source = edited_2021(
        lambda text: (
            text.replace("Quelle est votre fonction ?", "Quelle fonction occupez-vous ?")
            .replace(
                "          - {code: petition, label: Pétition en ligne}\n",
                "          - {code: petition, label: Pétition en ligne}\n"
                "          - {code: budget_citoyen, label: Budget citoyen}\n",
            )
            .replace("          - {code: forum, label: Forum de discussion}\n", "")
            .replace("{code: forum,", "{code: forum_x,")
        )
    )
    source = source.replace(
        "          - {code: petition, label: Pétition en ligne}\n",
        "          - {code: petition, label: Pétition en ligne}\n"
        "          - {code: forum, label: Forum de discussion}\n",
        1,
    ).replace("          - {code: dataviz, label: Plateforme de datavisualisation}\n", "", 1)
    _, changed = reimport(source)
    assert changed
    assert question(edition, "fonction_repondant").text == "Quelle fonction occupez-vous ?"
    codes = list(question(edition, "outils_numeriques").choices.values_list("code", flat=True))
    assert "budget_citoyen" in codes and "forum" in codes and "dataviz" not in codes


def test_the_import_command_explains_the_refusal(edition, tmp_path):
    exported = dump_definition(export_definition(edition))
    path = tmp_path / "2021.yaml"
    path.write_text(exported.replace("{code: forum,", "{code: forum_discussion,"), "utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import_edition", str(path))
    assert str(caught.value).startswith("Import refusé, l'édition a déjà des réponses :\n")
    assert "le choix « forum » figure déjà dans des réponses" in str(caught.value)
