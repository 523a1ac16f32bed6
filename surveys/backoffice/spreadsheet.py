"""Staff spreadsheets (openpyxl), with untrusted text neutralised so it never runs as a formula."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from io import BytesIO
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from exports.services.writers import neutralise


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, datetime):
        # Spreadsheets have no time zones: Paris time, as shown on screen.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    return value


def _date_cell(sheet, value: datetime) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value=_cell_value(value))
    cell.number_format = "dd/mm/yyyy hh:mm"
    return cell


def xlsx_bytes(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(headers))
    for row in rows:
        sheet.append(
            [_date_cell(sheet, v) if isinstance(v, datetime) else _cell_value(v) for v in row]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
