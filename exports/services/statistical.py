"""SPSS (.sav) and Stata (.dta) files through pyreadstat, from the rows the exporters yield.

The rows and columns are those of `ResponsesExporter` (answers as codes): this module only
recodes them for the statistical packages. A ZIP holds `reponses.<ext>`, `dispositifs.<ext>` when
the edition has rosters (a .sav or .dta file holds one table) and `dictionnaire.csv`, which
names every variable and its coding:

- a column with choices (single choice, matrix row, type, tranche, région, statut) holds the
  integer 1..n of its choice, in the definition's order, with the choice labels as value labels;
  a choice coded `nsp` is a missing value (SPSS: user-missing; Stata: `.a`);
- a multiple-choice column holds 0/1 (`non coché` / `coché`);
- a number question holds its number, or, when its `<code>__statut` column gives a reason,
  `NSP_SPSS` / `SANS_OBJET_SPSS` as user-missing values in SPSS, `.a` / `.b` in Stata;
- dates are dates; texts lose their control characters (a NUL ends a Stata string).

pyreadstat writes from a whole DataFrame: the table is held in memory (bench/README.md).
"""

import csv
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyreadstat

from exports.services.exporters import ResponsesExporter, Sheet
from exports.services.layout import (
    NSP,
    NSP_LABEL,
    SANS_OBJET,
    SANS_OBJET_LABEL,
    STATUS_SUFFIX,
    TYPE_LABELS,
    Column,
)
from exports.services.writers import csv_cell

SAV = "sav"
DTA = "dta"
# The number a missing value takes in SPSS: far below any count, amount or share the
# questionnaire asks for.
NSP_SPSS = -999999
SANS_OBJET_SPSS = -999998
MISSING_SPSS = {NSP: NSP_SPSS, SANS_OBJET: SANS_OBJET_SPSS}
# Stata's extended missing values.
MISSING_STATA = {NSP: "a", SANS_OBJET: "b"}
MISSING_LABELS = {NSP: NSP_LABEL, SANS_OBJET: SANS_OBJET_LABEL}

# Limits of the formats (bytes for SPSS, characters for Stata 14+). Stata allows 32 characters,
# but pyreadstat names a variable's value labels after it followed by a counter, and those
# names have the same limit: 28 leaves room for 9,999 labelled variables.
NAME_LIMIT = {SAV: 64, DTA: 28}
VARIABLE_LABEL_LIMIT = {SAV: 256, DTA: 80}
VALUE_LABEL_LIMIT = {SAV: 120, DTA: 32000}
SPSS_TEXT_LIMIT = 32767
CHUNK = 2000
EMPTY_DATE_FORMAT = {SAV: "DATETIME20", DTA: "%tc"}
RESERVED = {
    SAV: {"all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with"},
    DTA: {
        "_all", "_b", "byte", "_coef", "_cons", "double", "float", "if", "in", "int", "long",
        "_n", "_pi", "_pred", "_rc", "_skip", "strl", "using", "with",
    },
}  # fmt: skip
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
BINARY_LABELS = {0: "non coché", 1: "coché"}
DICTIONARY_HEADER = [
    "fichier",
    "variable",
    "colonne",
    "question",
    "intitule",
    "type",
    "codage",
    "valeurs_manquantes",
]


def variable_names(names: list[str], fmt: str) -> list[str]:
    """Valid, distinct SPSS or Stata names for the export's column codes.

    Letters, digits and `_`, starting with a letter (others become `_`, a `v` goes in front);
    at most 64 bytes (SPSS) or 28 characters (Stata, see `NAME_LIMIT`), cut at the end; a
    reserved word gets a final `_`; a name already taken (names are compared without case)
    ends with `_2`, `_3`…
    """
    limit = NAME_LIMIT[fmt]
    used: set[str] = set()
    result = []
    for name in names:
        base = re.sub(r"[^A-Za-z0-9_]", "_", name) or "v"
        if not base[0].isalpha():
            base = "v" + base
        if base.lower() in RESERVED[fmt] or (fmt == DTA and re.fullmatch(r"str\d+", base)):
            base += "_"
        candidate = base[:limit]
        number = 1
        while candidate.lower() in used:
            number += 1
            suffix = f"_{number}"
            candidate = base[: limit - len(suffix)] + suffix
        used.add(candidate.lower())
        result.append(candidate)
    return result


