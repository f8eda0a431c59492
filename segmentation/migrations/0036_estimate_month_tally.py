"""The estimates-to-do tally summed by month, kept by triggers on the day tally.

A month's row (`month`: its first day) holds the sum of the day tally's rows in that month, for
every manager; the day tally's own triggers (migration 0016) write it, and these follow each of
its writes. PostgreSQL runs them once a statement, over its transition tables (the day tally is
written by one upsert a statement: its INSERT trigger sees the rows inserted, its UPDATE trigger
the rows updated); SQLite once a row.
"""

from django.db import migrations, models

DAYS = "segmentation_estimatetally"
MONTHS = "segmentation_estimatemonthtally"
UPSERT = f"ON CONFLICT (manager, month) DO UPDATE SET clients = {MONTHS}.clients + excluded.clients"


def _postgres(old: str, new: str) -> str:
    """Add the rows of `new` and take away those of `old` (transition tables; either may be "")."""
    rows = " UNION ALL ".join(
        f"SELECT manager, last_estimated, {sign}clients AS n FROM {table}"
        for table, sign in ((new, ""), (old, "-"))
        if table
    )
    return (
        f"INSERT INTO {MONTHS} (manager, month, clients) "
        f"SELECT manager, date_trunc('month', last_estimated)::date, SUM(n) FROM ({rows}) moved "
        f"GROUP BY 1, 2 HAVING SUM(n) <> 0 {UPSERT}"
    )


def _sqlite(row: str, sign: str) -> str:
    return (
        f"INSERT INTO {MONTHS} (manager, month, clients) "
        f"VALUES ({row}.manager, date({row}.last_estimated, 'start of month'), {sign}{row}.clients) {UPSERT}"
    )


# (name, event, PostgreSQL's transition tables and statement, SQLite's row statements)
TRIGGERS = [
    ("segmentation_month_tally_insert", "INSERT", "NEW TABLE AS new_rows", _postgres("", "new_rows"), [_sqlite("NEW", "")]),
    (
        "segmentation_month_tally_update",
        "UPDATE",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _postgres("old_rows", "new_rows"),
        [_sqlite("OLD", "-"), _sqlite("NEW", "")],
    ),
    ("segmentation_month_tally_delete", "DELETE", "OLD TABLE AS old_rows", _postgres("old_rows", ""), [_sqlite("OLD", "-")]),
]

BACKFILL_POSTGRES = (
    f"INSERT INTO {MONTHS} (manager, month, clients) "
    f"SELECT manager, date_trunc('month', last_estimated)::date, SUM(clients) FROM {DAYS} GROUP BY 1, 2"
)
BACKFILL_SQLITE = (
    f"INSERT INTO {MONTHS} (manager, month, clients) "
    f"SELECT manager, date(last_estimated, 'start of month'), SUM(clients) FROM {DAYS} GROUP BY 1, 2"
)


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, event, tables, statement, statements in TRIGGERS:
        if postgres:
            schema_editor.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{statement};\nRETURN NULL;\nEND\n$$"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {DAYS} REFERENCING {tables}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
        else:
            body = "".join(f"{one};\n" for one in statements)
            schema_editor.execute(f"CREATE TRIGGER {name} AFTER {event} ON {DAYS} FOR EACH ROW\nBEGIN\n{body}END")
    schema_editor.execute(BACKFILL_POSTGRES if postgres else BACKFILL_SQLITE)


def drop(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, *_rest in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {DAYS}" if postgres else ""))
        if postgres:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("segmentation", "0035_lost_key_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="EstimateMonthTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("manager", models.BigIntegerField()),
                ("month", models.DateField()),
                ("clients", models.IntegerField(default=0)),
            ],
        ),
        migrations.AddIndex(
            model_name="estimatetally",
            index=models.Index(
                fields=["last_estimated"], include=("manager", "clients"), name="estimate_tally_day_idx"
            ),
        ),
        migrations.AddConstraint(
            model_name="estimatemonthtally",
            constraint=models.UniqueConstraint(fields=("manager", "month"), name="estimate_month_tally_unique"),
        ),
        migrations.RunPython(create, drop),
    ]
