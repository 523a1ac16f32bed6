"""The Réponses rows built from the column plan (`exports.services.response_rows`): each answer's
encoding is computed once and reused, and the files are what the csv module writes cell by cell."""

import csv
import io
import json

import pytest

from exports.services import response_rows
from exports.services.exporters import ResponsesExporter
from exports.services.writers import csv_cell, excel_fr_cell, write_csv
from respondents.models import Collectivite
from surveys.models import Response
from tests.exports.export_data import answer, build_edition, build_responses


@pytest.fixture
def edition(db, rennes, metz_metropole):
    edition = build_edition()
    build_responses(edition, rennes, metz_metropole)
    # Two more respondents giving Rennes' coded answers, with précisez texts of their own that
    # the csv module must quote, and one a spreadsheet would run as a formula.
    for code, other in (("35001", 'Dit "maison", ouvert'), ("35002", "=1+1; ou pas\nvraiment")):
        collectivite = Collectivite.objects.create(
            kind=Collectivite.Kind.COMMUNE, code=code, name=f"Commune {code}", population=900
        )
        response = Response.objects.create(edition=edition, collectivite=collectivite)
        answer(response, "fonction_repondant", "autre", other_text=other)
        answer(response, "objectifs", {"augmenter_participants": "plutot"})
        answer(response, "nb_agents", 12)
    return edition


@pytest.mark.parametrize("excel_fr", [False, True])
def test_the_planned_csv_is_what_the_csv_module_writes_cell_by_cell(edition, excel_fr):
    exporter = ResponsesExporter(edition, labels=True)
    sheet = exporter.sheets()[0]
    planned = io.StringIO()
    write_csv(exporter, sheet, planned, excel_fr=excel_fr)

    expected = io.StringIO()
    if excel_fr:
        expected.write("\ufeff")
        writer = csv.writer(expected, delimiter=";", lineterminator="\r\n")
        cell = excel_fr_cell
    else:
        writer = csv.writer(expected, lineterminator="\n")
        cell = csv_cell
    writer.writerow([column.name for column in sheet.columns])
    rows = list(ResponsesExporter(edition, labels=True).iterate_sheet("reponses"))
    for row in rows:
        writer.writerow([cell(value) for value in row])
    assert planned.getvalue() == expected.getvalue()
    assert '"Dit ""maison"", ouvert"' in planned.getvalue()
    assert "'=1+1" in planned.getvalue()


def test_equal_answers_give_equal_cells_and_each_keeps_its_own_precisez(edition):
    exporter = ResponsesExporter(edition, labels=False)
    names = [column.name for column in exporter.sheets()[0].columns]
    rows = {
        row[names.index("collectivite")]: dict(zip(names, row, strict=True))
        for row in exporter.iterate_sheet("reponses")
    }
    first, second = rows["Commune 35001"], rows["Commune 35002"]
    assert first["fonction_repondant"] == second["fonction_repondant"] == "autre"
    assert first["objectifs_augmenter_participants"] == "plutot"
    assert first["objectifs_transparence"] is None
    assert first["nb_agents"] == second["nb_agents"] == 12
    assert first["fonction_repondant_autre"] == 'Dit "maison", ouvert'
    assert second["fonction_repondant_autre"] == "=1+1; ou pas\nvraiment"
    assert rows["Rennes"]["objectifs_transparence"] == "tout_a_fait"


def _rows_and_csv(edition, labels: bool) -> tuple[list, str]:
    """The Réponses rows as cells, and the CSV text, each from an exporter of its own."""
    exporter = ResponsesExporter(edition, labels=labels)
    stream = io.StringIO()
    write_csv(exporter, exporter.sheets()[0], stream)
    rows = list(ResponsesExporter(edition, labels=labels).iterate_sheet("reponses"))
    return rows, stream.getvalue()


@pytest.mark.parametrize("labels", [True, False])
def test_a_part_whose_cache_fills_up_gives_the_same_rows_and_bytes(edition, monkeypatch, labels):
    expected = _rows_and_csv(edition, labels)
    # Two distinct answers fill a cache: every part past its second answer is encoded anew.
    monkeypatch.setattr(response_rows, "CACHE_LIMIT", 2)
    assert _rows_and_csv(edition, labels) == expected


