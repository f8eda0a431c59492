"""What happened with each client over 24 months: touches, sales and refusals."""

import datetime
import math
import random
from decimal import Decimal

from accounts.models import Contact, ProductGroup, Refusal, Sale, Touch
from kam.demo.content import (
    BIRTHDAY_SUMMARY,
    MANAGERS,
    NEXT_STEPS,
    REFUSAL_NOTES,
    REFUSAL_WEIGHTS,
    TOUCH_KINDS,
    TOUCH_SUMMARIES,
    IndustrySpec,
)
from kam.demo.plans import MONTHS, Context, Plan, buys_on
from kam.users.models import User

TouchDraft = tuple[Touch, list[Contact], list[User]]


# Touches ---------------------------------------------------------------------------------------------


def touches_for(ctx: Context, plan: Plan) -> list[TouchDraft]:
    rng = ctx.rng
    window = _touch_window(ctx, plan)
    days = sorted(
        window[0] + datetime.timedelta(days=rng.randint(0, (window[1] - window[0]).days))
        for _ in range(_touch_count(rng, plan))
    )
    drafts = [_touch(ctx, plan, day, window) for day in days]
    for i, (touch, _c, _p) in enumerate(drafts):
        if rng.random() < (0.7 if i == len(drafts) - 1 else 0.25):
            touch.next_step = rng.choice(NEXT_STEPS)
            touch.next_step_date = touch.date + datetime.timedelta(days=rng.randint(2, 21))
    return drafts


def _touch_count(rng: random.Random, plan: Plan) -> int:
    if plan.status == "prospect":
        return rng.randint(1, 4)
    return 3 + int(6 * math.log10(plan.annual / 1e5 + 1))


def _touch_window(ctx: Context, plan: Plan) -> tuple[datetime.date, datetime.date]:
    """Prospects were found lately; nobody calls a lost client; some clients are neglected."""
    start = ctx.months[0]
    if plan.status == "prospect":
        start = ctx.today - datetime.timedelta(days=180)
    end = ctx.today - datetime.timedelta(days=ctx.rng.choice([0, 0, 0, 0, 0, 0, 0, 0, 100, 150]))
    if plan.stop:
        end = min(end, plan.stop + datetime.timedelta(days=60))
    return start, max(start, end)


def _touch(
    ctx: Context, plan: Plan, day: datetime.date, window: tuple[datetime.date, datetime.date]
) -> TouchDraft:
    rng = ctx.rng
    kind = rng.choices(list(TOUCH_KINDS), weights=list(TOUCH_KINDS.values()))[0]
    if plan.never_met and kind == Touch.Kind.MEETING:
        kind = Touch.Kind.CALL
    active = [c for c in plan.contacts if c.is_active] or plan.contacts
    contacts = rng.sample(active, min(len(active), 3 if kind == Touch.Kind.MEETING else 1))
    participants = _participants(ctx, plan, kind)
    touch = Touch(
        client=plan.client,
        kind=kind,
        date=day,
        duration_minutes=_duration(rng, kind),
        summary=rng.choice(TOUCH_SUMMARIES[kind]).format(group=rng.choice(plan.groups).name),
        created_by=participants[0],
    )
    _date_the_occasion(rng, touch, contacts[0], window)
    return touch, contacts, participants


def _date_the_occasion(
    rng: random.Random, touch: Touch, contact: Contact, window: tuple[datetime.date, datetime.date]
) -> None:
    """Birthday congratulations fall on the birthday, gifts before New Year, when that fits the window."""
    if touch.kind == Touch.Kind.CONGRATULATION and contact.birthday:
        month, day = contact.birthday.month, contact.birthday.day
    elif touch.kind == Touch.Kind.GIFT:
        month, day = 12, rng.randint(20, 29)
    else:
        return
    occasion = datetime.date(touch.date.year, month, day)
    if occasion > window[1]:
        occasion = occasion.replace(year=occasion.year - 1)
    if occasion < window[0]:
        return
    touch.date = occasion
    if touch.kind == Touch.Kind.CONGRATULATION:
        touch.summary = BIRTHDAY_SUMMARY.format(contact=contact.name)


def _participants(ctx: Context, plan: Plan, kind: str) -> list[User]:
    """The responsible manager (or a colleague for an unassigned client), others at meetings."""
    rng = ctx.rng
    lead = ctx.user(plan.manager) or ctx.users[rng.choice(MANAGERS)]
    if kind not in (Touch.Kind.MEETING, Touch.Kind.EVENT):
        return [lead]
    return list(dict.fromkeys([lead, *(user for user in plan.team if rng.random() < 0.5)]))


def _duration(rng: random.Random, kind: str) -> int | None:
    ranges = {Touch.Kind.CALL: (5, 30), Touch.Kind.MEETING: (45, 180), Touch.Kind.EVENT: (120, 480)}
    low_high = ranges.get(Touch.Kind(kind))
    return rng.randrange(low_high[0], low_high[1] + 1, 5) if low_high else None


