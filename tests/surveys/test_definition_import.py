"""import_edition / export_edition: create, update in place, change nothing when unchanged."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from surveys.definition import (
    dump_definition,
    export_definition,
    import_definition,
    load_definition,
)
from surveys.models import Edition
from tests.surveys.definition_helpers import MINIMAL, snapshot


def import_text(source: str):
    return import_definition(load_definition("essai.yaml", text=source))


@pytest.mark.django_db
def test_it_creates_the_edition_with_its_tree():
    edition, changed = import_text(MINIMAL)
    assert changed
    assert edition.year == 2030 and edition.status == Edition.Status.DRAFT
    assert [q.code for q in edition.questions.order_by("order")] == [
        "service_dedie",
        "service_intitule",
        "outils",
        "avis",
    ]
    avis = edition.questions.get(code="avis")
    assert [r.code for r in avis.rows.all()] == ["clarte", "utilite"]
    assert [c.code for c in avis.choices.all()] == ["oui", "non"]
    assert edition.questions.get(code="outils").choices.get(code="aucun").exclusive


@pytest.mark.django_db
def test_reimporting_an_unchanged_file_changes_nothing():
    edition, _ = import_text(MINIMAL)
    before, stamp = snapshot(edition), edition.updated_at
    with CaptureQueriesContext(connection) as queries:
        edition, changed = import_text(MINIMAL)
    assert not changed
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []
    assert snapshot(edition) == before
    assert Edition.objects.get().updated_at == stamp


@pytest.mark.django_db
def test_reimporting_updates_in_place_adds_and_removes_by_code():
    edition, _ = import_text(MINIMAL)
    service_dedie = edition.questions.get(code="service_dedie")
    changed_text = MINIMAL.replace("Un service dédié ?", "Avez-vous un service dédié ?").replace(
        "          - {code: forum, label: Forum}\n",
        "          - {code: forum, label: Forum}\n          - {code: carte, label: Carte}\n",
    )
    changed_text = changed_text.replace(
        "      - code: service_intitule\n"
        "        type: text\n"
        "        text: Intitulé du service\n"
        "        condition: service_dedie = oui\n",
        "",
    )
    edition, changed = import_text(changed_text)
    assert changed
    reworded = edition.questions.get(code="service_dedie")
    assert reworded.pk == service_dedie.pk
    assert reworded.text == "Avez-vous un service dédié ?"
    assert not edition.questions.filter(code="service_intitule").exists()
    outils = edition.questions.get(code="outils")
    assert [c.code for c in outils.choices.all()] == ["forum", "carte", "aucun", "autre"]


@pytest.mark.django_db
def test_import_then_export_then_import_gives_identical_data(tmp_path):
    edition, _ = import_text(MINIMAL)
    first = snapshot(edition)
    exported = dump_definition(export_definition(edition))
    Edition.objects.all().delete()
    edition, _ = import_text(exported)
    assert snapshot(edition) == first
    assert dump_definition(export_definition(edition)) == exported


@pytest.mark.django_db
def test_export_writes_a_choice_list_edited_since_import_in_full():
    edition, _ = import_text(MINIMAL)
    choice = edition.questions.get(code="service_dedie").choices.get(code="oui")
    choice.label = "Oui, un service"
    choice.save()
    exported = dump_definition(export_definition(edition))
    assert "choices: OUINON" not in exported
    assert "{code: oui, label: 'Oui, un service'}" in exported
    assert "scale: OUINON" in exported
    Edition.objects.all().delete()
    edition, _ = import_text(exported)
    assert edition.questions.get(code="service_dedie").choices.get(code="oui").label == (
        "Oui, un service"
    )


@pytest.mark.django_db
def test_the_commands_import_and_export(tmp_path, capsys):
    path = tmp_path / "essai.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    call_command("import_edition", str(path))
    assert "Édition 2030 importée" in capsys.readouterr().out
    call_command("import_edition", str(path))
    assert "rien n'a changé" in capsys.readouterr().out
    output = tmp_path / "export.yaml"
    call_command("export_edition", "2030", output=str(output))
    assert "exportée dans" in capsys.readouterr().out
    assert load_definition(output) == load_definition(path)
    call_command("export_edition", "2030")
    assert capsys.readouterr().out == output.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_the_import_command_lists_the_errors_and_imports_nothing(tmp_path):
    path = tmp_path / "essai.yaml"
    path.write_text(MINIMAL.replace("type: text", "type: texte"), encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import_edition", str(path))
    assert "Définition refusée (1 erreur(s))" in str(caught.value)
    assert f"{path}, ligne 18 : question « service_intitule » : type inconnu" in str(caught.value)
    assert not Edition.objects.exists()


@pytest.mark.django_db
def test_the_export_command_refuses_an_unknown_year():
    with pytest.raises(CommandError, match="Aucune édition 1999"):
        call_command("export_edition", "1999")
