"""What the pages benchmark shows, on top of `bench/generate.py`'s clients and sales: people
with their roles, contacts and touches for every client, key clients, a card full of contacts
and touches for each manager, a second nightly run (so there are notifications and a runs
log), two key-list reviews (one closed, one open) with decisions and action items, and a
manager of plans: 1,000 clients, each with a plan of five steps (5,000 steps, most due around
the day the pages are measured), development activities, and 100 of them lost silver or gold
clients, so the manager's day and the win-back list have their full pages of rows.

Key statuses are bulk-inserted: the grant service checks the cap one client at a time, which
is right for a person and far too slow for 2,000 clients; plans, steps and activities are
inserted with one INSERT ... SELECT each for the same reason.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Client, Contact, Touch
from bench.generate import copy_rows
from kam.users.models import User
from kam.users.roles import ACCOUNT_MANAGER, ADMIN, SALES_DIRECTOR
from plans.models import Activity, Plan
from segmentation.models import ActionItem, ClientFlags, Decision, KeyReason, NightlyRun, Review
from segmentation.reviews import services as reviews
from segmentation.segments.engine import recompute

PASSWORD = "bench-pages"
KEY_CLIENTS = 2_000
CONTACTS_PER_CARD = 12
TOUCHES_PER_CARD = 80
PLANNER = "bench_plans"  # the manager of plans
PLANNER_CLIENTS = 1_000
PLANNER_LOST = 100  # of them lost silver or gold clients (the win-back list)
STEPS_PER_PLAN = 5


@dataclass
class Scene:
    """The ids the pages are built from."""

    managers: list[str]  # usernames, each with a card of its own
    cards: dict[str, int]  # manager username -> one of their key clients
    key_client: int
    open_review: int
    closed_review: int
    plan_card: int  # a client of the manager of plans, with plans and activities
    last_client: int  # the one whose name no other contains ("Client <the highest id>")


def build(today: date, seed: int) -> None:
    """Everything but the clients and sales, in order: people, contacts and touches, keys, a
    second night, cards, reviews."""
    director, admin = people()
    fill_base(today, seed)
    grant_keys(director)
    recompute(today=today + timedelta(days=30), trigger="bench")  # notifications for the managers
    fill_cards(today)
    hold_reviews(director, admin, today + timedelta(days=30))
    catch_up()


def catch_up() -> bool:
    """What a database built by an earlier version lacks: the manager of plans, then a nightly run
    on the last run's day (nothing in the segments changes) so the radar's flags and per-manager
    tallies are written and count the clients the manager of plans now holds, and the run keeps
    the totals and figures the pages read. Whether it wrote anything."""
    wrote = False
    if not Plan.objects.exists():
        plan_manager(timezone.localdate())
        wrote = True
    last = NightlyRun.objects.filter(status=NightlyRun.Status.SUCCESS).latest("run_on")
    if not (ClientFlags.objects.exists() and last.totals and last.figures):
        recompute(today=last.run_on, trigger="bench")
        wrote = True
    return give_actions(timezone.localdate()) or wrote


def give_actions(due: date) -> bool:
    """An action item of the open review on each card for its manager, so that every manager's
    list of actions has rows; a manager who has one already is left as they are. Whether any
    was added."""
    review = Review.objects.get(closed_at__isnull=True)
    owners = set(ActionItem.objects.filter(item__review=review).values_list("owner__username", flat=True))
    cards = [pk for username, pk in manager_cards().items() if username not in owners]
    director = User.objects.get(username="director")
    items = review.items.filter(client__in=cards).select_related("client__responsible_manager")
    for item in items:
        manager = item.client.responsible_manager
        assert manager is not None  # the card of a manager
        reviews.action_add(item=item, what="Call the buyer", owner=manager, due=due, by=director)
    return bool(items)


def people() -> tuple[User, User]:
    """The generator's managers get a password and the role; a director and an admin join them."""
    password = make_password(PASSWORD)
    User.objects.filter(username__startswith="bench").update(password=password)
    roles = {name: Group.objects.get(name=name) for name in (ACCOUNT_MANAGER, SALES_DIRECTOR, ADMIN)}
    roles[ACCOUNT_MANAGER].user_set.add(*User.objects.filter(username__startswith="bench"))
    director = User.objects.create(
        username="director", first_name="Sales", last_name="Director", password=password
    )
    admin = User.objects.create(username="admin", first_name="The", last_name="Admin", password=password)
    director.groups.add(roles[SALES_DIRECTOR])
    admin.groups.add(roles[ADMIN])
    return director, admin


