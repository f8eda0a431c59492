"""The day's next steps due, read by the manager's index; the foreign key's own index dropped,
since `client_manager_idx` leads with the same column.

The index is dropped by name, not by altering the field: SQLite alters a field by remaking the
table, which would drop the triggers other apps keep on it.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

FOREIGN_KEY_INDEX = "accounts_client_responsible_manager_id_23d6624c"


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0016_contact_birthday_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="client",
                    name="responsible_manager",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="responsible_for",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="responsible manager",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{FOREIGN_KEY_INDEX}"',
                    f'CREATE INDEX "{FOREIGN_KEY_INDEX}" ON "accounts_client" ("responsible_manager_id")',
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                condition=models.Q(("next_step", ""), _negated=True),
                fields=["responsible_manager", "next_step_due", "id"],
                name="client_manager_step_idx",
            ),
        ),
    ]
