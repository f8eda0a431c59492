"""Potential estimates (DOMAIN §5): each analysed client's yearly purchases per product group.

An estimate is what the client buys of a group from all suppliers. It is derived from our
trailing-12-month sales and a share of wallet drawn per client, so the demo's categories
follow from the profiles below; groups the client does not buy from us get whitespace
estimates. Shares are spread separately over the clients that buy a lot (the first 80% of
revenue) and the rest, so that even a small seed shows every category A to D.
"""

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from accounts.models import ProductGroup, Sale
from kam.demo.content import (
    ANALYSED_SHARES,
    ESTIMATE_AGE_SHARES,
    ESTIMATE_SOURCE_SHARES,
    MANAGERS,
    PRODUCT_GROUPS,
    WALLET_PROFILE_SHARES,
    WALLET_SHARES,
    WHITESPACE_GROUPS,
)
from kam.demo.plans import Context, Plan, spread
from segmentation.models import PotentialEstimate

BUYS_A_LOT_SHARE = Decimal("0.8")  # the policy's default Pareto share
GroupSales = dict[tuple[int, int], Decimal]


def potential_estimates(ctx: Context, plans: list[Plan], sales: list[Sale]) -> list[PotentialEstimate]:
    """Estimates for about 70% of the active clients and some prospects.

    1. our trailing-12-month sales per client and product group, from the rows just built;
    2. who is analysed, how long ago, and our share of its wallet (spreads, in a fixed order);
    3. per analysed client, one dated, sourced estimate per group it buys and per whitespace group.
    """
    rng, trailing = ctx.rng, _trailing_sales(ctx.today, sales)
    analysed = _analysed(rng, plans)
    profiles = _profiles(rng, analysed, trailing)
    ages = spread(rng, len(analysed), ESTIMATE_AGE_SHARES)
    sources = spread(rng, len(analysed), ESTIMATE_SOURCE_SHARES)
    rows = []
    for plan, age, source in zip(analysed, ages, sources, strict=True):
        amounts = _amounts(ctx, plan, profiles[plan.index], trailing)
        rows += _estimates(ctx, plan, amounts, _estimated_on(rng, ctx.today, age), source)
    return rows


def _trailing_sales(today: datetime.date, sales: list[Sale]) -> GroupSales:
    """Sales in the 365 days ending today, as the nightly engine counts them."""
    year_ago = today - datetime.timedelta(days=365)
    totals: GroupSales = defaultdict(Decimal)
    for sale in sales:
        if year_ago < sale.date <= today:
            totals[sale.client_id, sale.product_group_id] += sale.amount
    return totals


def _analysed(rng: random.Random, plans: list[Plan]) -> list[Plan]:
    chosen = []
    for status, shares in ANALYSED_SHARES.items():
        group = [plan for plan in plans if plan.status == status]
        labels = spread(rng, len(group), shares)
        chosen += [plan for plan, label in zip(group, labels, strict=True) if label == "yes"]
    return sorted(chosen, key=lambda plan: plan.index)


def _profiles(rng: random.Random, analysed: list[Plan], trailing: GroupSales) -> dict[int, str]:
    """A wallet profile per analysed client (by plan index), spread over big buyers and the rest apart.

    A prospect buys nothing from us, so all its groups are whitespace whatever its profile.
    """
    big = _buys_a_lot(trailing)
    buyers = [plan for plan in analysed if plan.status != "prospect"]
    profiles = {plan.index: "typical" for plan in analysed}
    for buys_a_lot, shares in WALLET_PROFILE_SHARES.items():
        stratum = [plan for plan in buyers if (_client_id(plan) in big) == buys_a_lot]
        labels = spread(rng, len(stratum), shares)
        profiles.update((plan.index, label) for plan, label in zip(stratum, labels, strict=True))
    return profiles


def _buys_a_lot(trailing: GroupSales) -> set[int]:
    """The clients whose revenue together makes the first 80% of all revenue (DOMAIN §5, roughly)."""
    revenue: dict[int, Decimal] = defaultdict(Decimal)
    for (client_id, _group_id), amount in trailing.items():
        revenue[client_id] += amount
    total, above, big = sum(revenue.values()), Decimal(0), set()
    for client_id, amount in sorted(revenue.items(), key=lambda item: -item[1]):
        if above >= BUYS_A_LOT_SHARE * total:
            break
        big.add(client_id)
        above += amount
    return big


def _amounts(ctx: Context, plan: Plan, profile: str, trailing: GroupSales) -> dict[ProductGroup, float]:
    """Our sales of each group divided by the client's share of wallet, then its whitespace groups."""
    rng = ctx.rng
    share = rng.uniform(*WALLET_SHARES[profile])
    ours = {group: trailing.get((_client_id(plan), group.pk), Decimal(0)) for group in plan.groups}
    amounts = {
        group: float(sold) / (share * rng.uniform(0.9, 1.1)) for group, sold in ours.items() if sold > 0
    }
    wallet = sum(amounts.values()) / len(amounts) if amounts else plan.annual / len(plan.groups) / share
    for group in _whitespace(ctx, plan, profile, ours):
        amounts[group] = wallet * rng.uniform(0.3, 1.2)
    return amounts


def _estimates(
    ctx: Context, plan: Plan, amounts: dict[ProductGroup, float], day: datetime.date, source: str
) -> list[PotentialEstimate]:
    """One conversation: every group estimated on the same day, from the same source, by one manager."""
    author = ctx.user(plan.manager) or ctx.users[ctx.rng.choice(MANAGERS)]
    return [
        PotentialEstimate(
            client=plan.client,
            product_group=group,
            amount=_thousands(amount),
            source=source,
            estimated_on=day,
            author=author,
        )
        for group, amount in amounts.items()
    ]


def _whitespace(
    ctx: Context, plan: Plan, profile: str, ours: dict[ProductGroup, Decimal]
) -> list[ProductGroup]:
    """Groups with a budget but no sales from us: the client's lapsed groups and some it never bought.

    A loyal client, or one whose estimate is too low, is estimated only where we sell.
    """
    low, high = WHITESPACE_GROUPS[profile]
    if not high:
        return []
    lapsed = [group for group, sold in ours.items() if not sold]
    never = [ctx.groups[name] for name in PRODUCT_GROUPS if ctx.groups[name] not in ours]
    return lapsed + ctx.rng.sample(never, min(ctx.rng.randint(low, high), len(never)))


def _estimated_on(rng: random.Random, today: datetime.date, age: str) -> datetime.date:
    days = rng.randint(380, 720) if age == "stale" else rng.randint(7, 340)
    return today - datetime.timedelta(days=days)


def _thousands(amount: float) -> Decimal:
    return Decimal(max(1, round(amount / 1000)) * 1000)


def _client_id(plan: Plan) -> int:
    if plan.client is None:
        raise ValueError("The clients are saved before their estimates are built.")
    return plan.client.pk
