"""The loads' tally (segmentation.models.LoadTally) and the triggers that tell it a load moved.

PostgreSQL: one statement-level trigger per table and event, comparing the statement's old and
new rows (transition tables), so a move of 10,000 clients adds one, not 10,000. SQLite has row
triggers only, with the same conditions.
"""

from django.db import migrations, models

BUMP = "UPDATE segmentation_loadtally SET version = version + 1"

# The columns whose change moves a load, per table, and the table's row key.
WATCHED = {
    "accounts_client": ("id", ["responsible_manager_id", "status"]),
    "segmentation_clientsegment": ("client_id", ["size_class"]),
    "segmentation_keystatus": ("client_id", ["is_key"]),
}


def postgres_sql(table, key, columns):
    listed = ", ".join([key, *columns])
    return [
        f"""CREATE FUNCTION {table}_loads_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF EXISTS (SELECT 1 FROM new_rows) THEN {BUMP}; END IF; RETURN NULL; END $$""",
        f"""CREATE FUNCTION {table}_loads_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN IF EXISTS (SELECT 1 FROM old_rows) THEN {BUMP}; END IF; RETURN NULL; END $$""",
        f"""CREATE FUNCTION {table}_loads_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT {listed} FROM new_rows EXCEPT SELECT {listed} FROM old_rows) THEN {BUMP}; END IF;
    RETURN NULL;
END $$""",
        f"""CREATE TRIGGER {table}_loads_ins AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION {table}_loads_ins()""",
        f"""CREATE TRIGGER {table}_loads_del AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION {table}_loads_del()""",
        f"""CREATE TRIGGER {table}_loads_upd AFTER UPDATE ON {table}
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION {table}_loads_upd()""",
    ]


def sqlite_sql(table, key, columns):
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in [key, *columns])
    return [
        f"CREATE TRIGGER {table}_loads_ins AFTER INSERT ON {table} BEGIN {BUMP}; END",
        f"CREATE TRIGGER {table}_loads_del AFTER DELETE ON {table} BEGIN {BUMP}; END",
        f"CREATE TRIGGER {table}_loads_upd AFTER UPDATE ON {table} WHEN {changed} BEGIN {BUMP}; END",
    ]


def create(apps, schema_editor):
    apps.get_model("segmentation", "LoadTally").objects.create(pk=1)
    postgres = schema_editor.connection.vendor == "postgresql"
    for table, (key, columns) in WATCHED.items():
        for statement in (postgres_sql if postgres else sqlite_sql)(table, key, columns):
            schema_editor.execute(statement)


def drop(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table in WATCHED:
        for event in ("ins", "del", "upd"):
            name = f"{table}_loads_{event}"
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgres else ""))
            if postgres:
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):
    dependencies = [
        ("segmentation", "0013_run_totals"),
        ("accounts", "0009_sale_document_import_batch"),
    ]

    operations = [
        migrations.CreateModel(
            name="LoadTally",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.BigIntegerField(default=0)),
                ("kept_version", models.BigIntegerField(default=-1)),
                ("loads", models.JSONField(default=dict)),
            ],
        ),
        migrations.RunPython(create, drop),
    ]
