"""Lists as Excel workbooks: one writer for every export (QUALITY: the issue's "Excel out").

A sheet has localised bold headers, a frozen header row, an autofilter over what was written and
set column widths; dates are dates and amounts are numbers with a number format. The workbook is
written in openpyxl's write-only mode, row by row from an iterator (a queryset's
`.iterator(chunk_size=...)`), into a temporary file that the response streams: memory stays flat
whatever the number of rows.

A text that a spreadsheet would run as a formula (starting with =, +, -, @, or a tab or a
carriage return) is written with a leading apostrophe; a text longer than a cell holds is cut,
and characters a workbook cannot hold are dropped.
"""

import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse
from django.utils import timezone
from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CELL_LIMIT = 32767  # the most characters a cell holds; a longer text makes Excel "repair" the file
CHUNK = 2000  # rows a queryset reads at a time
WIDTH_LIMIT = 60
SHEET_TITLE_LIMIT = 31

# Built-in formats (ids 14 and 22) that a spreadsheet shows in its user's own date style.
DATE_FORMAT = "mm-dd-yy"
DATETIME_FORMAT = "m/d/yy h:mm"
MONEY_FORMAT = "#,##0.00"
WHOLE_FORMAT = "#,##0"

Label = str | Promise


@dataclass(frozen=True)
class Column:
    """A column: its header, how to read its value from a row, its width in characters (0: by
    the header and the kind of value) and its number format ("": by the value's type)."""

    header: Label
    value: Callable[[Any], Any]
    width: int = 0
    number_format: str = ""


def escaped(value: Any) -> Any:
    """A cell's value as data, never as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def plain(value: Any) -> Any:
    """A value a spreadsheet takes: local naive datetimes, floats for amounts, text that fits a
    cell otherwise; None stays empty."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, (int, float, date)):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    return escaped(text[: CELL_LIMIT - 1]) if text else None


def _number_format(value: Any, column: Column) -> str:
    if column.number_format:
        return column.number_format
    if isinstance(value, datetime):
        return DATETIME_FORMAT
    if isinstance(value, date):
        return DATE_FORMAT
    if isinstance(value, Decimal):
        return MONEY_FORMAT
    return ""


def _cell(sheet: WriteOnlyWorksheet, raw: Any, column: Column) -> Any:
    value = plain(raw)
    number_format = _number_format(raw, column) if isinstance(value, (int, float, date)) else ""
    if not number_format or isinstance(raw, bool):
        return value
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell


def write_sheet(book: Workbook, title: Label, columns: Sequence[Column], rows: Iterable[Any]) -> int:
    """A sheet of `rows` read through `columns`; returns the number of rows written."""
    sheet = book.create_sheet(str(title)[:SHEET_TITLE_LIMIT])
    assert isinstance(sheet, WriteOnlyWorksheet)
    for index, column in enumerate(columns, start=1):
        width = column.width or max(len(str(column.header)) + 2, 12)
        sheet.column_dimensions[get_column_letter(index)].width = min(width, WIDTH_LIMIT)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=plain(column.header))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    for row in rows:
        sheet.append([_cell(sheet, column.value(row), column) for column in columns])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(columns), 1))}{count + 1}"
    return count


def new_workbook() -> Workbook:
    return Workbook(write_only=True)


def filename(name: Label, day: date | None = None) -> str:
    """The file's name: the list's (localised) name and the day, "Key clients 2026-11-30.xlsx"."""
    words = " ".join(str(name).replace("/", " ").replace("\\", " ").split())
    return f"{words or 'export'} {(day or timezone.localdate()).isoformat()}.xlsx"


class WorkbookResponse(FileResponse):
    """A workbook as a download; `rows` is how many rows its sheets hold (0 when not counted)."""

    rows = 0


def workbook_response(book: Workbook, name: str, rows: int = 0) -> WorkbookResponse:
    """The workbook as a download named `name` (RFC 5987 `filename*` when not ASCII), streamed
    from a temporary file."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it once sent
    book.save(out)
    out.seek(0)
    response = WorkbookResponse(out, as_attachment=True, filename=name, content_type=XLSX)
    response.rows = rows
    return response


def export(name: Label, sheets: Sequence[tuple[Label, Sequence[Column], Iterable[Any]]]) -> WorkbookResponse:
    """A workbook of `sheets` (title, columns, rows) as a download named after the list and today."""
    book = new_workbook()
    rows = sum(write_sheet(book, title, columns, rows) for title, columns, rows in sheets)
    return workbook_response(book, filename(name), rows)


def by_index(header: Label, index: int, **options: Any) -> Column:
    """A column of rows that are sequences of values."""
    return Column(header, lambda row: row[index], **options)