def cut(text: str, limit: int, fmt: str) -> str:
    """`text` within the format's limit (UTF-8 bytes for SPSS), ending with « … » if cut."""
    if fmt == SAV:
        if len(text.encode("utf-8")) <= limit:
            return text
        data = text.encode("utf-8")[: limit - 3]
        return data.decode("utf-8", errors="ignore") + "…"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def clean_text(value, fmt: str) -> str | None:
    """A text cell that cannot break the file: no control character (tab and LF kept), no lone
    surrogate, within SPSS's 32,767 bytes."""
    if value is None or value == "":
        return "" if fmt == DTA else None
    text = _CONTROL.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    if fmt == SAV:
        text = cut(text, SPSS_TEXT_LIMIT, fmt)
    return text


@dataclass
class Variable:
    """How one export column becomes a variable of the file."""

    column: Column
    name: str
    fmt: str
    kind: str = "text"  # coded, binary, number, datetime, text
    codes: dict[str, int] = field(default_factory=dict)
    value_labels: dict = field(default_factory=dict)
    missing: list = field(default_factory=list)  # SPSS values or Stata letters
    status: int | None = None  # position of the `<code>__statut` column in the row

    @classmethod
    def of(cls, column: Column, name: str, fmt: str, status: int | None) -> "Variable":
        variable = cls(column, name, fmt, status=status)
        if column.role == "choice":
            variable.kind = "binary"
            variable.value_labels = dict(BINARY_LABELS)
        elif column.choices and column.role != "list":
            variable.kind = "coded"
            for index, (code, label) in enumerate(column.choices, start=1):
                variable.codes[code] = index
                variable.value_labels[index] = label
            if NSP in variable.codes and column.role in ("value", "row"):
                variable.add_missing(NSP, variable.codes[NSP])
        elif column.kind in ("integer", "number"):
            variable.kind = "number"
            if status is not None:
                for code in (NSP, SANS_OBJET):
                    variable.add_missing(code, MISSING_SPSS[code])
        elif column.kind == "datetime":
            variable.kind = "datetime"
        return variable

    def add_missing(self, reason: str, spss_value: int) -> None:
        """Declare `reason` missing: `spss_value` in SPSS, its letter in Stata; a choice keeps
        its own label."""
        label = self.value_labels.pop(spss_value, None) or MISSING_LABELS[reason]
        if self.fmt == SAV:
            self.missing.append(spss_value)
            self.value_labels[spss_value] = label
        else:
            letter = MISSING_STATA[reason]
            self.missing.append(letter)
            self.value_labels[letter] = label

    def cell(self, value, row: list):
        kind = self.kind
        if kind == "text":
            return clean_text(value, self.fmt)
        if value is None or value == "":
            if self.status is not None and (reason := row[self.status]) in MISSING_SPSS:
                return float(MISSING_SPSS[reason]) if self.fmt == SAV else MISSING_STATA[reason]
            return None
        if kind == "coded":
            number = self.codes.get(value)
            if number is None:
                # A code the definition no longer has: a new number, labelled with the code.
                number = self.codes[value] = len(self.codes) + 1
                self.value_labels[number] = str(value)
            if self.fmt == DTA and value == NSP and "a" in self.missing:
                return "a"
            return float(number)
        if kind in ("binary", "number"):
            try:
                return float(value)
            except (TypeError, ValueError):
                return None
        return value

    @property
    def coding(self) -> str:
        return " ; ".join(
            f"{'.' + code if isinstance(code, str) else code} = {label}"
            for code, label in self.value_labels.items()
        )

    @property
    def missing_display(self) -> str:
        return " ; ".join(f".{m}" if isinstance(m, str) else str(m) for m in self.missing)


def sheet_variables(sheet: Sheet, fmt: str) -> list[Variable]:
    names = variable_names([column.name for column in sheet.columns], fmt)
    positions = {column.name: index for index, column in enumerate(sheet.columns)}
    return [
        Variable.of(
            column,
            name,
            fmt,
            positions.get(column.name + STATUS_SUFFIX) if column.role == "value" else None,
        )
        for column, name in zip(sheet.columns, names, strict=True)
    ]


