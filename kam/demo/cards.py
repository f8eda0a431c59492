"""The client cards: names and INNs, points of presence, the account team and the contacts."""

import datetime
import math
import random
import re
from collections.abc import Callable
from typing import Any

from accounts.models import Client, Contact, PointOfPresence, TeamMember
from accounts.validators import WEIGHTS_10, WEIGHTS_12_FIRST, WEIGHTS_12_SECOND, inn_check_digit
from kam.demo.content import (
    ADJECTIVES,
    BRAND_HEADS,
    BRAND_TAILS,
    CLIENT_NOTES,
    DM,
    FAR_ABROAD,
    FEMALE_NAMES,
    GENERAL_DIRECTOR,
    MALE_NAMES,
    MANAGERS,
    NEAR_ABROAD,
    PATRONYMICS,
    PERSONAL_NOTES,
    POSITIONS,
    ROLE_WEIGHT,
    RU_REGIONS,
    SHOWCASE_NAME,
    SURNAMES,
    TRANSLIT,
    IndustrySpec,
    Region,
)
from kam.demo.plans import Context, Plan, region
from kam.users.models import User

# Clients ---------------------------------------------------------------------------------------------


def client_for(ctx: Context, plan: Plan) -> Client:
    name, legal_name = _company_name(ctx, plan)
    plan.domain = f"{slug(name)}.ru"
    plan.client = Client(
        name=name,
        legal_name=legal_name,
        inn=_inn(ctx, plan),
        industry=ctx.industries[plan.industry.name],
        website="" if plan.sole_trader or ctx.rng.random() < 0.15 else f"https://{plan.domain}",
        status=plan.status,
        notes=" ".join(ctx.rng.sample(CLIENT_NOTES, ctx.rng.choice([0, 0, 1, 1, 2]))),
        purchasing_centralised=plan.footprint in ("network", "international") and ctx.rng.random() < 0.85,
        responsible_manager=ctx.user(plan.manager),
    )
    return plan.client


def _company_name(ctx: Context, plan: Plan) -> tuple[str, str]:
    if plan.sole_trader:
        return _sole_trader_name(ctx)
    showcase = plan.index == 0 and SHOWCASE_NAME not in ctx.names
    name = SHOWCASE_NAME if showcase else _unique(ctx, lambda: _brand(ctx.rng, plan.industry))
    ctx.names.add(name)
    form = _legal_form(ctx.rng, plan.annual)
    return name, f"{form} «{name}»"


def _unique(ctx: Context, make: Callable[[], str]) -> str:
    for _attempt in range(20):
        name = make()
        if name not in ctx.names:
            return name
    return f"{name}-{len(ctx.names)}"


def _brand(rng: random.Random, industry: IndustrySpec) -> str:
    if rng.random() < 0.25:
        return rng.choice(BRAND_HEADS) + rng.choice(BRAND_TAILS)
    adjective, noun = rng.choice(ADJECTIVES), rng.choice(industry.he + industry.she)
    return f"{adjective if noun in industry.he else feminine_adjective(adjective)} {noun}"


def feminine_adjective(masculine: str) -> str:
    return masculine[:-2] + "ая"


def _legal_form(rng: random.Random, annual: float) -> str:
    if annual > 50_000_000:
        return rng.choice(["ПАО", "АО", "АО"])
    return "АО" if annual > 5_000_000 and rng.random() < 0.3 else "ООО"


def _sole_trader_name(ctx: Context) -> tuple[str, str]:
    while True:
        surname, first, patronymic = _person(ctx.rng)
        short = f"ИП {surname} {first[0]}.{patronymic[0]}."
        if short not in ctx.names:
            ctx.names.add(short)
            return short, f"Индивидуальный предприниматель {surname} {first} {patronymic}"


def _inn(ctx: Context, plan: Plan) -> str:
    while True:
        inn = _random_inn(ctx.rng, plan.head.inn_prefix, twelve=plan.sole_trader)
        if inn not in ctx.inns:
            ctx.inns.add(inn)
            return inn


