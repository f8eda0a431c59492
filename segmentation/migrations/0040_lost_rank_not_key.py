"""The win-back list's index of lost silver and gold clients holds the ones that are not key
alone (the segment's `is_key`, migration 0038): the list's gold and silver parts walk it without
testing each client against the key statuses."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("segmentation", "0039_tier_override_changes_choices_version"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="clientsegment",
            name="segment_lost_rank_idx",
        ),
        migrations.AddIndex(
            model_name="clientsegment",
            index=models.Index(
                condition=models.Q(("is_key", False), ("lost_status", "lost")),
                fields=["tier", "-potential", "client"],
                name="segment_lost_rank_idx",
            ),
        ),
    ]
