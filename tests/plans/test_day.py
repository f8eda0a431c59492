"""The manager's day: due action items, birthdays in the next two weeks (a congratulation in
one click), the flagged clients and the next steps due, in a constant number of queries."""

from datetime import date, timedelta
from itertools import pairwise

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Client, Contact, Touch
from plans.day import selectors
from plans.services import plan_create
from segmentation.models import ActionItem, Policy, Review, ReviewItem
from tests.factories import ClientFactory, ContactFactory, TeamMemberFactory, TouchFactory
from tests.helpers import messages_of

pytestmark = pytest.mark.django_db
DAY_URL = reverse("plans:day")
TODAY = date(2026, 12, 20)


def contact(client, name, birthday, role=Contact.DecisionRole.DECISION_MAKER, **extra):
    return ContactFactory(client=client, name=name, birthday=birthday, decision_role=role, **extra)


def names(section):
    return [row.contact.name for row in section.rows]


def test_birthdays_in_the_next_two_weeks_soonest_first_across_the_new_year(manager, client_card):
    contact(client_card, "Today", date(1980, 12, 20))
    contact(client_card, "New Year", date(1975, 1, 1))
    contact(client_card, "Last day", date(1990, 1, 3))
    contact(client_card, "Too late", date(1990, 1, 4))
    contact(client_card, "Yesterday", date(1990, 12, 19))
    contact(client_card, "A user", date(1990, 12, 21), role=Contact.DecisionRole.USER)
    contact(client_card, "Left", date(1990, 12, 22), is_active=False)
    contact(ClientFactory(), "Not mine", date(1990, 12, 22))
    teamed = ClientFactory()
    TeamMemberFactory(client=teamed, user=manager)
    contact(teamed, "On my team", date(1985, 12, 25), role=Contact.DecisionRole.INFLUENCER)

    found = selectors.birthdays(manager, TODAY)

    assert names(found) == ["Today", "On my team", "New Year", "Last day"]
    assert [row.on for row in found.rows] == [TODAY, date(2026, 12, 25), date(2027, 1, 1), date(2027, 1, 3)]


def test_29_february_counts_on_28_february_without_a_leap_day(manager, client_card):
    contact(client_card, "Leap", date(1988, 2, 29))

    assert [r.on for r in selectors.birthdays(manager, date(2027, 2, 20)).rows] == [date(2027, 2, 28)]
    assert [r.on for r in selectors.birthdays(manager, date(2028, 2, 20)).rows] == [date(2028, 2, 29)]


def test_29_february_sorts_as_28_february_without_a_leap_day_and_after_it_with_one(manager, client_card):
    contact(client_card, "Early", date(1980, 2, 21))
    contact(client_card, "Eve", date(1981, 2, 28))
    contact(client_card, "Aaron", date(1988, 2, 29))
    contact(client_card, "March", date(1982, 3, 1))

    assert names(selectors.birthdays(manager, date(2027, 2, 20))) == ["Early", "Aaron", "Eve", "March"]
    assert names(selectors.birthdays(manager, date(2028, 2, 20))) == ["Early", "Eve", "Aaron", "March"]


def test_a_congratulation_is_logged_as_a_touch_in_one_click(manager, client_card, as_manager):
    person = contact(client_card, "Ivan Kuzmin", date.today() + timedelta(days=2))

    response = as_manager.post(reverse("plans:congratulate", args=[client_card.pk, person.pk]))

    assert response.url == DAY_URL
    assert messages_of(response) == ["Your congratulation of Ivan Kuzmin is logged as a touch."]
    touch = Touch.objects.get()
    assert (touch.kind, touch.date, touch.summary, touch.created_by) == (
        "congratulation",
        date.today(),
        "Birthday congratulations",
        manager,
    )
    assert list(touch.contacts.all()) == [person]
    assert list(touch.participants.all()) == [manager]
    assert selectors.birthdays(manager, date.today()).rows[0].congratulated is True


def test_congratulating_another_manager_s_contact_is_not_found(client_card, as_outsider):
    person = contact(client_card, "Ivan Kuzmin", date.today())
    assert (
        as_outsider.post(reverse("plans:congratulate", args=[client_card.pk, person.pk])).status_code == 404
    )
    assert not Touch.objects.exists()


