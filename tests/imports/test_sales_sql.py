"""The sales commit's check in SQL (PostgreSQL) against the Python validator, value by value: SQL
stages exactly the rows Python accepts, with the same values, except where its patterns are the
narrower (digits of other scripts), whose rows Python then checks and stages itself."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from accounts.models import Client, Sale
from accounts.validators import WEIGHTS_12_FIRST, WEIGHTS_12_SECOND, inn_check_digit, is_valid_inn
from kam.imports import parsing, sales_sql, services
from kam.imports.services import import_commit, import_upload, mapping_of
from kam.imports.validation import SalesValidator
from tests.factories import ClientFactory, ProductGroupFactory, make_inn
from tests.imports.conftest import ALFA_INN, BAD_INN, STEEL_INN, csv_bytes

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the check in SQL is PostgreSQL's")

HEADER = "ИНН;КПП;Клиент;Товарная группа;Дата;Документ;Сумма"
GOOD = {
    "inn": ALFA_INN,
    "kpp": "",
    "client": "Steel",
    "group": "Cables",
    "date": "15.03.2026",
    "amount": "100",
}


def make_inn12(seed: int) -> str:
    body = f"{500100000000 + seed * 7919:012d}"[:10]
    first = str(inn_check_digit(body, WEIGHTS_12_FIRST))
    return body + first + str(inn_check_digit(body + first, WEIGHTS_12_SECOND))


INN12 = make_inn12(3)

# The values tried in each column; every other cell of the row is good.
VALUES: dict[str, list[str]] = {
    "inn": [
        ALFA_INN,
        f"  {ALFA_INN}\u00a0",
        STEEL_INN,  # three clients: a KPP tells them apart
        INN12,
        BAD_INN,
        INN12[:-1] + str((int(INN12[-1]) + 1) % 10),
        INN12[:10] + str((int(INN12[10]) + 1) % 10) + INN12[11],
        STEEL_INN[:9],
        STEEL_INN + "0",
        STEEL_INN[:5] + " " + STEEL_INN[5:],
        "77O7083893",
        "７７０７０８３８９３",
        "٧٧٠٧٠٨٣٨٩٣",
        "7707083893",  # a valid INN no client has
        "=A1",
        "",
    ],
    "kpp": ["", "770701001", "77AB01001", "770701001 ", "77ab01001", "7707010011", "=B1"],
    "group": [
        "Cables",
        "cables",
        "  CABLES ",
        "Cab\u00a0les",
        "Ca  bles",
        "Cables:",
        "*Cables*",
        "Bolts",
        "=C1",
        "",
    ],
    "date": [
        "15.03.2026",
        "1.3.2026",
        "01.03.2026 12:30",
        "2026-03-15",
        "2026-03-15T12:30:00.5",
        "2026-03-15 12:30",
        " 2026-03-15 ",
        "29.02.2024",
        "29.02.2026",
        "31.04.2026",
        "00.01.2026",
        "15.13.2026",
        "2026-3-15",
        "15.03.26",
        "31.12.1899",
        "01.01.1900",
        "31.12.2099",
        "01.01.2100",
        "15/03/2026",
        "2026-03-15Z",
        "١٥.٠٣.٢٠٢٦",
        "=TODAY()",
        "",
    ],
    "document": ["", "РН-1", " padded ", "x" * 64, "x" * 65, "=D1"],
    "amount": [
        "100",
        "0",
        "-0",
        "1 234,56",
        "1\u00a0234,56",
        "1\u202f234,56",
        "1'234.56",
        "1.234,56",
        "1,234.56",
        "1,5",
        "1.5",
        ".5",
        "+7",
        "7.",
        "1.230",
        "1.235",
        "1,234.567",
        "-100",
        "- 5",
        "1e3",
        "сто",
        "1,2,3",
        "1.2.3",
        "99999999999999.99",
        "100000000000000",
        "1" * 29 + ",5",
        "9" * 40,
        "12.3.4,5",
        "١٢٣",
        "=SUM(A1:A2)",
        "",
    ],
}
# Values only Python accepts: SQL's patterns take ASCII digits alone.
PYTHON_ONLY = {("date", "١٥.٠٣.٢٠٢٦"), ("amount", "١٢٣")}


@pytest.fixture
def clients(base):
    ClientFactory(name="Sole trader", inn=INN12)
    ClientFactory(name="Steel branch", inn=STEEL_INN, kpp="77AB01001")
    ClientFactory(name="Steel head office", inn=STEEL_INN, kpp="770701001")
    ProductGroupFactory(name="Wires", is_active=False)
    return base


def line(number: int, **cells: str) -> str:
    row = {**GOOD, "document": f"D{number}", **cells}
    if "kpp" in cells:
        row["inn"] = STEEL_INN
    return ";".join(row[name] for name in ("inn", "kpp", "client", "group", "date", "document", "amount"))


def upload_lines(user: Any, lines: list[str], *, monthly: bool = False) -> Any:
    content = csv_bytes(HEADER, *lines)
    return import_upload(
        kind="sales", upload=SimpleUploadedFile("s.csv", content), file_name="s.csv", source="",
        monthly=monthly, by=user, check=False,
    )  # fmt: skip


def validator_for(run: Any, user: Any) -> SalesValidator:
    return SalesValidator(
        user=user,
        header=run.header,
        mapping=mapping_of(run),
        monthly=run.monthly,
        today=datetime.date(2026, 11, 30),
    )


def python_accepts(run: Any, user: Any) -> dict[int, tuple[Any, ...]]:
    validator = validator_for(run, user)
    validator.track_duplicates = False  # the commit finds them on the stage, after either check
    rows = list(parsing.read_rows(run.stored_name, parsing.Detected("csv", run.encoding, run.delimiter)))[1:]
    return {
        result.number: (
            result.values["client"],
            result.values["product_group"],
            result.values["date"],
            result.values["document"],
            result.values["amount"],
        )
        for result in validator.check(rows)
        if not result.problems
    }


def sql_accepts(run: Any, user: Any) -> dict[int, tuple[Any, ...]]:
    validator = validator_for(run, user)
    mapping, width = mapping_of(run), len(run.header)
    with transaction.atomic():
        sales_sql.load(run, width, mapping, lambda read: None)
        sales_sql.match_groups(validator, f"c{run.header.index('Товарная группа')}")
        sales_sql.accept(run, width, mapping)
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT "row", client_id, product_group_id, date, document, amount FROM {sales_sql.ROWS}'
            )
            staged = {row: values for row, *values in cursor.fetchall()}
        transaction.set_rollback(True)
    return {row: tuple(values) for row, values in staged.items()}


@pytest.mark.parametrize("monthly", [False, True])
@pytest.mark.parametrize("column", sorted(VALUES))
def test_sql_stages_exactly_the_rows_python_accepts_with_the_same_values(
    admin_user, clients, column, monthly
):
    lines = [line(number, **{column: value}) for number, value in enumerate(VALUES[column], start=2)]
    run = upload_lines(admin_user, lines, monthly=monthly)

    python = python_accepts(run, admin_user)
    sql = sql_accepts(run, admin_user)

    narrower = {
        number for number, value in enumerate(VALUES[column], start=2) if (column, value) in PYTHON_ONLY
    }
    assert narrower <= set(python)
    assert sql == {number: values for number, values in python.items() if number not in narrower}
    assert len(python) > 1
    assert len(python) < len(lines)


def test_the_inn_function_is_the_validators_rule(db):
    inns = [make_inn(seed) for seed in range(200)] + [make_inn12(seed) for seed in range(200)]
    tried = set(inns)
    for inn in inns[::20]:
        for position in range(len(inn)):
            for digit in "0123456789":
                tried.add(inn[:position] + digit + inn[position + 1 :])
    tried |= {
        "",
        "0",
        "0" * 10,
        "0" * 12,
        "12345678901",
        "77070838 3",
        "7707083893\n",
        "７７０７０８３８９３",
    }
    values = sorted(tried)
    with connection.cursor() as cursor:
        cursor.execute("SELECT value, kam_inn_is_valid(value) FROM unnest(%s::text[]) value", [values])
        found = dict(cursor.fetchall())

    assert found == {value: is_valid_inn(value) for value in values}
    assert sum(found.values()) > 400


def committed(user: Any, lines: list[str], *, monthly: bool = False) -> tuple[list[Any], list[Any], Any]:
    run = upload_lines(user, lines, monthly=monthly)
    outcome = import_commit(run=run, by=user)
    run.refresh_from_db()
    sales = sorted(Sale.objects.values_list("client_id", "product_group_id", "date", "document", "amount"))
    return [(p["row"], p["column"], p["msgid"], p.get("params")) for p in run.errors], sales, outcome


@pytest.mark.parametrize("monthly", [False, True])
def test_the_commit_says_and_writes_the_same_whether_sql_or_python_checks_the_rows(
    admin_user, clients, monkeypatch, monthly
):
    """Every value of the corpus in one file: the same problems; then the good rows alone (with
    the values only Python reads): the same sales. Python alone = SQL accepting no row."""
    every = [
        line(number, **{column: value}, document=f"D{number}")
        for number, (column, value) in enumerate(
            (
                (column, value)
                for column, values in VALUES.items()
                for value in values
                if column != "document"
            ),
            start=2,
        )
    ]
    every.append(line(999, document="x" * 65))
    every.append(every[0])
    accepted = python_accepts(upload_lines(admin_user, every, monthly=monthly), admin_user)
    first: dict[tuple[Any, ...], int] = {}
    for number, values in sorted(accepted.items()):
        first.setdefault(values[:4], number)
    good = [every[number - 2] for number in sorted(first.values())]
    results = []
    for sql in (True, False):
        if not sql:
            monkeypatch.setattr(sales_sql, "accept", lambda run, width, mapping: 0)
        problems, sales, _outcome = committed(admin_user, every, monthly=monthly)
        assert sales == []
        _none, written, outcome = committed(admin_user, good, monthly=monthly)
        results.append((problems, written, outcome.counts))
        Sale.objects.all().delete()

    assert results[0] == results[1]
    problems, written, counts = results[0]
    assert len(problems) > 40
    assert (len(every) + 1, "", "The same row as row %(row)s.", {"row": 2}) in problems
    assert counts.created == len(written) == len(good) > (5 if monthly else 20)


def test_a_file_with_quotes_or_ragged_rows_is_read_by_python_and_checked_the_same(admin_user, clients):
    lines = [
        f'"{STEEL_INN}";"770701001";"Steel; the mill";Cables;15.03.2026;"Д ""1""";"1 000,50"',
        f"{ALFA_INN};;Alfa;Cables;15.03.2026;2;200;extra",
        f"{ALFA_INN};;Alfa;Cables;16.03.2026",
    ]
    problems, sales, _outcome = committed(admin_user, lines)

    assert problems == [(4, "Сумма", "This cell is empty.", {})]
    assert sales == []
    problems, sales, _outcome = committed(admin_user, lines[:2])
    assert problems == []
    alfa, cables = clients.alfa, clients.cables
    head_office = Client.objects.get(name="Steel head office")
    assert sales == sorted(
        [
            (head_office.pk, cables.pk, datetime.date(2026, 3, 15), 'Д "1"', Decimal("1000.50")),
            (alfa.pk, cables.pk, datetime.date(2026, 3, 15), "2", Decimal("200.00")),
        ]
    )


