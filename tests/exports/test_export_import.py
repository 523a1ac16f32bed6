from io import StringIO

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from exports.services.importer import ImportFailed, import_responses
from exports.services.jobs import export_responses
from surveys.models import Answer, Response
from tests.exports.export_data import build_edition, build_responses


@pytest.fixture
def edition(db, rennes, metz_metropole):
    edition = build_edition()
    build_responses(edition, rennes, metz_metropole)
    return edition


def contents(path) -> dict:
    workbook = openpyxl.load_workbook(path, read_only=True)
    return {
        sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)]
        for sheet in workbook.worksheets
    }


def wipe(edition):
    Answer.objects.filter(response__edition=edition).delete()
    Response.objects.filter(edition=edition).delete()


@pytest.mark.parametrize("labels", [False, True])
def test_export_import_export_gives_identical_contents(edition, tmp_path, labels):
    first = tmp_path / "first.xlsx"
    export_responses(edition, "xlsx", first, labels=labels)
    answers_before = Answer.objects.filter(response__edition=edition).count()
    wipe(edition)

    result = import_responses(edition, first)

    assert (result.responses, result.items) == (3, 3)
    assert Answer.objects.filter(response__edition=edition).count() == answers_before
    second = tmp_path / "second.xlsx"
    export_responses(edition, "xlsx", second, labels=labels)
    assert contents(second) == contents(first)


def test_the_import_keeps_formula_like_texts_as_they_were(edition, tmp_path):
    path = tmp_path / "export.xlsx"
    export_responses(edition, "xlsx", path, labels=False)
    wipe(edition)
    import_responses(edition, path)
    intitule = Answer.objects.get(
        question__code="service_intitule", response__collectivite__code="35"
    )
    assert intitule.value == '=HYPERLINK("http://evil.test","clic")'
    nom = Answer.objects.get(question__code="nom", response__collectivite__code="35")
    assert nom.value == "@moderation"


def spoil(path, cells: dict, sheet="Réponses"):
    workbook = openpyxl.load_workbook(path)
    for coordinate, value in cells.items():
        workbook[sheet][coordinate] = value
    workbook.save(path)


def column_of(path, name, sheet="Réponses"):
    workbook = openpyxl.load_workbook(path, read_only=True)
    header = next(workbook[sheet].iter_rows(max_row=1, values_only=True))
    return openpyxl.utils.get_column_letter(header.index(name) + 1)


def test_it_reports_each_error_with_its_sheet_row_and_column_and_writes_nothing(edition, tmp_path):
    path = tmp_path / "export.xlsx"
    export_responses(edition, "xlsx", path, labels=False)
    etp = column_of(path, "etp_participation")
    fonction = column_of(path, "fonction_repondant")
    aucun = column_of(path, "outils_numeriques_aucun")
    satisfaction = column_of(path, "satisfaction", "Dispositifs")
    spoil(path, {f"{etp}2": "beaucoup", f"{fonction}3": "maire", f"{aucun}2": 1})
    spoil(path, {f"{satisfaction}3": "douze"}, sheet="Dispositifs")
    before = list(Answer.objects.order_by("pk").values_list("pk", "value"))

    with pytest.raises(ImportFailed) as failure:
        import_responses(edition, path)

    errors = failure.value.errors
    assert f"Réponses!{etp}2 (etp_participation) : « beaucoup » n'est pas un nombre." in errors
    assert any(
        e.startswith(f"Réponses!{fonction}3 (fonction_repondant) : « maire »") for e in errors
    )
    assert any(
        e.startswith("Réponses!") and "(outils_numeriques)" in e and "Aucun" in e for e in errors
    )
    assert f"Dispositifs!{satisfaction}3 (satisfaction) : « douze » n'est pas un nombre." in errors
    assert list(Answer.objects.order_by("pk").values_list("pk", "value")) == before


def test_it_refuses_an_unknown_collectivite_and_an_unknown_column(edition, tmp_path):
    path = tmp_path / "export.xlsx"
    export_responses(edition, "xlsx", path, labels=False)
    siren = column_of(path, "siren")
    spoil(path, {f"{siren}2": "999999999", "ZZ1": "colonne_mystere"})
    with pytest.raises(ImportFailed) as failure:
        import_responses(edition, path)
    assert failure.value.errors == [
        "Réponses!ZZ1 (colonne_mystere) : colonne inconnue pour cette édition."
    ]


def test_the_command_imports_and_reports_errors(edition, tmp_path):
    path = tmp_path / "export.xlsx"
    export_responses(edition, "xlsx", path, labels=False)
    wipe(edition)
    out = StringIO()
    call_command("import_responses", "--edition", "2030", str(path), stdout=out)
    assert "3 réponses importées" in out.getvalue()
    assert Response.objects.filter(edition=edition).count() == 3

    siren = column_of(path, "siren")
    insee = column_of(path, "code_insee")
    spoil(path, {f"{siren}2": "999999999", f"{insee}2": None})
    err = StringIO()
    with pytest.raises(CommandError, match="rien n'a été enregistré"):
        call_command("import_responses", "--edition", "2030", str(path), stderr=err)
    assert f"Réponses!{siren}2 (siren) : aucune collectivité" in err.getvalue()


def upload(client, edition, path):
    from django.urls import reverse

    with open(path, "rb") as stream:
        return client.post(reverse("exports:import"), {"edition": edition.pk, "file": stream})


def test_staff_import_a_file_from_the_web(client, alice, edition, tmp_path):
    path = tmp_path / "export.xlsx"
    export_responses(edition, "xlsx", path, labels=False)
    wipe(edition)
    client.force_login(alice)
    response = upload(client, edition, path)
    assert response.status_code == 302
    assert Response.objects.filter(edition=edition).count() == 3


def test_the_web_import_lists_the_errors_and_writes_nothing(client, alice, edition, tmp_path):
    path = tmp_path / "export.xlsx"
    export_responses(edition, "xlsx", path, labels=False)
    etp = column_of(path, "etp_participation")
    spoil(path, {f"{etp}2": "beaucoup"})
    wipe(edition)
    client.force_login(alice)
    html = upload(client, edition, path).content.decode()
    assert "rien n'a été enregistré" in html
    assert f"Réponses!{etp}2 (etp_participation) : « beaucoup » n&#x27;est pas un nombre." in html
    assert not Response.objects.filter(edition=edition).exists()


def test_only_staff_may_import(client, bob, charlie, db):
    from django.urls import reverse

    client.force_login(bob)
    assert client.get(reverse("exports:import")).status_code == 403
    client.force_login(charlie)
    assert client.get(reverse("exports:import")).status_code == 403
    client.logout()
    assert client.get(reverse("exports:import")).status_code == 302