def test_a_contact_of_another_client_is_not_found(manager, client_card, as_manager):
    other = contact(ClientFactory(responsible_manager=manager), "Elsewhere", date.today())
    url = reverse("plans:congratulate", args=[client_card.pk, other.pk])
    assert as_manager.post(url).status_code == 404
    assert as_manager.get(url).status_code == 405
    assert not Touch.objects.exists()


def test_next_steps_due_are_each_client_s_latest_step(manager, client_card):
    TouchFactory(
        client=client_card,
        date=TODAY - timedelta(days=30),
        next_step="Old",
        next_step_date=TODAY - timedelta(days=20),
    )
    TouchFactory(
        client=client_card, date=TODAY - timedelta(days=3), next_step="Send the offer", next_step_date=TODAY
    )
    other = ClientFactory(responsible_manager=manager, name="Later Co")
    TouchFactory(
        client=other,
        date=TODAY - timedelta(days=3),
        next_step="Not yet",
        next_step_date=TODAY + timedelta(days=1),
    )
    late = ClientFactory(responsible_manager=manager, name="Late Co")
    TouchFactory(
        client=late,
        date=TODAY - timedelta(days=9),
        next_step="Call back",
        next_step_date=TODAY - timedelta(days=2),
    )

    found = selectors.next_steps_due(manager, TODAY)

    assert [(client.name, client.next_step) for client in found.rows] == [
        ("Siberian Steel", "Send the offer"),
        ("Late Co", "Call back"),
    ]


def test_next_steps_due_of_own_and_account_team_clients_once_each(manager, client_card):
    def step(client: Client, due: date, text: str = "Call") -> Client:
        TouchFactory(client=client, date=TODAY - timedelta(days=10), next_step=text, next_step_date=due)
        return client

    step(client_card, TODAY - timedelta(days=1), "Mine")
    teamed = step(ClientFactory(name="Teamed Co"), TODAY, "On my team")
    TeamMemberFactory(client=teamed, user=manager)
    both = step(ClientFactory(responsible_manager=manager, name="Both Co"), TODAY - timedelta(days=5), "Both")
    TeamMemberFactory(client=both, user=manager)
    later = step(ClientFactory(name="Teamed later"), TODAY + timedelta(days=1))
    TeamMemberFactory(client=later, user=manager)
    step(ClientFactory(responsible_manager=manager, name="Own later"), TODAY + timedelta(days=2))
    step(ClientFactory(name="Not mine"), TODAY - timedelta(days=1))
    ClientFactory(responsible_manager=manager, name="No step")

    found = selectors.next_steps_due(manager, TODAY)

    assert [(client.name, client.next_step) for client in found.rows] == [
        ("Teamed Co", "On my team"),
        ("Siberian Steel", "Mine"),
        ("Both Co", "Both"),
    ]
    assert found.total == 3


def test_the_newest_next_steps_are_taken_across_own_and_team_clients(manager):
    """More of each than the day shows: the newest of both together, and all of them counted."""
    due = {}
    for n in range(selectors.STEPS_LIMIT + 2):
        for kind, owner in (("Own", manager), ("Team", None)):
            card = ClientFactory(responsible_manager=owner, name=f"{kind} {n:02}")
            if owner is None:
                TeamMemberFactory(client=card, user=manager)
            on = TODAY - timedelta(days=2 * n + (kind == "Team"))
            TouchFactory(client=card, date=TODAY - timedelta(days=30), next_step="Call", next_step_date=on)
            due[card.name] = on

    found = selectors.next_steps_due(manager, TODAY)

    newest = sorted(due, key=lambda name: due[name], reverse=True)[: selectors.STEPS_LIMIT]
    assert [client.name for client in found.rows] == newest
    assert newest[:3] == ["Own 00", "Team 00", "Own 01"]
    assert found.total == 2 * (selectors.STEPS_LIMIT + 2)


