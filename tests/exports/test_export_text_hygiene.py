"""Exports: no embedded line break escapes its CSV cell; every formula variant is neutralised."""

import csv

import pytest

from exports.services.jobs import export_responses
from exports.services.writers import neutralise, restore
from surveys.models import Answer
from tests.exports.export_data import build_edition, build_responses


@pytest.mark.parametrize(
    "text",
    ["\uff1d1+1", "\uff0bcmd", "\uff0d2", "\uff20SUM(A1)", " =1+1", "\u00a0=1+1", "\u3000\uff1dx"],
)
def test_it_neutralises_full_width_and_leading_space_formulas(text):
    neutral = neutralise(text)
    assert neutral == "'" + text
    assert restore(neutral) == text


def test_a_stored_lone_carriage_return_does_not_split_the_csv_row(
    db, rennes, metz_metropole, tmp_path
):
    edition = build_edition()
    build_responses(edition, rennes, metz_metropole)
    # Stored before the normalisation existed: the CSV must still hold it in its cell.
    Answer.objects.filter(
        question__code="service_intitule", value="Service démocratie locale"
    ).update(value="x\r=2+3")
    path = tmp_path / "export.csv"
    export_responses(edition, "csv", path, labels=False)
    raw = path.read_bytes()
    assert b"\r" not in raw
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    assert len(rows) == 3
    assert [row["service_intitule"] for row in rows][0] == "x\n=2+3"
    assert ',"x\n=2+3",' in raw.decode()
