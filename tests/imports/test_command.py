"""`manage.py import_sales`: the web's validation and report from the command line, all or
nothing, exit codes 0 / 1 / 2, logged as an ImportRun by the named user or the first admin."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Sale
from kam.imports.models import ImportRun
from tests.factories import AdminFactory, DirectorFactory
from tests.imports.conftest import ALFA_INN, BAD_INN, STEEL_INN, csv_bytes, database

HEADER = "ИНН;Товарная группа;Дата;Документ;Сумма"


def run_command(*args: str) -> tuple[str, int, str]:
    """What the command printed, its exit code, and the message it exited with."""
    out = io.StringIO()
    try:
        call_command("import_sales", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error.returncode, str(error)
    return out.getvalue(), 0, ""


@pytest.fixture
def sales_file(tmp_path: Path) -> Path:
    path = tmp_path / "erp.csv"
    path.write_bytes(
        csv_bytes(
            HEADER,
            f"{STEEL_INN};Cables;15.03.2026;1;1 234,50",
            f"{ALFA_INN};Pipes;16.03.2026;2;50",
            encoding="cp1251",
        )
    )
    return path


def test_a_file_is_imported_and_the_second_time_nothing_is_new(admin_user, base, sales_file):
    out, code, _error = run_command(str(sales_file))
    run = ImportRun.objects.get()
    assert code == 0
    assert out == f"Imported erp.csv (import {run.pk}): 2 rows; created 2, updated 0, unchanged 0.\n"
    assert (run.kind, run.status, run.created_by, run.file_name, run.encoding, run.delimiter) == (
        "sales",
        "committed",
        admin_user,
        "erp.csv",
        "cp1251",
        ";",
    )
    assert sorted(Sale.objects.values_list("client__name", "date", "document", "amount")) == [
        ("Alfa Trade", datetime.date(2026, 3, 16), "2", Decimal("50.00")),
        ("Siberian Steel", datetime.date(2026, 3, 15), "1", Decimal("1234.50")),
    ]

    out, code, _error = run_command(str(sales_file))
    second = ImportRun.objects.order_by("-pk")[0]
    assert code == 0
    assert out == f"Imported erp.csv (import {second.pk}): 2 rows; created 0, updated 0, unchanged 2.\n"
    assert Sale.objects.count() == 2


def test_problems_are_printed_row_by_row_and_nothing_is_written(admin_user, base, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes(
            HEADER,
            f"{STEEL_INN};Cables;15.03.2026;1;100",
            f"{BAD_INN};Cables;15.03.2026;2;100",
            f"{STEEL_INN};Wires;15.03.2026;3;-5",
            f"{STEEL_INN};Cables;15.03.2026;1;100",
        )
    )
    before = database()

    out, code, error = run_command(str(path))

    assert code == 1
    assert error == "bad.csv has 4 problems: nothing was imported."
    assert out == (
        "Row 3, ИНН: This INN fails its checksum: check the digits for a typo.\n"
        "Row 4, Товарная группа: No product group “Wires”.\n"
        "Row 4, Сумма: The amount is negative: -5.\n"
        "Row 5: The same row as row 2.\n"
    )
    assert database() == before
    assert ImportRun.objects.get().status == "invalid"


def test_monthly_totals_and_the_named_user(admin_user, base, tmp_path):
    director = DirectorFactory(username="dina")
    path = tmp_path / "monthly.csv"
    path.write_bytes(csv_bytes(HEADER, f"{STEEL_INN};Cables;31.03.2026;;500"))

    _out, code, _error = run_command(str(path), "--monthly", "--user", "dina", "--source", "1C")

    run = ImportRun.objects.get()
    assert code == 0
    assert (run.monthly, run.source, run.created_by) == (True, "1C", director)
    assert list(Sale.objects.values_list("date", "amount")) == [
        (datetime.date(2026, 3, 1), Decimal("500.00"))
    ]


def test_an_empty_file_and_missing_columns_are_problems(admin_user, base, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    out, code, error = run_command(str(empty))
    assert code == 1
    assert out == "The file: The file is empty.\n"
    assert error == "empty.csv has 1 problem: nothing was imported."

    other = tmp_path / "other.csv"
    other.write_bytes(csv_bytes("ИНН;Сумма", f"{STEEL_INN};100"))
    out, code, error = run_command(str(other))
    assert code == 1
    assert out == (
        "Product group: No column is mapped to this field: map a column below.\n"
        "Date: No column is mapped to this field: map a column below.\n"
    )
    assert Sale.objects.count() == 0


def test_a_missing_file_or_a_bad_user_exits_with_2_and_logs_nothing(admin_user, base, manager, sales_file):
    cases = [
        (
            [str(sales_file.parent / "gone.csv")],
            f"Cannot read {sales_file.parent / 'gone.csv'}: No such file or directory",
        ),
        ([str(sales_file), "--user", "nobody"], "No active user with the login nobody."),
        (
            [str(sales_file), "--user", "manager"],
            "manager may not import sales: name a director or an admin.",
        ),
    ]
    for args, message in cases:
        out, code, error = run_command(*args)
        assert (code, error, out) == (2, message, "")
    assert ImportRun.objects.count() == 0
    assert Sale.objects.count() == 0


def test_without_an_admin_the_command_refuses(base, sales_file):
    _out, code, error = run_command(str(sales_file))
    assert code == 2
    assert error == "There is no active admin to log the import by: name a user with --user."
    AdminFactory(username="sleeping", is_active=False)
    assert run_command(str(sales_file))[1] == 2
    assert ImportRun.objects.count() == 0


def test_the_default_user_is_the_first_active_admin(base, sales_file):
    AdminFactory(username="gone", is_active=False)
    first = AdminFactory(username="first")
    AdminFactory(username="second")
    run_command(str(sales_file))
    assert ImportRun.objects.get().created_by == first


def test_a_bad_option_is_refused():
    with pytest.raises(CommandError):
        call_command("import_sales")