def test_a_full_cache_keeps_coded_answers_and_drops_free_texts(edition, monkeypatch):
    # Two distinct answers fill a cache. A coded part keeps them (its frequent answers are
    # among the first seen); a free text or an amount keeps only the missing and hidden answer.
    monkeypatch.setattr(response_rows, "CACHE_LIMIT", 2)
    exporter = ResponsesExporter(edition, labels=False)
    plan = response_rows.RowPlan(
        exporter.layout, exporter.kept["reponses"], set(), lambda cells, first: tuple(cells)
    )
    for record in response_rows.read_records(exporter.response_ids, plan.keys, False):
        plan.encode_row(record, frozenset())
    full = [e for e in plan.entries if e.full and isinstance(e, response_rows.BlockPlan)]
    coded = {entry.block.question.code: entry for entry in full if entry.coded}
    free = {entry.block.question.code: entry for entry in full if not entry.coded}
    assert "fonction_repondant" in coded and "service_intitule" in free
    assert all(len(entry) >= 2 for entry in coded.values())
    assert all(
        set(entry) <= {response_rows.MISSING, response_rows.HIDDEN} for entry in free.values()
    )


@pytest.mark.parametrize("separator", ["T", " "])
def test_dates_read_as_text_are_the_iso_texts_of_the_dates(edition, separator):
    # The database writes them on PostgreSQL (`to_char`): the same text as Python's.
    ids = ResponsesExporter(edition).response_ids
    as_dates = list(response_rows.read_records(ids, [], False))
    as_texts = list(response_rows.read_records(ids, [], False, dates_as_text=separator))
    compared = 0
    for dates, texts in zip(as_dates, as_texts, strict=True):
        for date, text in zip(dates[2:5], texts[2:5], strict=True):
            assert text == (None if date is None else date.isoformat(separator))
            compared += date is not None
    assert compared > len(ids)  # created for all, sent or validated for some


@pytest.mark.parametrize("labels", [True, False])
def test_grouped_parts_give_the_same_rows_and_bytes_as_parts_looked_up_alone(
    edition, monkeypatch, labels
):
    exporter = ResponsesExporter(edition, labels=labels)
    plan = response_rows.RowPlan(
        exporter.layout, exporter.kept["reponses"], set(), lambda cells, first: tuple(cells)
    )
    # The matrix rows of `objectifs` are read as groups here: the comparison is not vacuous.
    groups = [e for e in plan.entries if isinstance(e, response_rows.GroupPlan)]
    assert groups and all(len(group.members) > 1 for group in groups)
    assert len(plan.entries) < len(plan.plans)
    grouped = _rows_and_csv(edition, labels)
    # A limit of one combination gathers nothing: every part is looked up alone.
    monkeypatch.setattr(response_rows, "GROUP_LIMIT", 1)
    assert _rows_and_csv(edition, labels) == grouped
    # And with caches that fill up (groups encoded anew past their second combination).
    monkeypatch.setattr(response_rows, "GROUP_LIMIT", 512)
    monkeypatch.setattr(response_rows, "CACHE_LIMIT", 2)
    assert _rows_and_csv(edition, labels) == grouped


@pytest.mark.parametrize(
    "value",
    [
        "code", "", 'a"b', "é\n", ["a"], [""], ["a", ""], ["a", "b c"], ["a", 1], ["a", 1, "b"],
        ["a", ["b"]], ["a", {"k": "v"}, "b"], ["a", None, "b"], ['a"b'], ['", "'], [], [1], 3,
        2.5, None, {"a": 1},
    ],
)  # fmt: skip
def test_a_stored_text_reads_as_the_json_parser_reads_it(value):
    assert response_rows.decoded(json.dumps(value)) == value


@pytest.mark.parametrize(
    "part",
    [
        '"12"', '"0012"', '"1.5"', '"nsp"', "12", "2.5", '"texte"', '"=1+1"', '"deux\\nlignes"',
        '"\\u00e9t\\u00e9"', '["a", "b"]', '["autre"]', "[]", '{"r": "oui"}', "", "null",
    ],
)  # fmt: skip
def test_the_shortcuts_for_a_first_answer_encode_what_its_cells_give(edition, part):
    # Free texts, amounts in digits and lists skip the general reading (`BlockPlan.__missing__`):
    # every part of the edition must encode a stored text as its cells would.
    exporter = ResponsesExporter(edition, labels=True)

    def encode(cells, first):
        return (first, *cells)

    plan = response_rows.RowPlan(exporter.layout, exporter.kept["reponses"], set(), encode)
    assert any(p.text for p in plan.plans) and any(p.whole is not None for p in plan.plans)
    compared = 0
    for block_plan in plan.plans:
        try:
            expected = encode(block_plan.cells(part), block_plan.first)
        except (AttributeError, TypeError):
            continue  # a stored value of another type than the question's: never saved so
        # Compared with their types: 12 and 12.0 are not the same cell.
        assert repr(block_plan[part]) == repr(expected)
        compared += 1
    assert compared
