"""Sales imports: the corpus of malformed files (each reported row by row, nothing written),
encodings and delimiters, idempotency, monthly totals, undo, and a constant query count."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from accounts.models import Sale
from kam.imports import parsing
from kam.imports.models import HeaderMapping, ImportRun
from kam.imports.services import NOT_WAITING, import_commit, import_upload
from tests.factories import SaleFactory
from tests.imports.conftest import (
    ALFA_INN,
    BAD_INN,
    OTHER_INN,
    STEEL_INN,
    commit,
    csv_bytes,
    database,
    last_run,
    problems,
    upload,
)

HEADER = "ИНН;Товарная группа;Дата;Документ;Сумма"


def xlsx_bytes(*rows: list[object]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def sales() -> list[tuple[str, str, datetime.date, str, Decimal]]:
    return sorted(
        Sale.objects.values_list("client__name", "product_group__name", "date", "document", "amount")
    )


# The corpus: each file, its problems exactly, and nothing written

CORPUS = {
    "wrong delimiter": (
        csv_bytes("ИНН|Товарная группа|Дата|Документ|Сумма", f"{STEEL_INN}|Cables|15.03.2026|1|100"),
        [
            (None, "INN", "No column is mapped to this field: map a column below."),
            (None, "Product group", "No column is mapped to this field: map a column below."),
            (None, "Date", "No column is mapped to this field: map a column below."),
            (None, "Amount", "No column is mapped to this field: map a column below."),
        ],
    ),
    "bad INN": (
        csv_bytes(
            HEADER,
            f"{STEEL_INN};Cables;15.03.2026;1;100",
            f"{BAD_INN};Cables;15.03.2026;2;100",
            "12345;Cables;15.03.2026;3;1",
        ),
        [
            (3, "ИНН", "This INN fails its checksum: check the digits for a typo."),
            (4, "ИНН", "An INN has 10 digits (a company) or 12 digits (a sole trader)."),
        ],
    ),
    "negative and non-numeric amounts": (
        csv_bytes(
            HEADER,
            f"{STEEL_INN};Cables;15.03.2026;1;-100",
            f"{STEEL_INN};Cables;15.03.2026;2;сто",
            f"{STEEL_INN};Cables;15.03.2026;3;1,234.567",
            f"{STEEL_INN};Cables;15.03.2026;4;",
            f"{STEEL_INN};Cables;15.03.2026;5;{'1' * 29},5",
        ),
        [
            (2, "Сумма", "The amount is negative: -100."),
            (3, "Сумма", "Not a number: “сто”. Write an amount like 1 234,56."),
            (4, "Сумма", "The amount has more than two decimal places: 1,234.567."),
            (5, "Сумма", "This cell is empty."),
            (6, "Сумма", f"The amount is too large: {'1' * 29},5."),
        ],
    ),
    "unknown product group and client": (
        csv_bytes(
            HEADER,
            f"{STEEL_INN};Bolts;15.03.2026;1;100",
            f"{OTHER_INN[:-1]}{ALFA_INN[-1]};Cables;15.03.2026;2;1",
        ),
        [(2, "Товарная группа", "No product group “Bolts”.")],
    ),
    "bad dates": (
        csv_bytes(
            HEADER,
            f"{STEEL_INN};Cables;31.02.2026;1;100",
            f"{STEEL_INN};Cables;15.03.1899;2;100",
            f"{STEEL_INN};Cables;March 2026;3;100",
        ),
        [
            (2, "Дата", "Not a date: “31.02.2026”. Write it as 31.12.2026 or 2026-12-31."),
            (3, "Дата", "Enter a date between 1900-01-01 and 2099-12-31."),
            (4, "Дата", "Not a date: “March 2026”. Write it as 31.12.2026 or 2026-12-31."),
        ],
    ),
    "duplicate rows": (
        csv_bytes(
            HEADER,
            f"{STEEL_INN};Cables;15.03.2026;1;100",
            f"{ALFA_INN};Cables;15.03.2026;1;100",
            f"{STEEL_INN};cables;2026-03-15;1;200",
        ),
        [(4, "", "The same row as row 2.")],
    ),
    "header only": (csv_bytes(HEADER), [(None, "", "The file has a header row but no data rows.")]),
    "empty": (b"\r\n  \r\n", [(None, "", "The file is empty.")]),
    "a 1 MB line": (
        csv_bytes(
            HEADER,
            f"{STEEL_INN};Cables;15.03.2026;1;100",
            "x" * 1_000_000,
            f"{ALFA_INN};Cables;15.03.2026;1;100",
        ),
        [(3, "", "This row is longer than 65,536 characters.")],
    ),
    "formula cells": (
        csv_bytes(HEADER, f"{STEEL_INN};Cables;15.03.2026;1;=SUM(A1:A2)"),
        [(2, "Сумма", "This cell holds a formula (=SUM(A1:A2)): save the values, not the formulas.")],
    ),
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_a_malformed_file_is_reported_row_by_row_and_nothing_is_written(as_admin, base, case):
    content, expected = CORPUS[case]
    SaleFactory(client=base.steel, product_group=base.cables, date=datetime.date(2026, 1, 5), amount=10)
    before = database()

    response = upload(as_admin, "sales", content)
    run = last_run()
    assert response.status_code == 302
    assert problems(run) == expected
    assert run.status == ImportRun.Status.INVALID
    commit(as_admin, run)

    assert problems(run) == expected
    assert database() == before
    assert last_run().status != ImportRun.Status.COMMITTED


def test_an_unknown_client_is_named(as_admin, base):
    unknown = "7707083893"
    upload(as_admin, "sales", csv_bytes(HEADER, f"{unknown};Cables;15.03.2026;1;100"))

    assert problems(last_run()) == [(2, "ИНН", "No client with this INN.")]


def test_a_broken_xlsx_is_refused(as_admin, base):
    before = database()

    upload(as_admin, "sales", b"PK\x03\x04 not really a workbook", name="sales.xlsx")

    assert problems(last_run()) == [
        (None, "", "This file is not a readable Excel workbook (.xlsx): save it again from Excel or as CSV.")
    ]
    assert database() == before


def test_formula_cells_of_an_xlsx_are_refused(as_admin, base):
    content = xlsx_bytes(
        ["INN", "Product group", "Date", "Amount"], [STEEL_INN, "Cables", "15.03.2026", "=2*50"]
    )

    upload(as_admin, "sales", content, name="sales.xlsx")

    assert problems(last_run()) == [
        (2, "Amount", "This cell holds a formula (=2*50): save the values, not the formulas.")
    ]


# Good files


@pytest.mark.parametrize(
    ("encoding", "delimiter", "shown"),
    [("cp1251", ";", "cp1251"), ("utf-8-sig", ",", "utf-8-sig"), ("utf-8", "\t", "utf-8")],
)
def test_encodings_and_delimiters_are_detected_and_shown(as_admin, base, encoding, delimiter, shown):
    amount = '"1 234,56"' if delimiter == "," else "1 234,56"
    content = csv_bytes(
        HEADER,
        f"{STEEL_INN};Кабели и провода;15.03.2026;РН-1;{amount}",
        encoding=encoding,
        delimiter=delimiter,
    )
    base.cables.name = "Кабели и провода"
    base.cables.save()

    upload(as_admin, "sales", content)
    run = last_run()
    page = as_admin.get(run.get_absolute_url()).content.decode()
    commit(as_admin, run)

    assert (run.encoding, run.delimiter) == (shown, delimiter)
    assert (
        "<code>;</code>" if delimiter == ";" else "tab" if delimiter == "\t" else "<code>,</code>"
    ) in page
    assert f"encoding {shown}" in page
    assert sales() == [
        ("Siberian Steel", "Кабели и провода", datetime.date(2026, 3, 15), "РН-1", Decimal("1234.56"))
    ]


def test_an_xlsx_with_dates_and_numbers_is_read(as_admin, base):
    content = xlsx_bytes(
        ["INN", "Product group", "Date", "Document", "Amount"],
        [STEEL_INN, "Cables", datetime.datetime(2026, 3, 15), "A-1", 1234.5],
        [ALFA_INN, "Pipes", "2026-03-16", 7, 100],
    )

    upload(as_admin, "sales", content, name="sales.xlsx")
    commit(as_admin, last_run())

    assert sales() == [
        ("Alfa Trade", "Pipes", datetime.date(2026, 3, 16), "7", Decimal("100.00")),
        ("Siberian Steel", "Cables", datetime.date(2026, 3, 15), "A-1", Decimal("1234.50")),
    ]


def test_the_same_file_twice_creates_nothing_new_and_a_changed_amount_updates(as_admin, base):
    first = csv_bytes(HEADER, f"{STEEL_INN};Cables;15.03.2026;1;100", f"{ALFA_INN};Pipes;16.03.2026;2;50")
    changed = csv_bytes(HEADER, f"{STEEL_INN};Cables;15.03.2026;1;120", f"{ALFA_INN};Pipes;16.03.2026;2;50")

    for content in (first, first, changed):
        upload(as_admin, "sales", content)
        commit(as_admin, last_run())

    runs = ImportRun.objects.order_by("pk")
    assert [(run.status, run.created, run.updated, run.unchanged) for run in runs] == [
        ("committed", 2, 0, 0),
        ("committed", 0, 0, 2),
        ("committed", 0, 1, 1),
    ]
    assert sales() == [
        ("Alfa Trade", "Pipes", datetime.date(2026, 3, 16), "2", Decimal("50.00")),
        ("Siberian Steel", "Cables", datetime.date(2026, 3, 15), "1", Decimal("120.00")),
    ]


def test_monthly_totals_replace_the_month(as_admin, base):
    SaleFactory(client=base.steel, product_group=base.cables, date=datetime.date(2026, 3, 3), amount=10)
    SaleFactory(client=base.steel, product_group=base.cables, date=datetime.date(2026, 3, 20), amount=20)
    SaleFactory(client=base.steel, product_group=base.cables, date=datetime.date(2026, 4, 2), amount=30)
    SaleFactory(client=base.steel, product_group=base.pipes, date=datetime.date(2026, 3, 2), amount=40)
    content = csv_bytes(HEADER, f"{STEEL_INN};Cables;31.03.2026;;500", f"{ALFA_INN};Cables;2026-03-01;;70")

    upload(as_admin, "sales", content, monthly="on")
    commit(as_admin, last_run())
    upload(as_admin, "sales", content, monthly="on")
    commit(as_admin, last_run())

    assert sales() == [
        ("Alfa Trade", "Cables", datetime.date(2026, 3, 1), "", Decimal("70.00")),
        ("Siberian Steel", "Cables", datetime.date(2026, 3, 1), "", Decimal("500.00")),
        ("Siberian Steel", "Cables", datetime.date(2026, 4, 2), "", Decimal("30.00")),
        ("Siberian Steel", "Pipes", datetime.date(2026, 3, 2), "", Decimal("40.00")),
    ]
    runs = ImportRun.objects.order_by("pk")
    assert [(run.created, run.updated, run.unchanged) for run in runs] == [(1, 1, 0), (0, 0, 2)]


def test_the_last_sales_import_is_undone(as_admin, base):
    SaleFactory(client=base.steel, product_group=base.cables, date=datetime.date(2026, 3, 3), amount=10)
    upload(as_admin, "sales", csv_bytes(HEADER, f"{STEEL_INN};Cables;15.03.2026;1;100"))
    commit(as_admin, last_run())
    before = sales()
    upload(
        as_admin,
        "sales",
        csv_bytes(HEADER, f"{STEEL_INN};Cables;15.03.2026;1;150", f"{ALFA_INN};Cables;01.03.2026;;5"),
    )
    commit(as_admin, last_run())
    earlier, last = ImportRun.objects.order_by("pk")

    refused = as_admin.post(reverse("imports:undo", args=[earlier.pk]))
    response = as_admin.post(reverse("imports:undo", args=[last.pk]))
    again = as_admin.post(reverse("imports:undo", args=[last.pk]))

    assert refused.status_code == response.status_code == again.status_code == 302
    assert sales() == before
    last.refresh_from_db()
    assert last.status == ImportRun.Status.UNDONE


def test_monthly_undo_puts_the_replaced_month_back(as_admin, base):
    SaleFactory(client=base.steel, product_group=base.cables, date=datetime.date(2026, 3, 3), amount=10)
    SaleFactory(client=base.steel, product_group=base.cables, date=datetime.date(2026, 3, 20), amount=20)
    before = sales()
    upload(as_admin, "sales", csv_bytes(HEADER, f"{STEEL_INN};Cables;01.03.2026;;500"), monthly="on")
    commit(as_admin, last_run())

    as_admin.post(reverse("imports:undo", args=[last_run().pk]))

    assert sales() == before


def test_unknown_headers_are_mapped_once_and_remembered_for_the_source(as_admin, base):
    content = csv_bytes("Код;Группа номенклатуры;День;Итого", f"{STEEL_INN};Cables;15.03.2026;100")

    upload(as_admin, "sales", content, source="ERP")
    run = last_run()
    page = as_admin.get(run.get_absolute_url())
    response = as_admin.post(
        reverse("imports:mapping", args=[run.pk]),
        {"column_0": "inn", "column_1": "product_group", "column_2": "date", "column_3": "amount"},
    )
    upload(as_admin, "sales", content, source="erp ")
    again = last_run()

    assert page.status_code == 200
    assert 'id="mapping-form"' in page.content.decode()
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == ImportRun.Status.CHECKED
    assert HeaderMapping.objects.get().source == "erp"
    assert (again.status, again.mapping) == (
        "checked",
        {"0": "inn", "1": "product_group", "2": "date", "3": "amount"},
    )


def test_a_mapping_must_name_each_required_field_once(as_admin, base):
    upload(as_admin, "sales", csv_bytes("A;B;C;D", f"{STEEL_INN};Cables;15.03.2026;100"))
    run = last_run()

    twice = as_admin.post(
        reverse("imports:mapping", args=[run.pk]),
        {"column_0": "inn", "column_1": "inn", "column_2": "date", "column_3": "amount"},
    )
    short = as_admin.post(reverse("imports:mapping", args=[run.pk]), {"column_0": "inn"})

    assert twice.status_code == short.status_code == 400
    assert "Each field can be chosen for one column only: INN." in twice.content.decode()
    assert "Choose a column for each required field: Product group, Date, Amount." in short.content.decode()
    assert not HeaderMapping.objects.exists()


def test_a_stale_or_finished_upload_is_refused_with_a_message(as_admin, base):
    upload(as_admin, "sales", csv_bytes(HEADER, f"{STEEL_INN};Cables;15.03.2026;1;100"))
    run = last_run()
    commit(as_admin, run)

    response = commit(as_admin, run)

    assert response.status_code == 302
    assert Sale.objects.count() == 1
    follow = as_admin.get(response.url)
    assert str(NOT_WAITING) in follow.content.decode()


def test_a_file_removed_from_the_disk_is_reported(admin_user, base):
    from django.core.files.uploadedfile import SimpleUploadedFile

    run = import_upload(
        kind="sales",
        upload=SimpleUploadedFile("s.csv", csv_bytes(HEADER, f"{STEEL_INN};Cables;15.03.2026;1;100")),
        file_name="s.csv",
        source="",
        monthly=False,
        by=admin_user,
    )
    parsing.discard(run.stored_name)

    outcome = import_commit(run=run, by=admin_user)

    assert [str(problem.message) for problem in outcome.problems] == [
        "The uploaded file is gone: upload it again."
    ]
    assert not Sale.objects.exists()


def test_an_upload_over_the_limit_or_of_another_type_is_refused(as_admin, base, settings):
    settings.KAM_IMPORT_MAX_BYTES = 1024 * 1024

    big = upload(as_admin, "sales", b"x" * (1024 * 1024 + 1))
    other = upload(as_admin, "sales", b"%PDF", name="sales.pdf")

    assert big.status_code == other.status_code == 400
    assert "The file is larger than 1 MB: split it into smaller files." in big.content.decode()
    assert "Upload a CSV (.csv, .txt) or an Excel (.xlsx) file." in other.content.decode()
    assert not ImportRun.objects.exists()


def rows_for(count: int) -> bytes:
    lines = [HEADER]
    for number in range(count):
        day = datetime.date(2026, 1, 1) + datetime.timedelta(days=number % 300)
        lines.append(
            f"{STEEL_INN if number % 2 else ALFA_INN};Cables;{day:%d.%m.%Y};D{count}-{number};{number + 1},50"
        )
    return csv_bytes(*lines)


def test_the_query_count_of_a_sales_import_is_the_same_for_10_and_1000_rows(
    admin_user, base, django_assert_num_queries
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    counts = []
    for size in (10, 1000):
        run = import_upload(
            kind="sales",
            upload=SimpleUploadedFile("s.csv", rows_for(size)),
            file_name="s.csv",
            source="",
            monthly=False,
            by=admin_user,
        )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            outcome = import_commit(run=run, by=admin_user)
        assert (outcome.counts.created, outcome.problem_count) == (size, 0)
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]
    assert Sale.objects.count() == 1010


def test_a_new_upload_replaces_the_users_waiting_one(as_admin, base):
    content = csv_bytes(HEADER, f"{STEEL_INN};Cables;15.03.2026;1;100")
    upload(as_admin, "sales", content)
    first = last_run()
    stored = parsing.path_of(first.stored_name)
    upload(as_admin, "sales", content)

    response = commit(as_admin, first)

    assert not stored.exists()
    assert "This upload is no longer waiting to be imported" in as_admin.get(response.url).content.decode()
    assert not Sale.objects.exists()
    commit(as_admin, last_run())
    assert Sale.objects.count() == 1
