"""An index of the radar's flags that the manager's day counts, by client: the day counts its
user's clients' flags from the index alone."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("segmentation", "0040_lost_rank_not_key"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="clientflags",
            index=models.Index(
                fields=["client"],
                include=("at_risk", "no_touch", "no_decision_maker", "influence", "potential_stale"),
                name="radar_day_idx",
            ),
        ),
    ]
