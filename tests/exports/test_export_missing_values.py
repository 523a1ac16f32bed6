"""Number columns hold numbers only; why one is empty is coded apart, in `<code>__statut`."""

import csv
import json
from datetime import datetime

import openpyxl
import pytest

from exports.services.jobs import export_responses, schema_path
from surveys.models import Question, Section
from tests.exports.export_data import _question, answer, build_edition, build_responses


@pytest.fixture
def edition(db, rennes, metz_metropole):
    edition = build_edition()
    responses = build_responses(edition, rennes, metz_metropole)
    moyens = Section.objects.get(edition=edition, code="moyens")
    fiches = Question.objects.get(edition=edition, code="fiches_dispositifs")
    # Asked to communes only: Metz Métropole and Ille-et-Vilaine are « sans objet ».
    _question(
        edition, moyens, 20, "nb_conseils", Question.Type.INTEGER, "Conseils de quartier",
        condition="type_collectivite = commune",
    )  # fmt: skip
    # Asked per dispositif only when its family is a website.
    _question(
        edition, moyens, 21, "visites", Question.Type.INTEGER, "Visites par mois", roster=fiches,
        condition="famille = site_information",
    )  # fmt: skip
    answer(responses["rennes"], "nb_conseils", 7)
    answer(responses["rennes"], "visites", 1200, item=1)
    return edition


def export_rows(edition, tmp_path, fmt="csv", labels=False):
    path = tmp_path / f"reponses.{fmt}"
    export_responses(edition, fmt, path, labels=labels)
    return path


def by_name(rows):
    return {row["collectivite"]: row for row in rows}


def test_a_number_column_holds_only_numbers_and_its_status_says_why_it_is_empty(edition, tmp_path):
    path = export_rows(edition, tmp_path)
    rows = by_name(csv.DictReader(path.read_text(encoding="utf-8").splitlines()))
    rennes, metz, ille = rows["Rennes"], rows["Metz Métropole"], rows["Ille-et-Vilaine"]
    assert (rennes["nb_conseils"], rennes["nb_conseils__statut"]) == ("7", "")
    assert (metz["nb_conseils"], metz["nb_conseils__statut"]) == ("", "sans_objet")
    assert (ille["nb_conseils"], ille["nb_conseils__statut"]) == ("", "sans_objet")
    assert (ille["budget_participation"], ille["budget_participation__statut"]) == ("", "nsp")
    # Metz Métropole left the budget unanswered: no value, no reason.
    assert (metz["budget_participation"], metz["budget_participation__statut"]) == ("", "")
    assert (rennes["budget_participation"], rennes["budget_participation__statut"]) == (
        "450000",
        "",
    )
    # Questions that can be neither « ne sait pas » nor hidden get no status column.
    assert "nb_agents__statut" not in rennes
    numbers = ("nb_conseils", "budget_participation", "nb_agents", "etp_participation")
    assert all(is_number(row[name]) for row in rows.values() for name in numbers)


def is_number(cell: str) -> bool:
    try:
        float(cell or "0")
    except ValueError:
        return False
    return True


def test_the_status_speaks_french_when_the_export_has_labels(edition, tmp_path):
    path = export_rows(edition, tmp_path, "xlsx", labels=True)
    sheet = openpyxl.load_workbook(path)["Réponses"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    rows = by_name([dict(zip(header, row, strict=True)) for row in rows])
    assert rows["Ille-et-Vilaine"]["budget_participation"] is None
    assert rows["Ille-et-Vilaine"]["budget_participation__statut"] == "Ne sait pas"
    assert rows["Metz Métropole"]["nb_conseils__statut"] == "Sans objet (question non posée)"


def test_a_roster_number_hidden_by_its_items_condition_is_sans_objet(edition, tmp_path):
    path = export_rows(edition, tmp_path, "xlsx")
    sheet = openpyxl.load_workbook(path)["Dispositifs"]
    header, *rows = list(sheet.iter_rows(values_only=True))
    items = {
        (row["collectivite"], row["element"]): row
        for row in (dict(zip(header, row, strict=True)) for row in rows)
    }
    # Rennes: item 1 is a website (asked, 1200), item 2 a map (not asked).
    assert (items["Rennes", 1]["visites"], items["Rennes", 1]["visites__statut"]) == (1200, None)
    assert (items["Rennes", 2]["visites"], items["Rennes", 2]["visites__statut"]) == (
        None,
        "sans_objet",
    )
    # Ille-et-Vilaine's only item has no family: not asked either.
    assert items["Ille-et-Vilaine", 1]["visites__statut"] == "sans_objet"


def test_the_dictionary_and_the_schema_document_the_coding(edition, tmp_path):
    workbook = openpyxl.load_workbook(export_rows(edition, tmp_path, "xlsx"))
    header, *rows = list(workbook["Dictionnaire"].iter_rows(values_only=True))
    dictionary = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    status = dictionary["budget_participation__statut"]
    assert status["choix"] == "nsp = Ne sait pas"
    assert "ne contient que des nombres" in status["remarque"]
    assert "nsp = Ne sait pas" in status["remarque"]
    assert dictionary["budget_participation"]["format"] == "number (€)"
    assert "budget_participation__statut" in dictionary["budget_participation"]["remarque"]
    assert dictionary["nb_conseils__statut"]["choix"] == (
        "sans_objet = Sans objet (question non posée)"
    )

    path = export_rows(edition, tmp_path)
    schema = json.loads(schema_path(path).read_text(encoding="utf-8"))
    fields = {field["name"]: field for field in schema["fields"]}
    assert fields["nb_conseils"]["type"] == "integer"
    assert fields["budget_participation"]["type"] == "number"
    assert "en €" in fields["budget_participation"]["description"]
    assert fields["nb_conseils__statut"]["constraints"]["enum"] == ["sans_objet"]
    assert schema["missingValues"] == [""]


def test_the_aggregates_still_count_ne_sait_pas_apart(edition, tmp_path):
    workbook = openpyxl.load_workbook(export_rows(edition, tmp_path, "xlsx"))
    header, *rows = list(workbook["Agrégats"].iter_rows(values_only=True))
    by_key = {(row[0], row[3]): dict(zip(header, row, strict=True)) for row in rows}
    # Two responses answered the budget: Rennes 450 000, Ille-et-Vilaine nsp (Metz: nothing).
    nsp = by_key["budget_participation", "Ne sait pas"]
    assert (nsp["effectif"], nsp["base"]) == (1, 2)
    figures = by_key["budget_participation", "Valeur chiffrée"]
    assert (figures["effectif"], figures["base"], figures["moyenne"]) == (1, 2, 450000)


def test_xlsx_cells_carry_number_euro_integer_and_date_formats(edition, tmp_path):
    sheet = openpyxl.load_workbook(export_rows(edition, tmp_path, "xlsx"))["Réponses"]
    header = [cell.value for cell in sheet[1]]
    rennes = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert rennes["collectivite"].value == "Rennes"
    assert rennes["budget_participation"].value == 450000
    assert rennes["budget_participation"].number_format == '#,##0.00 "€"'
    assert rennes["budget_par_habitant"].number_format == '#,##0.00 "€"'
    assert rennes["nb_agents"].value == 12
    assert rennes["nb_agents"].number_format == "0"
    assert rennes["population"].number_format == "0"
    assert rennes["cree_le"].value == datetime(2030, 4, 2, 9, 0, 0)
    assert rennes["cree_le"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert rennes["etp_participation"].value == 2.5