def test_a_cp1251_file_and_a_blank_row_keep_their_row_numbers(admin_user, clients):
    content = csv_bytes(
        HEADER,
        f"{ALFA_INN};;Альфа;Cables;15.03.2026;1;100",
        ";;;;;;",
        f"{ALFA_INN};;Альфа;Болты;15.03.2026;2;100",
        encoding="cp1251",
    )
    run = import_upload(
        kind="sales", upload=SimpleUploadedFile("s.csv", content), file_name="s.csv", source="",
        monthly=False, by=admin_user, check=False,
    )  # fmt: skip
    import_commit(run=run, by=admin_user)
    run.refresh_from_db()

    assert run.encoding == "cp1251"
    assert [(p["row"], p["column"], p["params"]) for p in run.errors] == [
        (3, "Товарная группа", {"value": "Болты"})
    ]


def test_sql_checks_a_plain_file_without_python_reading_its_good_rows(admin_user, clients, monkeypatch):
    checked: list[int] = []
    check = SalesValidator.check

    def counting(self: SalesValidator, rows: list[parsing.RawRow]) -> Any:
        checked.extend(row.number for row in rows)
        return check(self, rows)

    monkeypatch.setattr(SalesValidator, "check", counting)
    lines = [line(number) for number in range(2, 52)] + [line(52, amount="-1")]

    problems, _sales, outcome = committed(admin_user, lines)

    assert checked == [52]
    assert problems == [(52, "Сумма", "The amount is negative: %(value)s.", {"value": "-1"})]
    assert outcome.rows == 51


def test_the_commit_in_sql_runs_the_same_statements_for_10_and_1000_rows(admin_user, clients):
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (10, 1000):
        run = upload_lines(admin_user, [line(number, document=f"{size}-{number}") for number in range(size)])
        with CaptureQueriesContext(connection) as captured:
            outcome = services.import_commit(run=run, by=admin_user)
        assert (outcome.counts.created, outcome.problem_count) == (size, 0)
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]