# Sales -------------------------------------------------------------------------------------------------


def sales_for(ctx: Context, plan: Plan) -> list[Sale]:
    rows: list[Sale] = []
    if plan.status == "prospect":
        return rows
    rhythm = {"monthly": _monthly_totals, "shipments": _shipments, "irregular": _irregular}[plan.rhythm]
    for i, month in enumerate(ctx.months):
        rows += rhythm(ctx, plan, month, _month_amount(ctx, plan, i, month))
    return rows


def _month_amount(ctx: Context, plan: Plan, i: int, month: datetime.date) -> float:
    """A twelfth of the yearly volume, bent by the trend and the industry's season, with noise."""
    progress = i / (MONTHS - 1)
    trend = {
        "growing": 0.55 + 0.9 * progress,
        "declining": 1.45 - 0.9 * progress,
        "stopped": 1.2 - 0.5 * progress,
    }
    noise = ctx.rng.uniform(0.8, 1.2)
    return plan.annual / 12 * trend.get(plan.trend, 1.0) * _season(plan.industry, month) * noise


def _season(industry: IndustrySpec, month: datetime.date) -> float:
    return 1 + industry.seasonality * math.cos(2 * math.pi * (month.month - industry.peak_month) / 12)


def _monthly_totals(ctx: Context, plan: Plan, month: datetime.date, amount: float) -> list[Sale]:
    """ERP monthly totals, dated the first of the month, one row per product group bought."""
    if not buys_on(plan, month):
        return []
    weights = _normalised(plan.group_weights)
    return [
        _sale(plan, group, month, amount * weight * ctx.rng.uniform(0.8, 1.2))
        for group, weight in zip(plan.groups, weights, strict=True)
        if ctx.rng.random() < 0.9
    ]


def _shipments(ctx: Context, plan: Plan, month: datetime.date, amount: float) -> list[Sale]:
    """Several shipments on working days of the month, each of one to three product groups."""
    rng = ctx.rng
    count = max(1, min(8, int(2 * math.log10(max(1.0, plan.annual / 100_000)))) + rng.randint(-1, 1))
    rows = []
    for _shipment in range(count):
        day = _working_day(rng, month)
        groups = set(rng.choices(plan.groups, weights=plan.group_weights, k=rng.randint(1, 3)))
        if day <= ctx.today and buys_on(plan, day):
            share = amount / count / len(groups)
            rows += [_sale(plan, g, day, share * rng.uniform(0.7, 1.3)) for g in sorted(groups, key=str)]
    return rows


def _irregular(ctx: Context, plan: Plan, month: datetime.date, amount: float) -> list[Sale]:
    """A small buyer that orders every few months, a quarter's worth at a time."""
    if ctx.rng.random() >= 0.35:
        return []
    day = _working_day(ctx.rng, month)
    group = ctx.rng.choices(plan.groups, weights=plan.group_weights)[0]
    return [_sale(plan, group, day, amount * 3)] if day <= ctx.today and buys_on(plan, day) else []


def _working_day(rng: random.Random, month: datetime.date) -> datetime.date:
    day = month.replace(day=rng.randint(2, 28))
    return day + datetime.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _normalised(weights: list[float]) -> list[float]:
    return [w / sum(weights) for w in weights]


def _sale(plan: Plan, group: ProductGroup, day: datetime.date, amount: float) -> Sale:
    return Sale(client=plan.client, product_group=group, date=day, amount=money(max(amount, 50.0)))


def money(amount: float) -> Decimal:
    return Decimal(round(amount * 100)).scaleb(-2)


# Refusals ------------------------------------------------------------------------------------------


def refusals_for(ctx: Context, plan: Plan) -> list[Refusal]:
    """Clients who buy less or stopped refused more, and recently; others now and then."""
    rng = ctx.rng
    if plan.trend in ("declining", "stopped") or plan.status == "inactive":
        count = rng.randint(2, 6)
    else:
        count = rng.choice([0, 0, 0, 0, 1, 1, 2])
    last = min(ctx.today, plan.stop or ctx.today)
    span = 240 if plan.stop or plan.trend == "declining" else 660
    return [_refusal(ctx, plan, last - datetime.timedelta(days=rng.randint(0, span))) for _ in range(count)]


def _refusal(ctx: Context, plan: Plan, day: datetime.date) -> Refusal:
    rng = ctx.rng
    reason = rng.choices(list(REFUSAL_WEIGHTS), weights=list(REFUSAL_WEIGHTS.values()))[0]
    return Refusal(
        client=plan.client,
        date=max(day, ctx.months[0]),
        product_group=rng.choice(plan.groups) if rng.random() < 0.8 else None,
        reason=reason,
        note=rng.choice(REFUSAL_NOTES[Refusal.Reason(reason)]),
    )
