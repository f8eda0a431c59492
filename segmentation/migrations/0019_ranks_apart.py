"""The ranks by revenue and by potential move to a narrow table of their own (`ClientRank`), so
that a night rewrites them without rewriting every segment row; the shares of the revenue and
the potential above each client, which nothing read, are no longer kept.

On PostgreSQL the rank table keeps half of each page free: a night rewrites most of its rows, and
an updated row that fits on its own page is written without touching the index (a HOT update)."""

import django.db.models.deletion
from django.db import migrations, models


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE segmentation_clientrank SET (fillfactor = 50)")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0012_touch_date_index"),
        ("segmentation", "0018_category_tally"),
    ]

    operations = [
        migrations.CreateModel(
            name="ClientRank",
            fields=[
                (
                    "client",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="rank",
                        serialize=False,
                        to="accounts.client",
                    ),
                ),
                ("revenue_rank", models.PositiveIntegerField(null=True)),
                ("potential_rank", models.PositiveIntegerField(null=True)),
            ],
        ),
        migrations.RunPython(leave_room, migrations.RunPython.noop),
        migrations.RunSQL(
            "INSERT INTO segmentation_clientrank (client_id, revenue_rank, potential_rank)"
            " SELECT client_id, revenue_rank, potential_rank FROM segmentation_clientsegment",
            "UPDATE segmentation_clientsegment SET revenue_rank = (SELECT r.revenue_rank"
            " FROM segmentation_clientrank r WHERE r.client_id = segmentation_clientsegment.client_id),"
            " potential_rank = (SELECT r.potential_rank FROM segmentation_clientrank r"
            " WHERE r.client_id = segmentation_clientsegment.client_id)",
        ),
        migrations.RemoveField(
            model_name="clientsegment",
            name="potential_above_share",
        ),
        migrations.RemoveField(
            model_name="clientsegment",
            name="potential_rank",
        ),
        migrations.RemoveField(
            model_name="clientsegment",
            name="revenue_above_share",
        ),
        migrations.RemoveField(
            model_name="clientsegment",
            name="revenue_rank",
        ),
    ]