def _random_inn(rng: random.Random, region: str, *, twelve: bool) -> str:
    """Region, tax office and serial digits, then the check digit(s) of accounts.validators."""
    serial = f"{rng.randrange(10**6):06d}" if twelve else f"{rng.randrange(10**5):05d}"
    body = f"{region}{rng.randint(1, 40):02d}{serial}"
    if not twelve:
        return body + str(inn_check_digit(body, WEIGHTS_10))
    body += str(inn_check_digit(body, WEIGHTS_12_FIRST))
    return body + str(inn_check_digit(body, WEIGHTS_12_SECOND))


def slug(text: str) -> str:
    ascii_text = "".join(TRANSLIT.get(ch, ch) for ch in text.lower())
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _person(rng: random.Random) -> tuple[str, str, str]:
    """(surname, first name, patronymic) of a man or a woman: Иванов Иван Петрович, Иванова Анна Петровна."""
    female = rng.random() < 0.45
    surname, first, patronymic = rng.choice(SURNAMES), rng.choice(MALE_NAMES), rng.choice(PATRONYMICS)
    if female:
        return surname + "а", rng.choice(FEMALE_NAMES), patronymic[:-2] + "на"
    return surname, first, patronymic


# Points of presence ---------------------------------------------------------------------------------


def points_for(ctx: Context, plan: Plan) -> list[PointOfPresence]:
    regions = [plan.head, *_other_regions(ctx.rng, plan)]
    points = [_point(ctx.rng, plan, region, head=i == 0) for i, region in enumerate(regions)]
    if plan.index == 0:
        points[0].city = plan.head.cities[0]
    if plan.expands:
        points.append(_planned_point(ctx, plan, {r.code for r in regions}))
    return points


def _other_regions(rng: random.Random, plan: Plan) -> list[Region]:
    others = [r for r in RU_REGIONS if r != plan.head]
    if plan.footprint in ("network", "uncentralised"):
        return rng.sample(others, rng.randint(1, 5))
    if plan.footprint == "international":
        far = [rng.choice(FAR_ABROAD)] if rng.random() < 0.4 else []
        return rng.sample(others, rng.randint(0, 3)) + rng.sample(NEAR_ABROAD, rng.randint(1, 2)) + far
    return []


def _point(rng: random.Random, plan: Plan, region: Region, *, head: bool) -> PointOfPresence:
    return PointOfPresence(
        client=plan.client,
        country=region.country,
        region=region.code,
        city=region.cities[0] if rng.random() < 0.7 else rng.choice(region.cities),
        is_head_office=head,
    )


def _planned_point(ctx: Context, plan: Plan, taken: set[str]) -> PointOfPresence:
    """A point the client plans to open in a region where it has none (an expansion alert)."""
    if plan.head.code == "RU-KYA" and "RU-IRK" not in taken:
        target = region("RU-IRK")
    else:
        target = ctx.rng.choice([r for r in RU_REGIONS + NEAR_ABROAD if r.code not in taken])
    point = _point(ctx.rng, plan, target, head=False)
    point.city = target.cities[0]
    point.status = PointOfPresence.Status.PLANNED
    point.planned_date = ctx.today + datetime.timedelta(days=ctx.rng.randint(20, 300))
    return point


# Account team ---------------------------------------------------------------------------------------


def team_for(ctx: Context, plan: Plan) -> list[TeamMember]:
    """Bigger clients more often have colleagues besides the responsible manager."""
    rng = ctx.rng
    if rng.random() > (0.6 if plan.annual > 5_000_000 else 0.12):
        return []
    candidates = [name for name in (*MANAGERS, "director") if name != plan.manager]
    plan.team = [ctx.users[name] for name in rng.sample(candidates, rng.randint(1, 2))]
    return [TeamMember(client=plan.client, user=user, role=_team_role(rng, user)) for user in plan.team]


