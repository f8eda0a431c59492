"""A plan per client: every random choice about it, made in a fixed order before any row is built."""

import datetime
import math
import random
from dataclasses import dataclass, field

from accounts.models import Client, Contact, Industry, ProductGroup
from kam.demo.content import (
    FAR_ABROAD,
    INDUSTRIES,
    NEAR_ABROAD,
    PRODUCT_GROUPS,
    RU_REGIONS,
    SOLE_TRADER_INDUSTRIES,
    TRAIT_SHARES,
    IndustrySpec,
    Region,
)
from kam.users.models import User

MONTHS = 24


@dataclass
class Plan:
    """Everything random about one client, decided before any of its rows is built."""

    index: int
    industry: IndustrySpec
    head: Region
    annual: float
    status: str
    trend: str
    rhythm: str
    footprint: str
    influence: str
    manager: str
    never_met: bool
    expands: bool
    sole_trader: bool = False
    groups: list[ProductGroup] = field(default_factory=list)
    group_weights: list[float] = field(default_factory=list)
    start: datetime.date | None = None
    stop: datetime.date | None = None
    gap: tuple[datetime.date, datetime.date] | None = None
    client: Client | None = None
    domain: str = "example.ru"
    contacts: list[Contact] = field(default_factory=list)
    team: list[User] = field(default_factory=list)


@dataclass
class Context:
    rng: random.Random
    today: datetime.date
    users: dict[str, User]
    industries: dict[str, Industry]
    groups: dict[str, ProductGroup]
    names: set[str] = field(default_factory=set)
    inns: set[str] = field(default_factory=set)
    months: list[datetime.date] = field(init=False)

    def __post_init__(self) -> None:
        first = self.today.replace(day=1)
        self.months = [add_months(first, -back) for back in range(MONTHS - 1, -1, -1)]

    def user(self, username: str) -> User | None:
        return self.users.get(username)


def make_plans(ctx: Context, clients: int) -> list[Plan]:
    return [_plan(ctx, i, traits) for i, traits in enumerate(_traits(ctx.rng, clients))]


def add_months(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


# Spreads ---------------------------------------------------------------------------------------------


def spread(rng: random.Random, n: int, shares: dict[str, float]) -> list[str]:
    """`n` labels in the given shares, each minor label at least once, shuffled.

    Unlike independent draws, this keeps every kind of client present even in a small seed.
    """
    dominant, *minor = shares
    labels = [label for label in minor for _ in range(max(1, round(n * shares[label])))]
    labels += [dominant] * max(0, n - len(labels))
    rng.shuffle(labels)
    return labels[:n]


def _traits(rng: random.Random, n: int) -> list[dict[str, str]]:
    columns = {trait: spread(rng, n, shares) for trait, shares in TRAIT_SHARES.items()}
    return [{trait: labels[i] for trait, labels in columns.items()} for i in range(n)]


# Plans ----------------------------------------------------------------------------------------------


def _plan(ctx: Context, index: int, traits: dict[str, str]) -> Plan:
    rng = ctx.rng
    sole_trader = traits["legal"] == "sole_trader" and index > 0
    plan = Plan(
        index=index,
        industry=rng.choice([i for i in INDUSTRIES if i.name in SOLE_TRADER_INDUSTRIES or not sole_trader]),
        head=_weighted(rng, RU_REGIONS),
        annual=_yearly_volume(rng, sole_trader=sole_trader),
        status=traits["status"],
        trend=traits["trend"],
        rhythm=traits["rhythm"],
        footprint="single" if sole_trader else traits["footprint"],
        influence=traits["influence"],
        manager=traits["manager"],
        never_met=traits["never_met"] == "yes",
        expands=traits["expands"] == "yes",
        sole_trader=sole_trader,
    )
    if index == 0:
        _make_showcase(plan)
    _plan_groups(ctx, plan)
    _plan_timing(ctx, plan)
    return plan


def _yearly_volume(rng: random.Random, *, sole_trader: bool) -> float:
    """Lognormal around 1.5 million a year, so that the top 20% of clients buy about 80%."""
    if sole_trader:
        return rng.uniform(60_000, 600_000)
    return min(1e9, rng.lognormvariate(math.log(1.5e6), 1.7))


def _make_showcase(plan: Plan) -> None:
    """DOMAIN §6's case: we are in Krasnoyarsk, and the client is about to open in Irkutsk."""
    plan.industry, plan.head, plan.status = INDUSTRIES[0], region("RU-KYA"), "active"
    plan.footprint, plan.expands = "single", True


def region(code: str) -> Region:
    return next(r for r in (*RU_REGIONS, *NEAR_ABROAD, *FAR_ABROAD) if r.code == code)


def _weighted(rng: random.Random, regions: tuple[Region, ...]) -> Region:
    return rng.choices(regions, weights=[r.weight for r in regions])[0]


def _plan_groups(ctx: Context, plan: Plan) -> None:
    """Bigger clients buy more of our product groups, their industry's favourites most."""
    rng, favourites = ctx.rng, plan.industry.favourite_groups
    breadth = 1 + int(math.log2(max(1.0, plan.annual / 200_000))) + rng.randint(0, 1)
    names = sorted(PRODUCT_GROUPS, key=lambda name: (name not in favourites, rng.random()))[:breadth]
    plan.groups = [ctx.groups[name] for name in names]
    plan.group_weights = [rng.uniform(0.5, 1.5) * (3 if name in favourites else 1) for name in names]


def _plan_timing(ctx: Context, plan: Plan) -> None:
    """When the client buys: stopped a few months ago, new, or back after a pause."""
    rng, today = ctx.rng, ctx.today
    if plan.status == "inactive":
        plan.stop = today - datetime.timedelta(days=rng.randint(400, 600))
    elif plan.trend == "stopped":
        plan.stop = today - datetime.timedelta(days=rng.randint(130, 300))
    elif plan.trend == "new":
        plan.start = today - datetime.timedelta(days=rng.randint(150, 450))
    elif plan.trend == "returned":
        gap_end = today - datetime.timedelta(days=rng.randint(30, 80))
        plan.gap = (gap_end - datetime.timedelta(days=rng.randint(200, 260)), gap_end)


def buys_on(plan: Plan, day: datetime.date) -> bool:
    if plan.status == "prospect" or (plan.stop and day >= plan.stop) or (plan.start and day < plan.start):
        return False
    return not (plan.gap and plan.gap[0] <= day < plan.gap[1])
