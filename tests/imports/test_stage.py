"""Staging sales rows: COPY on PostgreSQL, a prepared INSERT elsewhere; both put the same rows."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kam.imports.models import ImportRun, SaleStage
from kam.imports.writers import stage_rows


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
