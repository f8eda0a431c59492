"""The runs keep the dashboard's figures. Past runs get the one figure the dashboard reads over
twelve months of runs (who became at risk or lost in each run, and not earlier in its month), so
its trend is read from the runs from the start; the distributions come with the next run.

The segment changes lose their index on the run alone: the one on (run, kind) serves the same."""

from datetime import date

import django.db.models.deletion
from django.db import migrations, models

BECAME_SQL = """
SELECT ch.new, COUNT(*) FROM segmentation_segmentchange ch
WHERE ch.run_id = %s AND ch.kind = 'lost_status' AND ch.old <> '' AND ch.new IN ('at_risk', 'lost')
AND NOT EXISTS (
    SELECT 1 FROM segmentation_segmentchange e JOIN segmentation_nightlyrun r ON r.id = e.run_id
    WHERE e.client_id = ch.client_id AND e.kind = ch.kind AND e.new = ch.new AND e.old <> ''
        AND e.run_id < ch.run_id AND r.run_on >= %s AND r.run_on < %s
)
GROUP BY ch.new
"""


def backfill_became(apps, schema_editor):
    NightlyRun = apps.get_model("segmentation", "NightlyRun")
    with schema_editor.connection.cursor() as cursor:
        for run in NightlyRun.objects.filter(status="success").order_by("pk"):
            month = run.run_on.replace(day=1)
            next_month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
            cursor.execute(BECAME_SQL, [run.pk, month, next_month])
            found = dict(cursor.fetchall())
            run.figures = {"became": {status: int(found.get(status, 0)) for status in ("at_risk", "lost")}}
            run.save(update_fields=["figures"])


class Migration(migrations.Migration):
    dependencies = [
        ("segmentation", "0014_load_tally"),
    ]

    operations = [
        migrations.AddField(
            model_name="nightlyrun",
            name="figures",
            field=models.JSONField(default=dict, verbose_name="figures"),
        ),
        migrations.RunPython(backfill_became, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="segmentchange",
            name="run",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="segment_changes",
                to="segmentation.nightlyrun",
            ),
        ),
    ]
