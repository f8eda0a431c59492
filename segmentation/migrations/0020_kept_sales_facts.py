"""The sales facts the nightly run keeps from night to night (see `segmentation.segments.facts`),
and the triggers that mark a client whose sales rows were added, changed or deleted.

PostgreSQL: one statement-level trigger per event over the statement's rows (transition tables),
so an import of a million rows marks each client once in one INSERT; a TRUNCATE of the sales
forgets the facts' day, so that the next night re-reads every client. SQLite has row triggers.
"""

from django.db import migrations, models

import django.db.models.deletion

SALES = "accounts_sale"
TOUCHED = "segmentation_salestouched"
MARK = f"INSERT INTO {TOUCHED} (client_id) SELECT DISTINCT client_id FROM {{rows}} ON CONFLICT DO NOTHING"

# (event, transition tables, the statement's rows)
POSTGRES_TRIGGERS = [
    ("insert", "NEW TABLE AS new_rows", "new_rows"),
    ("delete", "OLD TABLE AS old_rows", "old_rows"),
    (
        "update",
        "OLD TABLE AS old_rows NEW TABLE AS new_rows",
        "(SELECT client_id FROM old_rows UNION SELECT client_id FROM new_rows) changed",
    ),
]
# (event, the client ids the row names)
SQLITE_TRIGGERS = [("insert", ["NEW"]), ("delete", ["OLD"]), ("update", ["OLD", "NEW"])]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for event, tables, rows in POSTGRES_TRIGGERS:
            name = f"segmentation_sales_touched_{event}"
            schema_editor.execute(
                f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                f"BEGIN\n{MARK.format(rows=rows)};\nRETURN NULL;\nEND\n$$"
            )
            schema_editor.execute(
                f"CREATE TRIGGER {name} AFTER {event.upper()} ON {SALES} REFERENCING {tables}"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {name}()"
            )
        schema_editor.execute(
            "CREATE FUNCTION segmentation_sales_truncated() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\nDELETE FROM segmentation_factsday;\nRETURN NULL;\nEND\n$$"
        )
        schema_editor.execute(
            f"CREATE TRIGGER segmentation_sales_truncated AFTER TRUNCATE ON {SALES}"
            " FOR EACH STATEMENT EXECUTE FUNCTION segmentation_sales_truncated()"
        )
        return
    for event, rows in SQLITE_TRIGGERS:
        marks = "".join(f"INSERT OR IGNORE INTO {TOUCHED} (client_id) VALUES ({row}.client_id);\n" for row in rows)
        schema_editor.execute(
            f"CREATE TRIGGER segmentation_sales_touched_{event} AFTER {event.upper()} ON {SALES}"
            f" FOR EACH ROW\nBEGIN\n{marks}END"
        )


def drop(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    names = [f"segmentation_sales_touched_{event}" for event, _rows in SQLITE_TRIGGERS]
    for name in names + (["segmentation_sales_truncated"] if postgres else []):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {SALES}" if postgres else ""))
        if postgres:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0012_touch_date_index'),
        ('segmentation', '0019_ranks_apart'),
    ]

    operations = [
        migrations.CreateModel(
            name='FactsDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
            ],
        ),
        migrations.CreateModel(
            name='ClientPurchases',
            fields=[
                ('client', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='+', serialize=False, to='accounts.client')),
                ('revenue', models.DecimalField(decimal_places=2, max_digits=18)),
                ('last_purchase', models.DateField()),
                ('purchase_dates', models.PositiveIntegerField()),
                ('usual_interval', models.FloatField(null=True)),
            ],
        ),
        migrations.CreateModel(
            name='SalesTouched',
            fields=[
                ('client_id', models.BigIntegerField(primary_key=True, serialize=False)),
            ],
        ),
        migrations.CreateModel(
            name='GroupSales',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('product_group_id', models.BigIntegerField()),
                ('sold', models.DecimalField(decimal_places=2, max_digits=18)),
                ('last_date', models.DateField()),
                ('client', models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.client')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('client', 'product_group_id'), name='group_sales_unique')],
            },
        ),
        migrations.RunPython(create, drop),
    ]
