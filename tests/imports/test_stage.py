"""Staging sales rows: COPY on PostgreSQL, a prepared INSERT elsewhere; both put the same rows;
the commit finds the file's repeated rows on the stage."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Sale
from kam.imports import parsing, services
from kam.imports.models import ImportRun, SaleStage
from kam.imports.writers import stage_rows
from tests.imports.conftest import ALFA_INN, STEEL_INN, csv_bytes, problems

HEADER = "ИНН;Товарная группа;Дата;Документ;Сумма"


def make_run(admin_user, *, monthly: bool) -> ImportRun:
    return ImportRun.objects.create(
        kind="sales",
        monthly=monthly,
        created_by=admin_user,
        file_name="s.csv",
        sha256="0" * 64,
        status="checked",
    )


def staged(run: ImportRun) -> list[tuple]:
    return list(
        SaleStage.objects.filter(run=run)
        .order_by("row")
        .values_list("row", "client_id", "product_group_id", "date", "until", "document", "amount", "outcome")
    )


def test_rows_are_staged_with_their_nulls_blanks_and_awkward_documents(admin_user, base):
    run = make_run(admin_user, monthly=False)
    rows = [
        {
            "number": 2,
            "client": base.steel.pk,
            "product_group": base.cables.pk,
            "date": datetime.date(2026, 3, 15),
            "document": "",
            "amount": Decimal("100.00"),
        },
        {
            "number": 3,
            "client": base.alfa.pk,
            "product_group": base.pipes.pk,
            "date": datetime.date(2026, 3, 16),
            "document": 'Счёт "7", №8;\tx',
            "amount": Decimal("1234567.89"),
        },
        {
            "number": 4,
            "client": base.alfa.pk,
            "product_group": base.pipes.pk,
            "date": datetime.date(2026, 3, 17),
            "document": "\\N",
            "amount": Decimal("0.00"),
        },
    ]

    with CaptureQueriesContext(connection) as captured:
        stage_rows(run, rows)
        stage_rows(run, [])

    assert staged(run) == [
        (
            2,
            base.steel.pk,
            base.cables.pk,
            datetime.date(2026, 3, 15),
            None,
            "",
            Decimal("100.00"),
            "created",
        ),
        (
            3,
            base.alfa.pk,
            base.pipes.pk,
            datetime.date(2026, 3, 16),
            None,
            'Счёт "7", №8;\tx',
            Decimal("1234567.89"),
            "created",
        ),
        (4, base.alfa.pk, base.pipes.pk, datetime.date(2026, 3, 17), None, "\\N", Decimal("0.00"), "created"),
    ]
    inserts = [query["sql"] for query in captured.captured_queries if "INSERT INTO" in query["sql"]]
    # PostgreSQL copies (the raw cursor's COPY is not a captured query); SQLite inserts once a chunk.
    assert len(inserts) == (0 if connection.vendor == "postgresql" else 1)


def test_monthly_rows_are_staged_with_the_end_of_their_month(admin_user, base):
    run = make_run(admin_user, monthly=True)
    rows = [
        {
            "number": 2,
            "client": base.steel.pk,
            "product_group": base.cables.pk,
            "date": datetime.date(2026, 12, 1),
            "document": "",
            "amount": Decimal("5.50"),
        },
    ]

    stage_rows(run, rows)

    assert staged(run) == [
        (
            2,
            base.steel.pk,
            base.cables.pk,
            datetime.date(2026, 12, 1),
            datetime.date(2027, 1, 1),
            "",
            Decimal("5.50"),
            "created",
        )
    ]


def test_the_commit_finds_duplicates_on_the_stage_as_the_preview_finds_them_in_memory(
    admin_user, base, monkeypatch
):
    """Across chunks, among other problems, ordered by row: the same problems either way."""
    monkeypatch.setattr(services, "CHUNK", 2)
    content = csv_bytes(
        HEADER,
        f"{STEEL_INN};Cables;15.03.2026;1;100",
        f"{ALFA_INN};Cables;15.03.2026;1;100",
        f"{STEEL_INN};Cables;15.03.2026;;7",
        f"{STEEL_INN};Wires;15.03.2026;1;100",
        f"{STEEL_INN};Cables;15.03.2026;1;300",
        f"{STEEL_INN};Cables;15.03.2026;;8",
        f"{ALFA_INN};Cables;2026-03-15;1;-1",
        f"{STEEL_INN};Cables;2026-03-15;1;100",
    )
    run = services.import_upload(
        kind="sales", upload=SimpleUploadedFile("s.csv", content), file_name="s.csv", source="",
        monthly=False, by=admin_user,
    )  # fmt: skip
    preview = problems(run)

    outcome = services.import_commit(run=run, by=admin_user)

    assert preview == [
        (5, "Товарная группа", "No product group “Wires”."),
        (6, "", "The same row as row 2."),
        (7, "", "The same row as row 4."),
        (8, "Сумма", "The amount is negative: -1."),
        (9, "", "The same row as row 2."),
    ]
    assert problems(run) == preview
    assert outcome.problem_count == 5
    assert not Sale.objects.exists()
    assert not SaleStage.objects.exists()


def test_clients_met_in_earlier_chunks_are_not_read_again_and_the_memo_is_bounded(
    admin_user, base, monkeypatch, django_assert_num_queries
):
    from kam.imports import validation

    monkeypatch.setattr(services, "CHUNK", 2)
    lines = [f"{inn};Cables;1{day}.03.2026;{day};100" for day, inn in enumerate([STEEL_INN, ALFA_INN] * 3)]
    rows = [parsing.RawRow(number, line.split(";")) for number, line in enumerate(lines, start=2)]
    header = HEADER.split(";")
    mapping = dict(enumerate(["inn", "product_group", "date", "document", "amount"]))
    for limit, queries in ((1000, 1), (1, 3)):
        monkeypatch.setattr(validation, "MEMO_LIMIT", limit)
        validator = validation.SalesValidator(
            user=admin_user, header=header, mapping=mapping, monthly=False, today=datetime.date(2026, 11, 30)
        )
        with django_assert_num_queries(queries):
            checked = [result for chunk in services._chunks(rows, 2) for result in validator.check(chunk)]
        assert [(result.values["client"], result.problems) for result in checked] == [
            (base.steel.pk, []),
            (base.alfa.pk, []),
        ] * 3
