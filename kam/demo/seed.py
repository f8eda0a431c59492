"""Seeding: the demo users and reference data, then the generated rows, model by model, in bulk."""

import datetime
import random
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from accounts.models import (
    Client,
    Contact,
    Industry,
    PointOfPresence,
    ProductGroup,
    Refusal,
    Sale,
    TeamMember,
    Touch,
)
from kam.demo.activity import refusals_for, sales_for, touches_for
from kam.demo.cards import client_for, contacts_for, known_by_for, points_for, team_for
from kam.demo.content import DEMO_PASSWORD, DEMO_USERS, INDUSTRIES, OWN_LOCATIONS, PRODUCT_GROUPS
from kam.demo.estimates import potential_estimates
from kam.demo.plans import Context, Plan, make_plans
from kam.users import roles
from kam.users.models import User
from segmentation.models import OwnLocation, PotentialEstimate

BATCH = 2000


def seed_demo(*, clients: int, seed: int, today: datetime.date | None = None) -> dict[str, int]:
    """Create demo users, reference data and `clients` client cards with 24 months of history.

    1. users for every role, industries and product groups (reused if present);
    2. a plan per client: every random choice, made in a fixed order;
    3. the rows, model by model, in bulk, the potential estimates and our own locations last.
    """
    ctx = Context(random.Random(seed), today or timezone.localdate(), {}, {}, {})
    with transaction.atomic():
        # A second seed into the same database must not repeat a name or an INN.
        ctx.names = set(Client.objects.values_list("name", flat=True))
        ctx.inns = set(Client.objects.values_list("inn", flat=True))
        ctx.users = _demo_users()
        ctx.industries = {spec.name: Industry.objects.get_or_create(name=spec.name)[0] for spec in INDUSTRIES}
        ctx.groups = {name: ProductGroup.objects.get_or_create(name=name)[0] for name in PRODUCT_GROUPS}
        return _create_rows(ctx, make_plans(ctx, clients))


def demo_logins() -> list[tuple[str, str]]:
    """(role label, username) of each demo user present in the database."""
    present = set(
        User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).values_list("username", flat=True)
    )
    return [
        (str(roles.ROLE_LABELS[role]).lower(), name) for name, _f, _l, role in DEMO_USERS if name in present
    ]


def _demo_users() -> dict[str, User]:
    """The demo logins; an existing user keeps its password (it may be a real account)."""
    password = make_password(DEMO_PASSWORD)  # hashed once: each hash costs a noticeable fraction of a second
    users = {}
    for username, first_name, last_name, role in DEMO_USERS:
        defaults = {"first_name": first_name, "last_name": last_name, "password": password}
        user, _created = User.objects.get_or_create(
            username=username, defaults={**defaults, "email": f"{username}@example.com"}
        )
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
    return users


def _create_rows(ctx: Context, plans: list[Plan]) -> dict[str, int]:
    """Model by model; the order matters: touches need the contacts and the team, estimates the sales.

    New kinds of rows go last, so that a seed's earlier rows stay the same as before.
    """
    author = ctx.users["admin"]  # the history shows the demo admin as the author of the seed
    counts = {"users": len(ctx.users), "industries": len(ctx.industries), "product_groups": len(ctx.groups)}
    counts["clients"] = _bulk(Client, [client_for(ctx, plan) for plan in plans], author)
    counts["points"] = _bulk(PointOfPresence, [p for plan in plans for p in points_for(ctx, plan)], author)
    counts["team_members"] = _bulk(TeamMember, [m for plan in plans for m in team_for(ctx, plan)], author)
    counts["contacts"] = _create_contacts(ctx, plans, author)
    counts["touches"] = _create_touches(ctx, plans, author)
    sales = [s for plan in plans for s in sales_for(ctx, plan)]
    counts["sales"] = _bulk(Sale, sales)
    counts["refusals"] = _bulk(Refusal, [r for plan in plans for r in refusals_for(ctx, plan)], author)
    counts["estimates"] = _bulk(PotentialEstimate, potential_estimates(ctx, plans, sales), author)
    counts["own_locations"] = _create_own_locations(author)
    return counts


def _bulk(model: type[models.Model], rows: list[Any], history_user: User | None = None) -> int:
    if history_user is None:
        model._default_manager.bulk_create(rows, batch_size=BATCH)
    else:
        bulk_create_with_history(rows, model, batch_size=BATCH, default_user=history_user)
    return len(rows)


def _create_contacts(ctx: Context, plans: list[Plan], history_user: User) -> int:
    for plan in plans:
        plan.contacts = contacts_for(ctx, plan)
    contacts = [c for plan in plans for c in plan.contacts]
    bulk_create_with_history(contacts, Contact, batch_size=BATCH, default_user=history_user)
    links = [link for plan in plans for link in known_by_for(ctx, plan)]
    Contact.known_by.through.objects.bulk_create(links, batch_size=BATCH)
    return len(contacts)


def _create_touches(ctx: Context, plans: list[Plan], history_user: User) -> int:
    drafts = [draft for plan in plans for draft in touches_for(ctx, plan)]
    touches = [touch for touch, _c, _p in drafts]
    bulk_create_with_history(touches, Touch, batch_size=BATCH, default_user=history_user)
    contact_link, participant_link = Touch.contacts.through, Touch.participants.through
    contact_rows = [contact_link(touch_id=t.pk, contact_id=c.pk) for t, cs, _p in drafts for c in cs]
    participant_rows = [participant_link(touch_id=t.pk, user_id=u.pk) for t, _c, us in drafts for u in us]
    contact_link.objects.bulk_create(contact_rows, batch_size=BATCH)
    participant_link.objects.bulk_create(participant_rows, batch_size=BATCH)
    return len(touches)


def _create_own_locations(history_user: User) -> int:
    """Our own branches, warehouses and representatives; those already present (by name) are kept."""
    present = set(OwnLocation.objects.values_list("name", flat=True))
    rows = [
        OwnLocation(name=name, kind=kind, country=country, region=region, is_active=active)
        for name, kind, country, region, active in OWN_LOCATIONS
        if name not in present
    ]
    return _bulk(OwnLocation, rows, history_user)
