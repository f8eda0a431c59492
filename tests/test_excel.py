"""The one Excel writer (kam.excel): bold headers, a frozen header row, an autofilter over what
was written, widths, dates and amounts as numbers with formats, formulas escaped, texts that
fit a cell, and the download's name and type."""

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from openpyxl import load_workbook

from kam import excel
from kam.excel import CELL_LIMIT, Column, escaped


def written(columns, rows, title="Sheet"):
    book = excel.new_workbook()
    count = excel.write_sheet(book, title, columns, rows)
    out = BytesIO()
    book.save(out)
    return count, load_workbook(BytesIO(out.getvalue()))


def by_key(*names):
    return [Column(name.title(), lambda row, name=name: row[name]) for name in names]


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+7", "'+7"),
        ("-3", "'-3"),
        ("@x", "'@x"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Plain = text", "Plain = text"),
        (-3, -3),
        (None, None),
    ],
)
def test_a_text_that_would_run_as_a_formula_gets_an_apostrophe(value, cell):
    assert escaped(value) == cell


def test_a_sheet_has_bold_headers_a_frozen_row_an_autofilter_and_widths():
    count, book = written(
        [Column("Name", lambda row: row[0], width=40), Column("Amount", lambda row: row[1])],
        [("Alfa", Decimal("1234.50")), ("Beta", None), ("Gamma", 7)],
        title="A title longer than the thirty-one characters a sheet takes",
    )

    sheet = book.worksheets[0]
    assert count == 3
    assert sheet.title == "A title longer than the thirty-"
    assert list(sheet.iter_rows(values_only=True)) == [
        ("Name", "Amount"),
        ("Alfa", 1234.5),
        ("Beta", None),
        ("Gamma", 7),
    ]
    assert [cell.font.b for cell in sheet[1]] == [True, True]
    assert (sheet.freeze_panes, sheet.auto_filter.ref) == ("A2", "A1:B4")
    assert (sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width) == (40, 12)
    assert sheet["B2"].number_format == excel.MONEY_FORMAT


def test_an_empty_sheet_keeps_its_headers_and_filters_the_header_row():
    count, book = written(by_key("name", "inn"), [])

    sheet = book.worksheets[0]
    assert count == 0
    assert list(sheet.iter_rows(values_only=True)) == [("Name", "Inn")]
    assert sheet.auto_filter.ref == "A1:B1"


def test_dates_are_dates_and_aware_datetimes_are_local(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=ZoneInfo("UTC"))
    _count, book = written(
        by_key("day", "moment", "count"), [{"day": date(2026, 3, 1), "moment": moment, "count": 5}]
    )

    day, at, number = book.worksheets[0][2]
    assert (day.value, day.is_date, day.number_format) == (datetime(2026, 3, 1), True, excel.DATE_FORMAT)
    assert (at.value, at.number_format) == (datetime(2026, 3, 1, 12, 30), excel.DATETIME_FORMAT)
    assert (number.value, number.number_format) == (5, "General")


def test_formula_cells_come_back_as_text_with_an_apostrophe():
    _count, book = written(by_key("name"), [{"name": text} for text in ["=1+1", "+7", "-3", "@x", "Plain"]])

    values = [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert values == ["'=1+1", "'+7", "'-3", "'@x", "Plain"]
    assert [cell.data_type for cell in book.worksheets[0]["A"][1:]] == ["s"] * 5


def test_a_huge_text_is_cut_to_what_a_cell_holds_and_control_characters_are_dropped():
    huge = "=" + "x" * 100_000
    _count, book = written(by_key("note", "other"), [{"note": huge, "other": "bell\x07 and nul\x00 gone"}])

    note, other = book.worksheets[0][2]
    assert len(note.value) == CELL_LIMIT
    assert note.value.startswith("'=xxx")
    assert other.value == "bell and nul gone"


def test_an_empty_text_is_an_empty_cell():
    _count, book = written(by_key("a", "b"), [{"a": "", "b": "x"}])

    assert list(book.worksheets[0].iter_rows(min_row=2, values_only=True)) == [(None, "x")]


def test_a_header_follows_the_active_language():
    with translation.override("ru"):
        _count, book = written([Column(translation.gettext_lazy("Client"), lambda row: row)], ["A"])

    assert book.worksheets[0]["A1"].value == "Клиент"


def test_the_file_name_is_the_lists_and_the_day():
    assert excel.filename("Key clients", date(2026, 11, 30)) == "Key clients 2026-11-30.xlsx"
    assert excel.filename("A/B\\C", date(2026, 1, 2)) == "A B C 2026-01-02.xlsx"


def test_the_download_names_a_non_ascii_file_by_rfc_5987(db):
    response = excel.export("Мои клиенты", [("Мои клиенты", by_key("name"), [{"name": "Alfa"}])])

    assert response["Content-Type"] == excel.XLSX
    assert response["Content-Disposition"].startswith(
        "attachment; filename*=utf-8''%D0%9C%D0%BE%D0%B8%20%D0%BA%D0%BB%D0%B8%D0%B5%D0%BD%D1%82%D1%8B%20"
    )
    book = load_workbook(BytesIO(response.getvalue()))
    assert book.sheetnames == ["Мои клиенты"]


def test_an_ascii_name_is_a_plain_filename(db):
    response = excel.export("Key clients", [("Keys", by_key("name"), [])])

    assert response["Content-Disposition"].startswith('attachment; filename="Key clients ')
