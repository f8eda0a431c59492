"""Room on the facts' pages for a night's shifted sums (`segments.facts`): with free space on
the page, PostgreSQL updates a row in place without touching its indexes (a HOT update). Pages
written before keep no room until they are rewritten."""

from django.db import migrations

TABLES = ("segmentation_groupsales", "segmentation_clientpurchases")
FILLFACTOR = 70


def room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def no_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("segmentation", "0029_judged_with"),
    ]

    operations = [
        migrations.RunPython(room, no_room),
    ]
