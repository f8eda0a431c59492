"""The estimates-to-do tally kept by triggers: exact rows after every kind of write to clients
and estimates, the directors' counts read from it, and a recount as the oracle."""

import random
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Client
from segmentation.models import EstimateMonthTally, EstimateTally, Policy, PotentialEstimate
from segmentation.potential import selectors, services
from tests.factories import (
    ClientFactory,
    DirectorFactory,
    ManagerFactory,
    ProductGroupFactory,
    TeamMemberFactory,
)

NEVER = EstimateTally.NEVER
JAN, FEB, MAR = date(2024, 1, 10), date(2024, 2, 10), date(2024, 3, 10)


def tally() -> dict[tuple[int, date], int]:
    """The day tally's rows that count; the month tally checked against it on every read."""
    days = day_rows()
    assert months() == summed_by_month(days)
    return days


def day_rows() -> dict[tuple[int, date], int]:
    rows = EstimateTally.objects.exclude(clients=0).values_list("manager", "last_estimated", "clients")
    return {(manager, day): clients for manager, day, clients in rows}


def months() -> dict[tuple[int, date], int]:
    rows = EstimateMonthTally.objects.exclude(clients=0).values_list("manager", "month", "clients")
    return {(manager, month): clients for manager, month, clients in rows}


def summed_by_month(days: dict[tuple[int, date], int]) -> dict[tuple[int, date], int]:
    summed: dict[tuple[int, date], int] = {}
    for (manager, day), clients in days.items():
        key = (manager, day.replace(day=1))
        summed[key] = summed.get(key, 0) + clients
    return {key: clients for key, clients in summed.items() if clients}


def recount() -> dict[tuple[int, date], int]:
    """The oracle: every current client under its manager and newest estimate, in Python."""
    counted: dict[tuple[int, date], int] = {}
    for client in Client.objects.exclude(status=Client.Status.INACTIVE):
        days = [e.estimated_on for e in PotentialEstimate.objects.filter(client=client)]
        key = (client.responsible_manager_id or 0, max(days, default=NEVER))
        counted[key] = counted.get(key, 0) + 1
    return counted


def estimate(client, on, group=None):
    return PotentialEstimate.objects.create(
        client=client,
        product_group=group or ProductGroupFactory(),
        amount=Decimal(1000),
        source=PotentialEstimate.Source.SURVEY,
        estimated_on=on,
    )


@pytest.fixture
def anna(db):
    return ManagerFactory()


@pytest.fixture
def oleg(db):
    return ManagerFactory()


def test_a_new_client_counts_as_not_analysed_unless_inactive(anna):
    ClientFactory(responsible_manager=anna)
    ClientFactory(responsible_manager=None)
    ClientFactory(responsible_manager=anna, status=Client.Status.INACTIVE)

    assert tally() == {(anna.pk, NEVER): 1, (0, NEVER): 1}


def test_estimates_move_the_client_to_its_newest_day(anna):
    client = ClientFactory(responsible_manager=anna)

    february = estimate(client, FEB)
    assert tally() == {(anna.pk, FEB): 1}
    estimate(client, JAN)
    assert tally() == {(anna.pk, FEB): 1}
    march = estimate(client, MAR)
    assert tally() == {(anna.pk, MAR): 1}
    march.estimated_on = date(2023, 12, 1)
    march.save()
    assert tally() == {(anna.pk, FEB): 1}
    february.delete()
    assert tally() == {(anna.pk, JAN): 1}
    PotentialEstimate.objects.filter(client=client).delete()
    assert tally() == {(anna.pk, NEVER): 1}


def test_the_services_keep_the_tally(anna):
    client = ClientFactory(responsible_manager=anna)
    group = ProductGroupFactory()

    saved = services.estimate_save(
        client=client,
        product_group=group,
        amount=Decimal(5),
        source=PotentialEstimate.Source.OTHER,
        estimated_on=MAR,
        author=anna,
    )
    assert tally() == {(anna.pk, MAR): 1}
    services.estimate_delete(estimate=saved, by=anna)
    assert tally() == {(anna.pk, NEVER): 1}


