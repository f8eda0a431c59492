"""What the nightly run keeps between nights, so that a night reads only what changed.

Written only by the nightly run (`segmentation.segments.engine`, `segmentation.radar.services`)
and by the triggers that mark what moved (the `...Touched` tables); never through a form, and
without history: each row is the run's working memory.
"""

from django.db import models

from accounts.models import Client


class GroupSales(models.Model):
    """One client's sales of one product group as of the run's day: the sum of the last 365
    days and the last purchase (of any date up to the day)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
    # The group's id without a foreign key: a working figure, not a use of the group (the
    # reference pages count every foreign key to it); it goes with the sales that made it.
    product_group_id = models.BigIntegerField()
    sold = models.DecimalField(max_digits=18, decimal_places=2)
    last_date = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "product_group_id"], name="group_sales_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} {self.product_group_id}: {self.sold}"


class ClientPurchases(models.Model):
    """One client's purchases as of the run's day: the revenue of the last 365 days and the last
    purchase (over its `GroupSales`), and its purchase dates of the last 24 months, counted, with
    the median gap between them (DOMAIN §10). A client without a sale up to the day has no row."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, primary_key=True, related_name="+")
    revenue = models.DecimalField(max_digits=18, decimal_places=2)
    last_purchase = models.DateField()
    purchase_dates = models.PositiveIntegerField()
    usual_interval = models.FloatField(null=True)

    def __str__(self) -> str:
        return f"{self.client_id}: {self.revenue}"


class ClientWallet(models.Model):
    """One client's potential (the sum of its estimates) and covered sales (its `GroupSales`
    counted against each estimate up to the estimate, `segments.wallet`) as of the run's day. A
    client without an estimate has no row."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, primary_key=True, related_name="+")
    potential = models.DecimalField(max_digits=18, decimal_places=2)
    covered = models.DecimalField(max_digits=18, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.client_id}: {self.covered} of {self.potential}"


class ClientFootprint(models.Model):
    """One client's open points of presence, counted (`segments.leagues.FOOTPRINT_SQL`): the
    points, their countries, regions (a country without a region counts as one) and continents.
    A client without an open point has no row."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, primary_key=True, related_name="+")
    open_points = models.PositiveIntegerField()
    countries = models.PositiveIntegerField()
    regions = models.PositiveIntegerField()
    continents = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.client_id}: {self.open_points}"


class SalesTouched(models.Model):
    """A client whose sales rows were added, changed or deleted since the last run read them:
    inserted by triggers on the sales table (whatever wrote them: a form, an import, `COPY`),
    emptied by the run. No foreign key: a deleted client's sales mark it on their way out."""

    client_id = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return str(self.client_id)


class EstimatesTouched(models.Model):
    """A client whose potential estimates were added, changed or deleted since the last run read
    them, as `SalesTouched` is for the sales (triggers on the estimates, emptied by the run)."""

    client_id = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return str(self.client_id)


class PointsTouched(models.Model):
    """A client whose points of presence were added, changed or deleted since the last run
    counted them, as `SalesTouched` is for the sales (triggers on the points, emptied by the
    run); also a new client and one whose purchasing was (de)centralised, which the league reads
    with the points (triggers on the clients)."""

    client_id = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return str(self.client_id)


class FactsDay(models.Model):
    """The day `GroupSales`, `ClientPurchases`, `ClientWallet` and `ClientFootprint` are for (one
    row, none before the first run), and the policy and our own locations the stored segments
    were judged by (`segments.engine`: a night under others judges every client again)."""

    day = models.DateField()
    judged_with = models.JSONField(default=dict)

    def __str__(self) -> str:
        return str(self.day)


class FlagsTouched(models.Model):
    """A client whose radar flags may have moved since the last run judged them
    (`segmentation.radar.services`): inserted by triggers when its touches, contacts, points,
    potential estimates, key status or tier override are added, changed or deleted, when it is
    added or its status or responsible manager changes, and when its segment's tier, purchase
    status, league or expansion points do; emptied by the run."""

    client_id = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return str(self.client_id)


class FlagsDay(models.Model):
    """The day the radar's flags (`ClientFlags`) are for (one row, none before the first run),
    and what they were judged by besides each client's own rows: the policy, our country, the
    last closed review and the managers over capacity (`segmentation.radar.services`)."""

    day = models.DateField()
    judged_with = models.JSONField(default=dict)

    def __str__(self) -> str:
        return str(self.day)
