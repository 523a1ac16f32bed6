"""Import responses from an XLSX in the export's own layout (past editions held in spreadsheets).

Every cell goes through `surveys.validation.clean_answer`; an error names its sheet, cell and
column (« Réponses!F12 (etp_participation) : … »). Nothing is written unless the whole file is
valid: the rows are written inside one transaction that is rolled back at the first error, and
the rest of the file is still checked so that every error is reported at once.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import openpyxl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl.utils import get_column_letter

from barometre.uploads import UnreadableUpload, check_xlsx
from exports.results.tasks import schedule_recompute
from exports.services.layout import (
    LIST_SEPARATOR,
    NSP,
    NSP_LABEL,
    SANS_OBJET,
    SANS_OBJET_LABEL,
    STATUS_LABELS,
    Block,
    Layout,
)
from exports.services.writers import restore
from respondents.classification import TYPES_COLLECTIVITE
from respondents.models import Collectivite
from respondents.regions import REGIONS
from surveys.hooks import responses_loaded
from surveys.models import Answer, Edition, Question, Response
from surveys.validation import clean_answer

T = Question.Type
MAX_ERRORS = 200
RESPONSES_SHEET = "Réponses"
ROSTER_SHEET = "Dispositifs"
KIND_BY_TYPE = {"commune": "commune", "departement": "departement", "region": "region"}

# The export of the largest edition unzips to a few hundred megabytes; beyond this, a bomb.
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024


class CellError(ValidationError):
    """A cell that cannot even be read as input (a 0/1 box holding something else)."""

    def __init__(self, message: str, column: int):
        super().__init__(message)
        self.column = column


class ImportFailed(Exception):
    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} erreur(s)")
        self.errors = errors


@dataclass
class ImportResult:
    responses: int = 0
    answers: int = 0
    items: int = 0


@dataclass
class ParsedRow:
    collectivite: Collectivite
    status: str
    dates: dict
    answers: list = field(default_factory=list)  # (question, item, CleanAnswer)


def _reverse(pairs) -> dict:
    mapping = {}
    for code, label in pairs:
        mapping[str(label).casefold()] = code
        mapping[str(code).casefold()] = code
    return mapping


TYPE_CODES = _reverse(TYPES_COLLECTIVITE.items())
STATUS_CODES = _reverse(STATUS_LABELS.items())
REGION_CODES = _reverse(REGIONS.items())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return restore(str(value)).strip() if isinstance(value, str) else str(value)


class Importer:
    def __init__(self, edition: Edition):
        self.edition = edition
        self.layout = Layout(edition, labels=False)
        self.errors: list[str] = []
        self.collectivites: dict = {}

    # Errors ---------------------------------------------------------------------------------
    def error(self, sheet: str, row: int, column: int | None, name: str, message: str) -> None:
        if len(self.errors) >= MAX_ERRORS:
            raise ImportFailed(self.errors + ["Trop d'erreurs : l'import s'arrête là."])
        cell = f"{get_column_letter(column + 1)}{row}" if column is not None else f"ligne {row}"
        label = f" ({name})" if name else ""
        self.errors.append(f"{sheet}!{cell}{label} : {message}")

    # Reading --------------------------------------------------------------------------------
    def read_header(self, sheet: str, header: tuple, known: list) -> dict[str, int]:
        names = {column.name for column in known}
        positions = {}
        for index, name in enumerate(header):
            if name is None:
                continue
            name = str(name).strip()
            if name not in names:
                self.error(sheet, 1, index, name, "colonne inconnue pour cette édition.")
            elif name in positions:
                self.error(sheet, 1, index, name, "colonne en double.")
            else:
                positions[name] = index
        if "code_insee" not in positions and "siren" not in positions:
            self.error(sheet, 1, None, "", "il faut une colonne « code_insee » ou « siren ».")
        return positions

    def find_collectivite(self, sheet, row_number, row, positions) -> Collectivite | None:
        def cell(name):
            index = positions.get(name)
            return _text(row[index]) if index is not None and index < len(row) else ""

        siren, insee = cell("siren"), cell("code_insee")
        type_code = TYPE_CODES.get(cell("type_collectivite").casefold(), "")
        key = (siren, insee, type_code)
        if key in self.collectivites:
            return self.collectivites[key]
        found = None
        if siren:
            found = Collectivite.objects.filter(siren=siren).order_by("pk").first()
        if found is None and insee:
            candidates = Collectivite.objects.filter(code=insee).exclude(kind="epci")
            if type_code in KIND_BY_TYPE:
                candidates = candidates.filter(kind=KIND_BY_TYPE[type_code])
            matches = list(candidates[:2])
            if len(matches) > 1:
                self.error(
                    sheet, row_number, positions.get("code_insee"), "code_insee",
                    f"le code « {insee} » désigne plusieurs collectivités : précisez "
                    "type_collectivite.",
                )  # fmt: skip
                return None
            found = matches[0] if matches else None
        if found is None:
            column = positions.get("siren") if siren else positions.get("code_insee")
            self.error(
                sheet, row_number, column, "siren" if siren else "code_insee",
                f"aucune collectivité du référentiel avec le SIREN « {siren} » ou le code INSEE "
                f"« {insee} ».",
            )  # fmt: skip
        self.collectivites[key] = found
        return found

    def block_raw(
        self, block: Block, row: tuple, positions: dict
    ) -> tuple[object, str, int | None]:
        """The raw input of a question from its columns, its précisez text, and the column to
        blame for an error."""
        question = block.question
        columns = [c for c in block.columns if c.name in positions]
        blame = positions[columns[0].name] if columns else None

        def value(column):
            index = positions[column.name]
            return row[index] if index < len(row) else None

        codes = _reverse(block.choices)
        other_text = ""
        raw: Any = None  # the cells as read: text, numbers, dates, codes
        for column in columns:
            if column.role == "other":
                other_text = _text(value(column))
        if question.type == T.SINGLE:
            main = next((c for c in columns if c.role == "value"), None)
            text = _text(value(main)) if main else ""
            raw = codes.get(text.casefold(), text) if text else None
        elif question.type == T.MULTIPLE:
            boxes = [c for c in columns if c.role == "choice"]
            if boxes:
                raw = []
                for column, (choice, _label) in zip(
                    (c for c in block.columns if c.role == "choice"), block.choices, strict=True
                ):
                    if column not in boxes:
                        continue
                    cell = _text(value(column))
                    if cell == "1":
                        raw.append(choice)
                    elif cell not in ("", "0"):
                        raise CellError(
                            f"« {cell} » : indiquez 1 (coché) ou 0 (non coché).",
                            positions[column.name],
                        )
            else:
                listing = next((c for c in columns if c.role == "list"), None)
                text = _text(value(listing)) if listing else ""
                raw = [codes.get(part.strip().casefold(), part.strip()) for part in
                       text.split(LIST_SEPARATOR.strip()) if part.strip()]  # fmt: skip
        elif question.type == T.MATRIX:
            raw = {}
            for column in columns:
                text = _text(value(column))
                row_code = column.name[len(question.code) + 1 :]
                raw[row_code] = codes.get(text.casefold(), text)
        elif question.type == T.RANKING:
            raw = {column.name[len(question.code) + 1 :]: value(column) for column in columns}
        elif question.type in (T.INTEGER, T.DECIMAL, T.MONEY):
            main = next((c for c in columns if c.role == "value"), None)
            status = next((c for c in columns if c.role == "status"), None)
            figure = value(main) if main else None
            if isinstance(figure, str):
                figure = restore(figure).strip()
            if figure in (None, "") and status:
                figure = _text(value(status)) or None
                if figure and figure.casefold() in (SANS_OBJET, SANS_OBJET_LABEL.casefold()):
                    figure = None
            # « Ne sait pas » in the status column, or in the number column of older exports.
            if isinstance(figure, str) and figure.casefold() == NSP_LABEL.casefold():
                figure = NSP
            raw = figure
        elif question.type == T.ROSTER:
            raw = value(columns[0]) if columns else None
        else:
            raw = _text(value(columns[0])) if columns else None
        return raw, other_text, blame

    def clean_row(self, sheet, row_number, row, positions, blocks, item) -> list:
        cleaned = []
        for block in blocks:
            if not any(c.name in positions for c in block.columns):
                continue
            try:
                raw, other_text, blame = self.block_raw(block, row, positions)
                answer = clean_answer(block.question, raw, other_text=other_text)
            except ValidationError as exc:
                column = getattr(exc, "column", None)
                self.error(
                    sheet,
                    row_number,
                    column if column is not None else blame,
                    block.question.code,
                    " ".join(exc.messages),
                )
                continue
            if answer is not None:
                cleaned.append((block.question, item, answer))
        return cleaned

    def _date(self, sheet, row_number, row, positions, name):
        index = positions.get(name)
        value = row[index] if index is not None and index < len(row) else None
        if value in (None, ""):
            return None
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip())
            except ValueError:
                self.error(sheet, row_number, index, name, f"« {value} » n'est pas une date.")
                return None
        if not isinstance(value, datetime):
            self.error(sheet, row_number, index, name, f"« {value} » n'est pas une date.")
            return None
        return timezone.make_aware(value) if timezone.is_naive(value) else value

    # Main -----------------------------------------------------------------------------------
    def run(self, path) -> ImportResult:
        try:
            check_xlsx(path, MAX_UNCOMPRESSED_BYTES)
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except UnreadableUpload as exc:
            raise ImportFailed([str(exc)]) from exc
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
            raise ImportFailed(
                ["Fichier illisible : ce n'est pas un classeur XLSX valide."]
            ) from exc
        try:
            if RESPONSES_SHEET not in workbook.sheetnames:
                raise ImportFailed([f"Le fichier n'a pas de feuille « {RESPONSES_SHEET} »."])
            with transaction.atomic():
                result = self._import(workbook)
                if self.errors:
                    raise ImportFailed(self.errors)
                if result.responses:
                    # A bulk load: the results' counts are rebuilt once, then recomputed soon.
                    responses_loaded.send(sender=Edition, edition=self.edition)
                    schedule_recompute(self.edition.pk)
            return result
        finally:
            workbook.close()

    def _import(self, workbook) -> ImportResult:
        result = ImportResult()
        layout = self.layout
        rows = workbook[RESPONSES_SHEET].iter_rows(values_only=True)
        header = next(rows, ())
        positions = self.read_header(RESPONSES_SHEET, header, layout.response_columns)
        if self.errors:
            return result
        responses: dict[int, Response | None] = {}
        for row_number, row in enumerate(rows, start=2):
            if all(cell in (None, "") for cell in row):
                continue
            collectivite, parsed = self.parse_response_row(row_number, row, positions)
            if collectivite is None:
                continue
            if collectivite.pk in responses:
                self.error(
                    RESPONSES_SHEET, row_number, None, "",
                    f"« {collectivite} » a déjà une ligne plus haut.",
                )  # fmt: skip
                continue
            if parsed is None or self.errors:
                # Still checked, never written: the roster rows of this line are checked too.
                responses[collectivite.pk] = None
                continue
            response = self.write_response(parsed)
            responses[parsed.collectivite.pk] = response
            result.responses += 1
            result.answers += len(parsed.answers)
        if ROSTER_SHEET in workbook.sheetnames and layout.item_blocks:
            result.items = self._import_items(workbook[ROSTER_SHEET], responses)
        return result

    def parse_response_row(
        self, row_number, row, positions
    ) -> tuple[Collectivite | None, ParsedRow | None]:
        errors_before = len(self.errors)
        collectivite = self.find_collectivite(RESPONSES_SHEET, row_number, row, positions)
        status = Response.Status.SUBMITTED
        if "statut" in positions:
            text = _text(row[positions["statut"]]) if positions["statut"] < len(row) else ""
            if text:
                found = STATUS_CODES.get(text.casefold())
                if found is None:
                    self.error(
                        RESPONSES_SHEET, row_number, positions["statut"], "statut",
                        f"« {text} » n'est pas un statut (brouillon, envoyée, validée).",
                    )  # fmt: skip
                else:
                    status = found
        dates = {
            field_name: self._date(RESPONSES_SHEET, row_number, row, positions, column)
            for field_name, column in (
                ("created_at", "cree_le"),
                ("submitted_at", "envoye_le"),
                ("validated_at", "valide_le"),
            )
        }
        answers = self.clean_row(
            RESPONSES_SHEET, row_number, row, positions, self.layout.top_blocks, 0
        )
        if collectivite is None or len(self.errors) > errors_before:
            return collectivite, None
        return collectivite, ParsedRow(collectivite, status, dates, answers)

    def write_response(self, parsed: ParsedRow) -> Response:
        response, _created = Response.objects.update_or_create(
            edition=self.edition,
            collectivite=parsed.collectivite,
            defaults={
                "status": parsed.status,
                "submitted_at": parsed.dates["submitted_at"],
                "validated_at": parsed.dates["validated_at"],
            },
        )
        if parsed.dates["created_at"]:
            Response.objects.filter(pk=response.pk).update(created_at=parsed.dates["created_at"])
        response.answers.all().delete()
        self._create_answers(response, parsed.answers)
        return response

    def _create_answers(self, response: Response, answers: list) -> None:
        Answer.objects.bulk_create(
            Answer(
                response=response,
                question=question,
                item=item,
                value=answer.value,
                number=answer.number,
                other_text=answer.other_text,
            )
            for question, item, answer in answers
        )

    def _import_items(self, worksheet, responses: dict) -> int:
        rows = worksheet.iter_rows(values_only=True)
        header = next(rows, ())
        errors_before = len(self.errors)
        positions = self.read_header(ROSTER_SHEET, header, self.layout.roster_columns)
        if "element" not in positions:
            self.error(ROSTER_SHEET, 1, None, "", "il faut une colonne « element ».")
        if len(self.errors) > errors_before:
            return 0
        rosters = {q.code: q for q in self.layout.rosters}
        blocks_by_roster = defaultdict(list)
        for block in self.layout.item_blocks:
            blocks_by_roster[block.question.roster_id].append(block)
        seen = set()
        count = 0
        for row_number, row in enumerate(rows, start=2):
            if all(cell in (None, "") for cell in row):
                continue
            errors_before = len(self.errors)
            collectivite = self.find_collectivite(ROSTER_SHEET, row_number, row, positions)
            roster_code = _text(row[positions["liste"]]) if "liste" in positions else ""
            roster = rosters.get(roster_code) if roster_code else next(iter(rosters.values()))
            if roster is None:
                self.error(
                    ROSTER_SHEET, row_number, positions.get("liste"), "liste",
                    f"« {roster_code} » n'est pas une liste répétable de cette édition.",
                )  # fmt: skip
                continue
            item_cell = row[positions["element"]] if positions["element"] < len(row) else None
            try:
                item = int(_text(item_cell))
                if item < 1:
                    raise ValueError
            except ValueError:
                self.error(
                    ROSTER_SHEET, row_number, positions["element"], "element",
                    f"« {_text(item_cell)} » : le numéro d'élément est un entier à partir de 1.",
                )  # fmt: skip
                continue
            if collectivite is None:
                continue
            if collectivite.pk not in responses:
                self.error(
                    ROSTER_SHEET, row_number, None, "",
                    f"« {collectivite} » n'a pas de ligne dans la feuille {RESPONSES_SHEET}.",
                )  # fmt: skip
                continue
            key = (collectivite.pk, roster.pk, item)
            if key in seen:
                self.error(
                    ROSTER_SHEET, row_number, positions["element"], "element",
                    f"l'élément {item} de « {collectivite} » figure déjà plus haut.",
                )  # fmt: skip
                continue
            seen.add(key)
            answers = self.clean_row(
                ROSTER_SHEET, row_number, row, positions, blocks_by_roster[roster.pk], item
            )
            if self.errors or len(self.errors) > errors_before:
                continue
            self._create_answers(responses[collectivite.pk], answers)
            count += 1
        return count


def import_responses(edition: Edition, path) -> ImportResult:
    """Import the file at `path` into `edition`; raises ImportFailed with every error found."""
    return Importer(edition).run(path)
