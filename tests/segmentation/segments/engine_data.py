"""Writes a reference data set into the database, for comparing the engine with the oracle."""

from datetime import date, timedelta
from decimal import Decimal

from accounts.models import Client, PointOfPresence, ProductGroup, Sale
from segmentation.models import ClientSegment, OwnLocation, Policy, PotentialEstimate
from tests.segmentation.segments.reference import ClientData, Rules


def store(clients: dict[int, ClientData], rules: Rules, today: date) -> dict[int, int]:
    """Create the clients and their rows; return reference key -> client id."""
    Policy.objects.update_or_create(
        pk=1,
        defaults={
            "pareto_share": rules.pareto_share,
            "wallet_share_limit": rules.wallet_share_limit,
            "min_headroom": rules.min_headroom,
            "gold_share": rules.gold_share,
            "silver_share": rules.silver_share,
        },
    )
    OwnLocation.objects.bulk_create(
        OwnLocation(name=f"Location {n}", country=place.country, region=place.region, is_active=place.active)
        for n, place in enumerate(rules.own_locations)
    )
    groups = {g: ProductGroup.objects.get_or_create(name=f"Group {g}")[0] for g in range(4)}
    ids = {}
    for key, data in clients.items():
        client = Client.objects.create(name=f"Client {key}", purchasing_centralised=data.centralised)
        ids[key] = client.pk
        Sale.objects.bulk_create(
            Sale(client=client, product_group=groups[g], date=day, amount=amount)
            for g, day, amount in data.sales
        )
        PotentialEstimate.objects.bulk_create(
            PotentialEstimate(
                client=client, product_group=groups[g], amount=amount, source="survey", estimated_on=today
            )
            for g, amount in data.estimates.items()
        )
        PointOfPresence.objects.bulk_create(
            PointOfPresence(
                client=client,
                country=p.country,
                region=p.region,
                status="planned" if p.planned else "open",
                planned_date=today + timedelta(days=30) if p.planned else None,
            )
            for p in data.points
        )
        if data.previous_status:
            ClientSegment.objects.create(
                client=client, lost_status=data.previous_status, won_back_on=data.previous_won_back_on
            )
    return ids


def computed(ids: dict[int, int]) -> dict[int, dict[str, object]]:
    rows = {s.client_id: s for s in ClientSegment.objects.filter(client_id__in=ids.values())}
    return {
        key: {
            "category": rows[pk].category,
            "buys_a_lot": rows[pk].buys_a_lot,
            "can_buy_more": rows[pk].can_buy_more,
            "tier": rows[pk].tier,
            "league": rows[pk].league,
            "expansion_points": rows[pk].expansion_points,
            "size_class": rows[pk].size_class,
            "usual_interval": _decimal(rows[pk].usual_interval),
            "lost_status": rows[pk].lost_status,
            "won_back_on": rows[pk].won_back_on,
        }
        for key, pk in ids.items()
    }


def _decimal(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.1"))
