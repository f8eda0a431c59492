"""What the nightly run keeps between nights, so that a night reads only what changed.

Written only by `segmentation.segments.engine` (and the sales triggers for `SalesTouched`);
never through a form, and without history: each row is the run's working memory.
"""

from django.db import models

from accounts.models import Client


class ClientRank(models.Model):
    """A client's place in the base by revenue (among all clients) and by potential (among those
    with an estimate), as the last run found it, for the reasons' "rank 41 of 300".

    Relative to everyone, so it moves for most clients every night: it is kept apart from
    `ClientSegment` (its tallies' triggers and its indexes), and a night rewrites only the ranks
    that moved in this narrow table.
    """

    client = models.OneToOneField(Client, on_delete=models.CASCADE, primary_key=True, related_name="rank")
    revenue_rank = models.PositiveIntegerField(null=True)
    potential_rank = models.PositiveIntegerField(null=True)

    def __str__(self) -> str:
        return f"{self.client_id}: {self.revenue_rank} / {self.potential_rank}"