CONTACT_COLUMNS = (
    "client_id, name, position, department, phone, email, birthday, personal_notes, decision_role, "
    "influence, attitude, is_active, version"
)
TOUCH_COLUMNS = "client_id, kind, date, duration_minutes, summary, next_step, next_step_date, version"
ROLES = [choice.value for choice in Contact.DecisionRole]


def fill_base(today: date, seed: int) -> None:
    """Up to four contacts and twelve touches (calls, e-mails, meetings over two years) for every
    client, with COPY: the radar and the client list read these tables at their real size."""
    rng = random.Random(seed)
    clients = Client.objects.count()  # the generator numbers them 1..n
    copy_rows("accounts_contact", CONTACT_COLUMNS, _contacts(rng, clients))
    copy_rows("accounts_touch", TOUCH_COLUMNS, _touches(rng, clients, today))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_contact, accounts_touch")  # as autovacuum would by night-time


def _contacts(rng: random.Random, clients: int) -> Iterator[str]:
    for pk in range(1, clients + 1):
        people = rng.randint(0, 4)
        for i in range(people):
            role = ROLES[0] if i == 0 and rng.random() < 0.7 else rng.choice(ROLES[1:])
            influence = 100 // people if rng.random() < 0.6 else rng.randint(0, 60)
            yield f"{pk}\tContact {i}\tBuyer\t\t\t\t\\N\t\t{role}\t{influence}\tneutral\tt\t1\n"


def _touches(rng: random.Random, clients: int, today: date) -> Iterator[str]:
    for pk in range(1, clients + 1):
        for _ in range(rng.randint(0, 12)):
            kind = rng.choice(("call", "call", "email", "meeting"))
            day = today - timedelta(days=rng.randint(0, 730))
            step, by = (
                ("Call back", today + timedelta(days=rng.randint(-30, 60)))
                if rng.random() < 0.2
                else ("", r"\N")
            )
            yield f"{pk}\t{kind}\t{day}\t30\tTouch\t{step}\t{by}\t1\n"