def write_table(
    exporter: ResponsesExporter, sheet: Sheet, fmt: str, path: Path, title: str
) -> tuple[int, list[Variable]]:
    """Write one sheet as a .sav or .dta file; returns its rows and its variables."""
    variables = sheet_variables(sheet, fmt)
    # Numbers go into float arrays every CHUNK rows: a Python float in a list costs four times
    # its 8 bytes (bench/README.md).
    chunks: list[list[pd.Series]] = [[] for _ in variables]
    buffer: list[list] = [[] for _ in variables]
    rows = 0
    for row in exporter.iterate_sheet(sheet.identifier):
        for index, variable in enumerate(variables):
            buffer[index].append(variable.cell(row[index], row))
        rows += 1
        if rows % CHUNK == 0:
            for index, variable in enumerate(variables):
                chunks[index].append(to_series(variable, buffer[index]))
                buffer[index] = []
    if rows % CHUNK or not rows:
        for index, variable in enumerate(variables):
            chunks[index].append(to_series(variable, buffer[index]))
    del buffer
    frame = pd.DataFrame(
        {
            variable.name: pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
            for variable, parts in zip(variables, chunks, strict=True)
        }
    )
    del chunks
    # A date column without any date would be written as text: numbers in a date format.
    formats = {}
    for variable in variables:
        if variable.kind == "datetime" and frame[variable.name].isna().all():
            frame[variable.name] = frame[variable.name].astype("float64")
            formats[variable.name] = EMPTY_DATE_FORMAT[fmt]
    labels: dict[str, str | None] = {
        v.name: cut(v.column.title, VARIABLE_LABEL_LIMIT[fmt], fmt) for v in variables
    }
    value_labels = {
        v.name: {
            key: cut(label, VALUE_LABEL_LIMIT[fmt], fmt) for key, label in v.value_labels.items()
        }
        for v in variables
        if v.value_labels
    }
    missing = {v.name: v.missing for v in variables if v.missing}
    if fmt == SAV:
        measure = {
            v.name: "nominal" if v.kind in ("coded", "binary") else "scale"
            for v in variables
            if v.kind != "text"
        }
        pyreadstat.write_sav(
            frame,
            str(path),
            file_label=cut(title, 64, fmt),
            column_labels=labels,
            variable_value_labels=value_labels,
            missing_ranges=missing,
            variable_measure=measure,
            variable_format=formats,
        )
    else:
        pyreadstat.write_dta(
            frame,
            str(path),
            file_label=cut(title, 80, fmt),
            column_labels=labels,
            variable_value_labels=value_labels,
            missing_user_values=missing,
            variable_format=formats,
        )
    return rows, variables


def to_series(variable: Variable, values: list) -> pd.Series:
    if variable.kind in ("text", "datetime"):
        # Dates stay Python datetimes: pyreadstat converts a datetime64 column on a copy of
        # the whole table.
        return pd.Series(values, dtype=object)
    if variable.fmt == DTA and variable.missing:
        # Stata's extended missing values are letters among the numbers.
        return pd.Series(values, dtype=object)
    return pd.Series(values, dtype="float64")


def write_statistical(exporter: ResponsesExporter, fmt: str, path: str | Path) -> int:
    """Write the ZIP of the SPSS or Stata files and their dictionary; returns the rows of
    Réponses."""
    edition = exporter.edition
    dictionary: list[list] = []
    rows = 0
    with (
        tempfile.TemporaryDirectory(prefix="export-stat-") as directory,
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
    ):
        for sheet in exporter.sheets():
            if sheet.identifier not in ("reponses", "dispositifs"):
                continue
            filename = f"{sheet.identifier}.{fmt}"
            title = f"{edition.title} — {sheet.title}"
            table = Path(directory) / filename
            written, variables = write_table(exporter, sheet, fmt, table, title)
            if sheet.identifier == "reponses":
                rows = written
            archive.write(table, filename)
            for variable in variables:
                column = variable.column
                dictionary.append(
                    [
                        filename,
                        variable.name,
                        column.name,
                        column.question,
                        column.title,
                        TYPE_LABELS.get(column.question_type, column.role),
                        variable.coding,
                        variable.missing_display,
                    ]
                )
        dictionary_path = Path(directory) / "dictionnaire.csv"
        with open(dictionary_path, "w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(DICTIONARY_HEADER)
            for line in dictionary:
                writer.writerow([csv_cell(value) for value in line])
        archive.write(dictionary_path, "dictionnaire.csv")
    return rows
