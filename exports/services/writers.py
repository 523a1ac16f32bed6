"""Write an exporter's sheets as XLSX (XlsxWriter, constant memory) or CSV, neutralising formulas.

XlsxWriter's constant-memory mode is used rather than openpyxl's write-only mode: on the
36,000-respondent benchmark it writes the same cells faster with the same flat memory (figures in
bench/README.md). openpyxl stays the reader.
"""

import csv
import io
import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from itertools import chain
from typing import IO, Any

import xlsxwriter

from barometre.textclean import normalise_newlines
from exports.services.exporters import ListExporter, Sheet
from exports.services.layout import EURO

# A cell starting with one of these is read as a formula by spreadsheet software; some also
# read the full-width and small forms, and skip leading spaces before them.
FORMULA_TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20\ufe66\ufe62\ufe63\ufe6b")
_SKIPPED = "' \u00a0\u2007\u202f\u3000"
# The first characters of a text that `neutralise` may change: any other text is left as it is
# after a single set lookup (millions of cells in a census export).
_SUSPECT_FIRST = FORMULA_TRIGGERS | frozenset(_SKIPPED)
DATE_FORMAT = "yyyy-mm-dd hh:mm:ss"
INTEGER_FORMAT = "0"
# Excel's format codes are written in the en-US syntax and shown in the reader's locale
# (« 450 000,00 € » in a French Excel).
EURO_FORMAT = '#,##0.00 "€"'
CSV_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"
EXCEL_FR_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
CSV_ROWS_PER_WRITE = 256


def neutralise(text: str) -> str:
    """Prefix with an apostrophe a text that a spreadsheet would run as a formula.

    Texts that already start with apostrophes before a trigger get one more, so that `restore`
    gives back exactly the original text.
    """
    if text[:1] in _SUSPECT_FIRST and text.lstrip(_SKIPPED)[:1] in FORMULA_TRIGGERS:
        return "'" + text
    return text


def restore(text: str) -> str:
    """The inverse of `neutralise`, for reading an export back."""
    if text.startswith("'") and text.lstrip(_SKIPPED)[:1] in FORMULA_TRIGGERS:
        return text[1:]
    return text


