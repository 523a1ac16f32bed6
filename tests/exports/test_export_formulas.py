import csv

import openpyxl
import pytest

from exports.services.jobs import export_responses
from exports.services.writers import neutralise, restore
from tests.exports.export_data import build_edition, build_responses


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+33 6 12", "-2 réunions", "@SUM(A1)", "\tcmd", "\rcmd", "'=déjà", "''+x"],
)
def test_it_neutralises_every_formula_trigger_and_restores_it(text):
    neutral = neutralise(text)
    assert neutral.startswith("'")
    assert restore(neutral) == text


@pytest.mark.parametrize("text", ["Rennes", "", "l'équipe", "'apostrophe", "2 ETP"])
def test_it_leaves_harmless_texts_alone(text):
    assert neutralise(text) == text
    assert restore(text) == text


@pytest.fixture
def data(db, rennes, metz_metropole):
    edition = build_edition()
    build_responses(edition, rennes, metz_metropole)
    return edition


def test_it_never_writes_a_formula_in_xlsx_and_keeps_negative_numbers(data, tmp_path):
    path = tmp_path / "export.xlsx"
    export_responses(data, "xlsx", path, labels=False)
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["Réponses"]
    header = [cell.value for cell in sheet[1]]
    ille = {name: cell for name, cell in zip(header, sheet[3], strict=True)}
    metz = {name: cell for name, cell in zip(header, sheet[4], strict=True)}
    assert ille["service_intitule"].value == '\'=HYPERLINK("http://evil.test","clic")'
    assert ille["service_intitule"].data_type == "s"
    assert ille["changements_prevus"].value == "'-2 réunions, +3 ateliers"
    assert metz["nb_agents"].value == -3
    assert metz["nb_agents"].data_type == "n"
    for row in workbook["Réponses"].iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_it_never_writes_a_formula_in_csv_and_keeps_negative_numbers(data, tmp_path):
    path = tmp_path / "export.csv"
    export_responses(data, "csv", path, labels=False)
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    ille, metz = rows[1], rows[2]
    assert ille["service_intitule"] == '\'=HYPERLINK("http://evil.test","clic")'
    assert ille["changements_prevus"] == "'-2 réunions, +3 ateliers"
    assert metz["nb_agents"] == "-3"
    for row in rows:
        for value in row.values():
            assert value[:1] not in ("=", "+", "@", "\t", "\r")
