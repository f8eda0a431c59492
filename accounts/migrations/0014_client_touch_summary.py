"""Each client's touch summary, kept by triggers on the touches.

`last_touch_on` is the date of the client's latest touch; `next_step` and `next_step_due` the
next step of its latest touch that set one (latest by date, then id). Whenever touches are
inserted, updated or deleted, the clients they belong to (before and after) are summed up again
from their touches, through the (client, date) index and the partial index of the touches with
a next step. SQLite runs a row trigger as each row changes; PostgreSQL one statement trigger
per statement over its transition tables, one set-based UPDATE however many touches a
statement (or a COPY) writes, changing only the clients whose summary moved.

On SQLite a later migration that rebuilds `accounts_client` (most field alterations) must drop
these triggers before and create them again after: the rebuild renames the table under them.
"""

import datetime
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

CLIENTS = "accounts_client"
TOUCHES = "accounts_touch"


def _summary(client: str) -> tuple[str, str, str]:
    """The latest touch date, next step and its date of the client whose id is `client`."""
    latest = (
        f"FROM {TOUCHES} t WHERE t.client_id = {client} AND NOT (t.next_step = '')"
        " ORDER BY t.date DESC, t.id DESC LIMIT 1"
    )
    return (
        f"(SELECT MAX(t.date) FROM {TOUCHES} t WHERE t.client_id = {client})",
        f"COALESCE((SELECT t.next_step {latest}), '')",
        f"(SELECT t.next_step_date {latest})",
    )


def _sqlite_refresh(ids: str) -> str:
    last, step, due = _summary(f"{CLIENTS}.id")
    return (
        f"UPDATE {CLIENTS} SET last_touch_on = {last}, next_step = {step}, next_step_due = {due}"
        f" WHERE id IN ({ids})"
    )


def _postgres_refresh(*tables: str) -> str:
    ids = " UNION ".join(f"SELECT client_id FROM {table}" for table in tables)
    last, step, due = _summary("ids.client_id")
    return (
        f"UPDATE {CLIENTS} c SET last_touch_on = s.last_on, next_step = s.step, next_step_due = s.due"
        f" FROM (SELECT ids.client_id, {last} AS last_on, {step} AS step, {due} AS due"
        f" FROM ({ids}) ids) s"
        " WHERE c.id = s.client_id"
        " AND (c.last_touch_on, c.next_step, c.next_step_due) IS DISTINCT FROM (s.last_on, s.step, s.due)"
    )


# (name, event, SQLite's client ids, PostgreSQL's transition tables)
TRIGGERS = [
    ("accounts_touch_summary_insert", "INSERT", "NEW.client_id", ("new_rows",)),
    ("accounts_touch_summary_update", "UPDATE", "OLD.client_id, NEW.client_id", ("old_rows", "new_rows")),
    ("accounts_touch_summary_delete", "DELETE", "OLD.client_id", ("old_rows",)),
]
BACKFILL_IDS = f"SELECT DISTINCT client_id FROM {TOUCHES}"


def create(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, event, row_ids, tables in TRIGGERS:
        if postgres:
            schema_editor.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n{_postgres_refresh(*tables)};\nRETURN NULL;\nEND\n$$"
            )
            referencing = " ".join(f"{t.split('_')[0].upper()} TABLE AS {t}" for t in tables)
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {TOUCHES} REFERENCING {referencing}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
        else:
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {TOUCHES} FOR EACH ROW\n"
                f"BEGIN\n{_sqlite_refresh(row_ids)};\nEND"
            )
    if postgres:
        schema_editor.execute(_postgres_refresh(f"({BACKFILL_IDS}) AS every"))
    else:
        schema_editor.execute(_sqlite_refresh(BACKFILL_IDS))


def drop(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for name, *_rest in TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {TOUCHES}" if postgres else ""))
        if postgres:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0013_touch_next_step_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="client",
            name="last_touch_on",
            field=models.DateField(editable=False, null=True, verbose_name="last touch"),
        ),
        migrations.AddField(
            model_name="client",
            name="next_step",
            field=models.CharField(
                blank=True, db_default="", editable=False, max_length=300, verbose_name="next step"
            ),
        ),
        migrations.AddField(
            model_name="client",
            name="next_step_due",
            field=models.DateField(editable=False, null=True, verbose_name="next step by"),
        ),
        migrations.RunPython(create, drop),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                django.db.models.functions.comparison.Coalesce(
                    "last_touch_on", models.Value(datetime.date(1900, 1, 1))
                ),
                models.F("id"),
                name="client_last_touch_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                django.db.models.functions.comparison.Coalesce(
                    "next_step_due", models.Value(datetime.date(9999, 12, 31))
                ),
                models.F("id"),
                name="client_next_step_idx",
            ),
        ),
    ]