def grant_keys(director: User) -> int:
    """Key status for the silver and gold clients of largest potential, within 20% of the active."""
    active = Client.objects.filter(status=Client.Status.ACTIVE).count()
    limit = min(KEY_CLIENTS, active // 5)
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO segmentation_keystatus
                (client_id, is_key, reasons, note, decided_by_id, decided_at)
            SELECT s.client_id, TRUE, %s, '', %s, NOW()
            FROM segmentation_clientsegment s JOIN accounts_client c ON c.id = s.client_id
            WHERE s.tier IN ('silver', 'gold') AND c.status = 'active'
            ORDER BY s.potential DESC, s.client_id LIMIT %s""",
            [f'["{KeyReason.POTENTIAL}"]', director.pk, limit],
        )
        return cursor.rowcount


def scene() -> Scene:
    """The managers who have a key client, each with one of them (their card), and the reviews."""
    cards = manager_cards()
    reviews_ = Review.objects.order_by("opened_at")
    planned = Activity.objects.filter(created_by__username=PLANNER)
    return Scene(
        managers=sorted(cards),
        cards=cards,
        key_client=min(cards.values()),
        open_review=reviews_.get(closed_at__isnull=True).pk,
        closed_review=reviews_.filter(closed_at__isnull=False).first().pk,  # type: ignore[union-attr]
        plan_card=planned.order_by("client").values_list("client", flat=True)[0],
        last_client=Client.objects.latest("pk").pk,
    )


def fill_cards(today: date) -> None:
    """Contacts and touches (each with one of the contacts) on every manager's card."""
    for username, pk in manager_cards().items():
        manager = User.objects.get(username=username)
        contacts = Contact.objects.bulk_create(
            Contact(client_id=pk, name=f"Contact {i}", position="Buyer", influence=100 // CONTACTS_PER_CARD)
            for i in range(CONTACTS_PER_CARD)
        )
        touches = Touch.objects.bulk_create(
            Touch(client_id=pk, date=today - timedelta(days=3 * i), summary=f"Call {i}", created_by=manager)
            for i in range(TOUCHES_PER_CARD)
        )
        Touch.contacts.through.objects.bulk_create(
            Touch.contacts.through(touch_id=t.pk, contact_id=contacts[i % len(contacts)].pk)
            for i, t in enumerate(touches)
        )


def manager_cards() -> dict[str, int]:
    """Each manager who has a key client, with the first of them."""
    cards: dict[str, int] = {}
    keys = Client.objects.filter(key_status__is_key=True).order_by("responsible_manager__username", "pk")
    for username, pk in keys.values_list("responsible_manager__username", "pk"):
        cards.setdefault(username, pk)
    return cards


def hold_reviews(director: User, admin: User, today: date) -> None:
    """A first review that revokes a key client and is closed, then an open one with decisions
    and action items for the clients' managers, so the open review shows a difference."""
    first = reviews.review_open(by=director, today=today)
    items = list(first.items.select_related("client__responsible_manager").order_by("position")[:6])
    reviews.review_decide(item=items[0], decision=Decision.REVOKE, note="No longer key", by=director)
    for item in items[1:4]:
        reviews.review_decide(item=item, decision=Decision.KEEP, note="", by=director)
    reviews.review_close(review=first, attendees=[director, admin], guests="", summary="Agreed.", by=director)
    second = reviews.review_open(by=director, today=today)
    for item in second.items.select_related("client__responsible_manager").order_by("position")[:10]:
        reviews.review_decide(item=item, decision=Decision.WATCH, note="Watch the share", by=director)
        manager = item.client.responsible_manager
        if manager is not None:
            reviews.action_add(item=item, what="Visit the head office", owner=manager, due=today, by=director)


@transaction.atomic
def plan_manager(today: date) -> None:
    """A manager with PLANNER_CLIENTS clients taken from the others (PLANNER_LOST of them lost
    silver or gold clients, the rest every hundredth client), a plan of STEPS_PER_PLAN steps
    on each (win-back for the lost ones, retention or development for the others) and one or
    two development activities on each. The steps of a plan fall a week apart around `today`
    (the day the pages are measured), the first two done: each step is overdue, due this
    week or later. The flags and tallies are stale until the next nightly run."""
    planner = User.objects.create(
        username=PLANNER, first_name="Plan", last_name="Manager", password=make_password(PASSWORD)
    )
    planner.groups.add(Group.objects.get(name=ACCOUNT_MANAGER))
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE accounts_client SET responsible_manager_id = %(planner)s WHERE id IN (
                (SELECT s.client_id FROM segmentation_clientsegment s
                 WHERE s.lost_status = 'lost' AND s.tier IN ('silver', 'gold')
                 ORDER BY s.client_id LIMIT %(lost)s)
                UNION ALL
                (SELECT c.id FROM accounts_client c JOIN segmentation_clientsegment s ON s.client_id = c.id
                 WHERE NOT (s.lost_status = 'lost' AND s.tier IN ('silver', 'gold')) AND c.id %% 100 = 7
                 ORDER BY c.id LIMIT %(rest)s))""",
            {"planner": planner.pk, "lost": PLANNER_LOST, "rest": PLANNER_CLIENTS - PLANNER_LOST},
        )
        cursor.execute(
            """INSERT INTO plans_plan (client_id, kind, owner_id, status, started_on, outcome,
                outcome_note, lost_criteria, offer_kind, offer_text, version)
            SELECT c.id, CASE WHEN s.lost_status = 'lost' THEN 'win_back'
                    WHEN c.id %% 2 = 0 THEN 'retention' ELSE 'development' END,
                c.responsible_manager_id, 'active', %(today)s::date - 14 - (c.id %% 28)::int,
                '', '', '{}', '', '', 1
            FROM accounts_client c JOIN segmentation_clientsegment s ON s.client_id = c.id
            WHERE c.responsible_manager_id = %(planner)s""",
            {"planner": planner.pk, "today": today},
        )
        cursor.execute(
            """INSERT INTO plans_planstep (plan_id, position, text_en, text_ru, assignee_id, due,
                done_on, note, version)
            SELECT p.id, n, 'Step ' || n, 'Шаг ' || n, p.owner_id, p.started_on + 7 * n,
                CASE WHEN n <= 2 THEN p.started_on + 7 * n END, '', 1
            FROM plans_plan p CROSS JOIN generate_series(1, %(steps)s) AS n
            WHERE p.owner_id = %(planner)s""",
            {"planner": planner.pk, "steps": STEPS_PER_PLAN},
        )
        cursor.execute(
            """INSERT INTO plans_activity (client_id, kind, date, title, summary, rung, plan_id,
                created_by_id, version)
            SELECT p.client_id,
                (ARRAY['project_group', 'training', 'consulting', 'vip_event'])
                    [1 + ((p.client_id + n) %% 4)::int],
                p.started_on + 10 * n, 'Activity ' || n, '', 1 + (p.client_id + n) %% 6, p.id, p.owner_id, 1
            FROM plans_plan p CROSS JOIN generate_series(1, 2) AS n
            WHERE p.owner_id = %(planner)s AND (n = 1 OR p.client_id %% 3 = 0)""",
            {"planner": planner.pk},
        )
        cursor.execute("ANALYZE accounts_client, plans_plan, plans_planstep, plans_activity")