def write_xlsx(exporter: ListExporter, path: str) -> int:
    """Write every sheet of `exporter` to the XLSX file at `path`; returns the rows written."""
    workbook = xlsxwriter.Workbook(
        path,
        {
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    header_format = workbook.add_format({"bold": True, "text_wrap": False})
    date_format = workbook.add_format({"num_format": DATE_FORMAT})
    number_formats = {
        "integer": workbook.add_format({"num_format": INTEGER_FORMAT}),
        "euro": workbook.add_format({"num_format": EURO_FORMAT}),
    }
    rows = 0
    for sheet in exporter.sheets():
        worksheet = workbook.add_worksheet(sheet.title)
        worksheet.freeze_panes(1, 0)
        formats = []
        for index, column in enumerate(sheet.columns):
            worksheet.write_string(0, index, exporter.header(column), header_format)
            if column.kind == "datetime":
                worksheet.set_column(index, index, 19)
            elif column.unit == EURO:
                worksheet.set_column(index, index, 14)
            formats.append(number_formats.get("euro" if column.unit == EURO else column.kind))
        encode = xlsx_encoder(worksheet, formats, date_format)
        encoded = exporter.encoded_sheet(sheet.identifier, encode)
        if encoded is not None:
            # Each part is a tuple of ready write calls (see `xlsx_encoder`), chained in C.
            for row_index, parts in enumerate(encoded, start=1):
                for col, write, value, cell_format in chain.from_iterable(parts):
                    write(row_index, col, value, cell_format)
                rows += 1
            continue
        for row_index, row in enumerate(exporter.iterate_sheet(sheet.identifier), start=1):
            for col, write, value, cell_format in encode(row, 0):
                write(row_index, col, value, cell_format)
            rows += 1
    workbook.close()
    return rows


def xlsx_encoder(worksheet, formats: list, date_format) -> Callable[[list, int], tuple]:
    """`encode(cells, first_column)`: the typed write calls of consecutive cells, as
    (column, method, value, format) tuples; empty cells are not written, texts are neutralised
    (XlsxWriter itself cuts them at 32,767 characters)."""
    write_string = worksheet.write_string
    write_number = worksheet.write_number
    write_datetime = worksheet.write_datetime

    def encode(cells: list, first: int) -> tuple:
        calls: list[tuple] = []
        for col, value in enumerate(cells, first):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                if value:
                    if value[:1] in _SUSPECT_FIRST:
                        value = neutralise(value)
                    calls.append((col, write_string, value, None))
            elif kind is int or kind is float:
                calls.append((col, write_number, value, formats[col]))
            elif kind is datetime or kind is date:
                calls.append((col, write_datetime, value, date_format))
            elif kind is Decimal:
                calls.append((col, write_number, float(value), formats[col]))
            elif kind is bool:
                calls.append((col, write_number, int(value), None))
            else:
                calls.append((col, write_string, neutralise(str(value)), None))
        return tuple(calls)

    return encode


def csv_cell(value) -> str:
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        # A lone CR would end the row for some readers yet not be quoted by the csv module
        # (it quotes the line terminator, LF): stored texts may predate the normalisation.
        return neutralise(normalise_newlines(value) if "\r" in value else value)
    if kind is datetime:
        return value.isoformat() if _iso_is_format(value) else value.strftime(CSV_DATE_FORMAT)
    if kind is bool:
        return str(int(value))
    return str(value)


def excel_fr_cell(value) -> str:
    """A cell as a French Excel reads it: decimal comma, date and time with a space."""
    kind = type(value)
    if kind is float or kind is Decimal:
        return str(value).replace(".", ",")
    if kind is datetime:
        return str(value) if _iso_is_format(value) else value.strftime(EXCEL_FR_DATE_FORMAT)
    return csv_cell(value)


def _iso_is_format(value: datetime) -> bool:
    """Whether `isoformat` (T) and `str` (space) write `value` exactly as the date formats do
    (`strftime` is several times slower: three dates a row): a naive time to the second, as
    `layout.local_naive` gives them, in a four-digit year."""
    return not value.microsecond and value.tzinfo is None and value.year >= 1000


def write_csv(exporter: ListExporter, sheet: Sheet, stream: IO[str], *, excel_fr=False) -> int:
    """Write one sheet as UTF-8 CSV with a header row of column names; returns the rows.

    Open data: comma, LF, decimal point. `excel_fr` (« CSV pour Excel (France) »): a byte order
    mark so that Excel reads UTF-8 (accents), semicolon, CRLF and decimal comma, the settings
    of a French Excel.
    """
    if excel_fr:
        stream.write("\ufeff")
        delimiter, terminator, cell, date_separator = ";", "\r\n", excel_fr_cell, " "
    else:
        delimiter, terminator, cell, date_separator = ",", "\n", csv_cell, "T"
    writer = csv.writer(stream, delimiter=delimiter, lineterminator=terminator)
    writer.writerow([exporter.header(column) for column in sheet.columns])
    rows = 0
    encode = csv_encoder(cell, delimiter=delimiter, lineterminator=terminator)
    # Planned rows take their dates as the text that `cell` writes of them.
    encoded = exporter.encoded_sheet(sheet.identifier, encode, dates_as_text=date_separator)
    if encoded is not None:
        # Each part is the CSV text of consecutive cells: a row is their join. Rows are written
        # to the stream a few hundred at a time (one call each costs more than the join).
        lines: list[str] = []
        for parts in encoded:
            lines.append(delimiter.join(parts))
            lines.append(terminator)
            if len(lines) >= 2 * CSV_ROWS_PER_WRITE:
                stream.write("".join(lines))
                lines.clear()
            rows += 1
        stream.write("".join(lines))
        return rows
    for row in exporter.iterate_sheet(sheet.identifier):
        writer.writerow([cell(value) for value in row])
        rows += 1
    return rows


def csv_encoder(
    cell: Callable[[Any], str], *, delimiter: str, lineterminator: str
) -> Callable[[list, int], str]:
    """`encode(cells, first_column)`: consecutive cells as CSV text, quoted by the csv module
    exactly as in a whole row (without the row's terminator). `cell` writes a cell as
    `csv_cell` does (`excel_fr_cell` too): the cells it would write as they are (most texts,
    whole numbers, empty cells) are not passed to it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator)
    cut = len(lineterminator)

    def quoted(fields: list[str]) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(fields)
        return buffer.getvalue()[:-cut]

    def encode(cells: list, first: int) -> str:
        # Fields the csv module would not quote are joined as they are: no quote, line break
        # or separator inside (the row of a single empty field, which it quotes, is never a
        # part of a row).
        if len(cells) == 1:
            text = cells[0]
            if type(text) is not str or text[:1] in _SUSPECT_FIRST or "\r" in text:
                text = cell(text)
            if delimiter in text or '"' in text or "\n" in text or "\r" in text:
                return quoted([text])
            return text
        fields = [
            value
            if (kind := type(value)) is str
            and value[:1] not in _SUSPECT_FIRST
            and "\r" not in value
            else ""
            if value is None
            else str(value)
            if kind is int
            else cell(value)
            for value in cells
        ]
        text = delimiter.join(fields)
        if (
            text.count(delimiter) == len(fields) - 1
            and '"' not in text
            and "\n" not in text
            and "\r" not in text
        ):
            return text
        return quoted(fields)

    return encode


def table_schema(
    sheet: Sheet, *, title: str, description: str, header_labels: bool = False
) -> dict:
    """The Table Schema (frictionless, specs.frictionlessdata.io) describing a CSV sheet whose
    header holds the column codes (or their titles: `header_labels`)."""
    fields = []
    for column in sheet.columns:
        name = column.title if header_labels else column.name
        field: dict[str, Any] = {"name": name, "title": column.title, "type": column.kind}
        if column.kind == "datetime":
            field["format"] = CSV_DATE_FORMAT
            field["description"] = "Heure de Paris"
        notes = [f"Question « {column.question} »"] if column.question else []
        if column.unit:
            notes.append(f"en {column.unit}")
        if column.description:
            notes.append(column.description)
        if notes:
            field["description"] = " — ".join(notes)
        constraints = {}
        if column.enum:
            constraints["enum"] = column.enum
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    return {
        "$schema": "https://frictionlessdata.io/schemas/table-schema.json",
        "title": title,
        "description": description,
        "fields": fields,
        # One coding of missing values everywhere: a number column holds numbers only, empty
        # when there is none; its `<code>__statut` column says why (see `layout`).
        "missingValues": [""],
    }


def write_table_schema(schema: dict, stream: IO[str]) -> None:
    json.dump(schema, stream, ensure_ascii=False, indent=2)