def test_an_estimate_moved_to_another_client_moves_both(anna, oleg):
    first, second = ClientFactory(responsible_manager=anna), ClientFactory(responsible_manager=oleg)
    moved = estimate(first, MAR)
    estimate(second, JAN)

    PotentialEstimate.objects.filter(pk=moved.pk).update(client=second)

    assert tally() == {(anna.pk, NEVER): 1, (oleg.pk, MAR): 1}


def test_reassignment_status_and_deletion_move_the_count(anna, oleg):
    client = ClientFactory(responsible_manager=anna)
    estimate(client, FEB)

    client.responsible_manager = oleg
    client.save()
    assert tally() == {(oleg.pk, FEB): 1}
    Client.objects.filter(pk=client.pk).update(responsible_manager=None)
    assert tally() == {(0, FEB): 1}
    Client.objects.filter(pk=client.pk).update(status=Client.Status.INACTIVE)
    assert tally() == {}
    Client.objects.filter(pk=client.pk).update(status=Client.Status.PROSPECT, responsible_manager=anna)
    assert tally() == {(anna.pk, FEB): 1}
    client.delete()
    assert tally() == {}


def test_estimates_of_an_inactive_client_count_nowhere(anna):
    client = ClientFactory(responsible_manager=anna, status=Client.Status.INACTIVE)

    estimate(client, FEB).delete()

    assert tally() == {}


def test_the_tally_matches_a_recount_after_random_writes(anna, oleg):
    dice = random.Random(12)
    managers = [anna, oleg, None]
    groups = [ProductGroupFactory() for _ in range(3)]
    clients = [ClientFactory(responsible_manager=dice.choice(managers)) for _ in range(6)]
    days = [date(2023, 1, 1), JAN, FEB, MAR]
    for _ in range(80):
        client = dice.choice(clients)
        action = dice.randrange(4)
        if action == 0:
            PotentialEstimate.objects.update_or_create(
                client=client,
                product_group=dice.choice(groups),
                defaults={"amount": 1, "source": "other", "estimated_on": dice.choice(days)},
            )
        elif action == 1:
            PotentialEstimate.objects.filter(client=client, product_group=dice.choice(groups)).delete()
        elif action == 2:
            client.responsible_manager = dice.choice(managers)
            client.save()
        else:
            client.status = dice.choice(Client.Status.values)
            client.save()

    assert tally() == recount()


def test_the_director_reads_the_counts_from_the_tally(anna, oleg):
    never, stale, fresh = (ClientFactory(responsible_manager=anna) for _ in range(3))
    estimate(stale, date(2023, 6, 1))
    estimate(fresh, date(2025, 1, 1))
    ClientFactory(responsible_manager=oleg)
    policy = Policy.current()
    today = date(2025, 3, 31)

    def counts():
        found = selectors.todo_counts(DirectorFactory(), today=today, policy=policy)
        return [(c.manager, c.not_analysed, c.stale) for c in found]

    assert counts() == sorted([(anna, 1, 1), (oleg, 1, 0)], key=lambda row: str(row[0]))
    estimate(never, today)
    assert counts() == sorted([(anna, 0, 1), (oleg, 1, 0)], key=lambda row: str(row[0]))


@pytest.mark.parametrize(
    ("today", "stale"),
    [
        (date(2025, 3, 15), 4),  # the cutoff, 2024-03-15, mid-month: its month's days before it count
        (date(2025, 3, 1), 2),  # the cutoff on the first of its month: the months before alone
        (date(2025, 4, 1), 5),  # the cutoff month's days all before the cutoff
    ],
)
def test_stale_counts_sum_the_months_before_the_cutoffs_and_its_days_before_it(anna, today, stale):
    ClientFactory(responsible_manager=anna)
    for day in (date(2023, 7, 1), date(2024, 2, 29), date(2024, 3, 1), date(2024, 3, 14), date(2024, 3, 15)):
        estimate(ClientFactory(responsible_manager=anna), day)
    estimate(ClientFactory(responsible_manager=anna), date(2024, 4, 1))
    policy = Policy.current()
    assert policy.estimate_stale_months == 12

    for viewer in (DirectorFactory(), anna):
        found = selectors.todo_counts(viewer, today=today, policy=policy)
        assert [(c.manager, c.not_analysed, c.stale) for c in found] == [(anna, 1, stale)]