def _team_role(rng: random.Random, user: User) -> str:
    if user.username == "director":
        return TeamMember.Role.EXECUTIVE
    return rng.choice([TeamMember.Role.SALES_SUPPORT, TeamMember.Role.REGIONAL, TeamMember.Role.TECHNICAL])


# Contacts --------------------------------------------------------------------------------------------


def contacts_for(ctx: Context, plan: Plan) -> list[Contact]:
    rng = ctx.rng
    size = 1 + int(2 * math.log10(max(1.0, plan.annual / 100_000))) + rng.randint(0, 2)
    size = min(size, 3) if plan.status == "prospect" else min(size, 12)
    positions = rng.sample(POSITIONS, size - 1)
    positions.insert(0, rng.choice(POSITIONS) if plan.influence == "no_dm" else GENERAL_DIRECTOR)
    contacts = [_contact(ctx, plan, *position) for position in positions]
    for contact in contacts[1:]:
        contact.is_active = rng.random() > 0.08
    _share_influence(rng, plan, [c for c in contacts if c.is_active])
    return contacts


def _contact(ctx: Context, plan: Plan, position: str, department: str, role: str) -> Contact:
    rng = ctx.rng
    surname, first, patronymic = _person(rng)
    if plan.influence != "no_dm" and position == "Коммерческий директор" and rng.random() < 0.3:
        role = DM
    return Contact(
        client=plan.client,
        name=f"{surname} {first} {patronymic}",
        position=position,
        department=department,
        phone=_phone(rng, plan.head.phone_code),
        email=f"{slug(first)[0]}.{slug(surname)}@{plan.domain}" if rng.random() < 0.85 else "",
        birthday=_birthday(rng) if rng.random() < 0.75 else None,
        personal_notes=rng.choice(PERSONAL_NOTES) if rng.random() < (0.6 if role == DM else 0.15) else "",
        decision_role=role,
        attitude=rng.choices(list(Contact.Attitude), weights=[35, 50, 15])[0],
    )


def _phone(rng: random.Random, area: str) -> str:
    """A mobile number, or an office one in the head office's area code: +7 and ten digits (E.164)."""
    if rng.random() < 0.6:
        area = f"9{rng.randrange(100):02d}"
    digits = "".join(str(rng.randrange(10)) for _ in range(10 - len(area)))
    return f"+7{area}{digits}"


def _birthday(rng: random.Random) -> datetime.date:
    return datetime.date(rng.randint(1958, 1998), rng.randint(1, 12), rng.randint(1, 28))


def _share_influence(rng: random.Random, plan: Plan, contacts: list[Contact]) -> None:
    """Split 100% (or a deliberately wrong total) over the active contacts by their role."""
    if plan.influence == "partial":
        total = rng.choice([60, 75, 85, 90] if len(contacts) == 1 else [60, 75, 85, 90, 110, 120])
    else:
        total = 100
    weights = [ROLE_WEIGHT[Contact.DecisionRole(c.decision_role)] * rng.uniform(0.6, 1.4) for c in contacts]
    for contact, share in zip(contacts, _largest_remainder(weights, total), strict=True):
        contact.influence = min(100, share)


def _largest_remainder(weights: list[float], total: int) -> list[int]:
    """Integer shares of `total` proportional to `weights` that add up to exactly `total`."""
    exact = [w * total / sum(weights) for w in weights]
    shares = [int(x) for x in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: shares[i] - exact[i])
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def known_by_for(ctx: Context, plan: Plan) -> list[Any]:
    """Which of our people know whom: the manager most, the team some, the director the bosses."""
    rng, link = ctx.rng, Contact.known_by.through
    manager, director = ctx.user(plan.manager), ctx.users["director"]
    rows = []
    for contact in plan.contacts:
        knowers = [manager] if manager and rng.random() < 0.6 else []
        knowers += [user for user in plan.team if user != director and rng.random() < 0.3]
        if contact.decision_role == DM and rng.random() < 0.4:
            knowers.append(director)
        rows += [link(contact_id=contact.pk, user_id=user.pk) for user in dict.fromkeys(knowers)]
    return rows