def test_the_clients_manager_column_leads_two_indexes_not_three(db):
    """The foreign key's own index is dropped (`client_manager_idx` leads with its column), by
    name: altering the field would remake the table on SQLite and lose the triggers on it."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Client._meta.db_table)
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                ["accounts_client"],
            )
            assert cursor.fetchone()[0] > 0
    led = {
        name
        for name, c in constraints.items()
        if c["index"] and c["columns"][:1] == ["responsible_manager_id"]
    }

    assert led == {"client_manager_idx", "client_manager_step_idx"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index's plan is PostgreSQL's")
def test_own_next_steps_due_are_read_off_the_manager_s_index(manager, client_card):
    """Only the manager's clients with a step due are read, off (manager, due date): not every
    client of theirs probed for its date."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'client_manager_step_idx'")
        (definition,) = cursor.fetchone()
        cursor.execute("SET LOCAL enable_seqscan = off")  # what a few rows make cheaper than any index
        plan = selectors._NEXT_STEPS.build(manager.pk, TODAY).explain()

    assert definition.endswith(
        "(responsible_manager_id, next_step_due, id) WHERE (NOT ((next_step)::text = ''::text))"
    )
    lines = plan.splitlines()
    assert any(
        "using client_manager_step_idx" in scan
        and f"(responsible_manager_id = {manager.pk}) AND" in condition
        for scan, condition in pairwise(lines)
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index's plan is PostgreSQL's")
def test_each_client_s_latest_step_is_read_through_the_partial_index(manager, client_card):
    """Only the touches that set a next step are indexed, newest first per client: finding each
    client's latest one reads that index, not every touch of the client."""
    TouchFactory(client=client_card, next_step="Send the offer", next_step_date=TODAY)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'touch_next_step_idx'")
        (definition,) = cursor.fetchone()
        for method in ("seqscan", "indexscan"):  # what a few rows make cheaper than any index
            cursor.execute(f"SET LOCAL enable_{method} = off")
        latest = Touch.objects.filter(client=client_card).exclude(next_step="").order_by("-date", "-id")
        plan = latest[:1].explain()

    assert definition.endswith("(client_id, date DESC, id DESC) WHERE (NOT ((next_step)::text = ''::text))")
    assert "touch_next_step_idx" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the index's plan is PostgreSQL's")
def test_birthdays_are_probed_among_the_decision_group_with_one(manager, client_card):
    """Only the active decision makers and influencers with a birthday are indexed: a client's
    other contacts are not read to find none."""
    contact(client_card, "Boris", TODAY + timedelta(days=3))
    contact(client_card, "No birthday", None)
    contact(client_card, "Cleaner", TODAY, role=Contact.DecisionRole.OTHER)
    with CaptureQueriesContext(connection) as captured:
        found = selectors.birthdays(manager, TODAY)
    execute = captured[0]["sql"].split("; ")[-1]  # the plan it runs for any day: the generic one
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute("EXPLAIN " + execute)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert names(found) == ["Boris"]
    assert "contact_birthday_idx" in plan, plan


def test_action_items_due_this_week_overdue_first(manager, director, client_card):
    review = Review.objects.create(opened_by=director)
    item = ReviewItem.objects.create(review=review, client=client_card, position=1)
    for what, days, status in [
        ("Late", -2, "open"),
        ("Soon", 7, "open"),
        ("Later", 8, "open"),
        ("Done", 0, "done"),
    ]:
        ActionItem.objects.create(
            item=item,
            what=what,
            owner=manager,
            due=TODAY + timedelta(days=days),
            status=status,
            created_by=director,
        )

    found = selectors.action_items(manager, TODAY)

    assert [(a.what, a.client_pk, a.client_name) for a in found.rows] == [
        ("Late", client_card.pk, client_card.name),
        ("Soon", client_card.pk, client_card.name),
    ]
    assert found.total == 2


def test_the_day_links_each_action_item_and_plan_step_to_its_client(
    manager, director, client_card, as_manager
):
    today = date.today()
    review = Review.objects.create(opened_by=director)
    item = ReviewItem.objects.create(review=review, client=client_card, position=1)
    ActionItem.objects.create(item=item, what="Call the buyer", owner=manager, due=today, created_by=director)
    plan = plan_create(client=client_card, kind="development", by=manager, today=today - timedelta(days=400))
    step = plan.steps.order_by("position").first()
    assert step is not None

    page = as_manager.get(DAY_URL).content.decode()

    card = reverse("accounts:client_detail", args=[client_card.pk])
    plans = reverse("plans:client_plans", args=[client_card.pk])
    assert f'Call the buyer — <a href="{card}">{client_card.name}</a>' in page
    kind = '<span class="small text-muted">(Development plan)</span>'
    assert f'<a href="{plans}">{client_card.name}</a>: {step.text} {kind}' in page


def test_flag_counts_link_into_the_user_s_filtered_client_list(manager, client_card):
    from segmentation.radar.services import refresh

    refresh(TODAY, Policy.current())  # as the nightly run does
    counts = selectors.flag_counts(manager)

    assert [(c.flag.name, c.count) for c in counts] == [
        ("at_risk", 0),
        ("no_touch", 1),
        ("no_decision_maker", 1),
        ("influence", 0),
        ("potential_stale", 1),
    ]
    assert counts[1].url == f"{reverse('accounts:client_list')}?flag=no_touch&manager={manager.pk}"


def test_flag_counts_count_each_flag_on_the_user_s_own_clients_only(manager, director):
    from segmentation.models import ClientFlags

    rows = [
        {"at_risk": True, "no_touch": True},
        {"no_touch": True, "influence": True},
        {"potential_stale": True, "no_decision_maker": True, "never_met": True},
        {},
    ]
    for flags in rows:
        ClientFlags.objects.create(client=ClientFactory(responsible_manager=manager), **flags)
    ClientFactory(responsible_manager=manager)  # not judged yet: no flags row
    ClientFlags.objects.create(
        client=ClientFactory(responsible_manager=director), at_risk=True, no_touch=True
    )

    counts = selectors.flag_counts(manager)

    assert [(c.flag.name, c.count) for c in counts] == [
        ("at_risk", 1),
        ("no_touch", 2),
        ("no_decision_maker", 1),
        ("influence", 1),
        ("potential_stale", 1),
    ]


def test_the_day_page_for_anyone_signed_in_and_no_one_else(client, manager, as_manager):
    assert as_manager.get(DAY_URL).status_code == 200
    assert as_manager.post(DAY_URL).status_code == 405
    as_manager.logout()
    assert client.get(DAY_URL).url == f"/login/?next={DAY_URL}"


def test_a_manager_sees_only_their_own_day(client_card, as_outsider):
    contact(client_card, "Ivan Kuzmin", date.today())
    page = as_outsider.get(DAY_URL).content.decode()
    assert "Ivan Kuzmin" not in page
    assert "Siberian Steel" not in page


@pytest.mark.parametrize("count", [1, 50])
def test_the_day_runs_a_constant_number_of_queries(manager, director, as_manager, assert_queries, count):
    today = date.today()
    review = Review.objects.create(opened_by=director)
    for n in range(count):
        card = ClientFactory(responsible_manager=manager)
        contact(card, f"Person {n}", today + timedelta(days=n % 14))
        TouchFactory(client=card, date=today - timedelta(days=1), next_step="Call", next_step_date=today)
        item = ReviewItem.objects.create(review=review, client=card, position=n + 1)
        ActionItem.objects.create(item=item, what="Do", owner=manager, due=today, created_by=director)
        plan_create(client=card, kind="development", by=manager, today=today - timedelta(days=400))

    response = assert_queries(6, lambda: as_manager.get(DAY_URL))

    assert len(response.context["birthdays"].rows) == count
    assert len(response.context["next_steps"].rows) == min(count, selectors.STEPS_LIMIT)
    assert response.context["next_steps"].total == count
    assert len(response.context["actions"].rows) == count
    assert len(response.context["steps"].rows) == min(6 * count, 50)


def test_plan_steps_due_this_week_overdue_first(manager, client_card):
    from plans.models import PlanStep
    from plans.services import plan_create

    plan = plan_create(client=client_card, kind="development", by=manager, today=TODAY - timedelta(days=30))
    steps = list(plan.steps.order_by("position"))
    PlanStep.objects.filter(pk=steps[0].pk).update(due=TODAY - timedelta(days=2))
    PlanStep.objects.filter(pk=steps[1].pk).update(due=TODAY + timedelta(days=7))
    PlanStep.objects.filter(pk=steps[2].pk).update(due=TODAY + timedelta(days=8))
    PlanStep.objects.filter(pk=steps[3].pk).update(due=TODAY, done_on=TODAY)
    PlanStep.objects.filter(pk__in=[s.pk for s in steps[4:]]).update(due=TODAY + timedelta(days=60))

    found = selectors.plan_steps(manager, TODAY)

    assert [s.pk for s in found.rows] == [steps[0].pk, steps[1].pk]
    assert [(s.client_pk, s.client_name, s.plan_kind) for s in found.rows] == [
        (client_card.pk, client_card.name, "development")
    ] * 2
    assert found.total == 2