def test_a_manager_reads_their_own_from_the_tally_and_counts_their_teams(anna, oleg):
    never, stale = ClientFactory(responsible_manager=anna), ClientFactory(responsible_manager=anna)
    estimate(stale, date(2023, 6, 1))
    team = ClientFactory(responsible_manager=oleg)
    TeamMemberFactory(client=team, user=anna)
    TeamMemberFactory(client=never, user=anna)  # on the team of their own client: counted once
    ClientFactory(responsible_manager=oleg)  # not theirs
    policy = Policy.current()
    today = date(2025, 3, 31)

    def counts():
        found = selectors.todo_counts(anna, today=today, policy=policy)
        return [(c.manager, c.not_analysed, c.stale) for c in found]

    assert counts() == sorted([(anna, 1, 1), (oleg, 1, 0)], key=lambda row: str(row[0]))
    estimate(team, today)
    estimate(stale, today)
    assert counts() == [(anna, 1, 0)]


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_the_clients_already_there():
    """Written while the triggers are not there yet (the tables are the current ones)."""
    before = [("segmentation", "0015_run_figures")]
    after = [("segmentation", "0016_estimate_tally")]
    MigrationExecutor(connection).migrate(before)
    try:
        manager = ManagerFactory()
        estimate(ClientFactory(responsible_manager=manager), FEB)
        ClientFactory(responsible_manager=None)
        ClientFactory(responsible_manager=manager, status=Client.Status.INACTIVE)
        MigrationExecutor(connection).migrate(after)
        counted = day_rows()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert counted == {(manager.pk, FEB): 1, (0, NEVER): 1}


@pytest.mark.django_db(transaction=True)
def test_the_month_tally_migration_sums_the_days_already_there():
    before = [("segmentation", "0035_lost_key_indexes")]
    after = [("segmentation", "0036_estimate_month_tally")]
    MigrationExecutor(connection).migrate(before)
    try:
        manager = ManagerFactory()
        for day in (JAN, date(2024, 1, 31), FEB):
            estimate(ClientFactory(responsible_manager=manager), day)
        ClientFactory(responsible_manager=None)
        EstimateTally.objects.create(manager=999_999, last_estimated=NEVER, clients=-1)  # as a flush leaves
        MigrationExecutor(connection).migrate(after)
        summed, days = months(), day_rows()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    # The day tally may hold what an earlier test's flush left (its clients deleted after the
    # tally): the months are its sum, whatever it holds; the new manager's are known.
    assert summed == summed_by_month(days)
    assert {key: n for key, n in summed.items() if key[0] == manager.pk} == {
        (manager.pk, date(2024, 1, 1)): 2,
        (manager.pk, date(2024, 2, 1)): 1,
    }


def test_statements_over_many_rows_and_clients_keep_the_tally(anna, oleg):
    """PostgreSQL runs the estimates' triggers once a statement: several rows of one client and
    several clients in one insert, update and delete."""
    first, second = ClientFactory(responsible_manager=anna), ClientFactory(responsible_manager=oleg)
    groups = [ProductGroupFactory() for _ in range(3)]
    PotentialEstimate.objects.bulk_create(
        PotentialEstimate(client=client, product_group=group, amount=1, source="other", estimated_on=day)
        for client in (first, second)
        for group, day in zip(groups, (JAN, FEB, MAR), strict=True)
    )
    assert tally() == {(anna.pk, MAR): 1, (oleg.pk, MAR): 1}

    PotentialEstimate.objects.filter(estimated_on__gte=FEB).update(estimated_on=date(2023, 5, 5))
    assert tally() == {(anna.pk, JAN): 1, (oleg.pk, JAN): 1}
    third = ClientFactory(responsible_manager=oleg)
    PotentialEstimate.objects.filter(client=first).update(client=third)
    assert tally() == {(anna.pk, NEVER): 1, (oleg.pk, JAN): 2}
    PotentialEstimate.objects.filter(estimated_on=JAN).delete()
    assert tally() == {(anna.pk, NEVER): 1, (oleg.pk, date(2023, 5, 5)): 2}
    PotentialEstimate.objects.all().delete()
    assert tally() == {(anna.pk, NEVER): 1, (oleg.pk, NEVER): 2} == recount()
