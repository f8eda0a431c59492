"""The calculator's tally of active clients per manager and category, kept by triggers: exact
rows after every kind of write to clients and segments (the nightly run's included), and a
recount as the oracle."""

import random
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Client
from segmentation.calculator import selectors
from segmentation.models import CategoryTally, ClientSegment, Policy, PotentialEstimate
from segmentation.segments import engine
from tests.factories import ClientFactory, ManagerFactory, ProductGroupFactory, SaleFactory

pytestmark = pytest.mark.django_db


def tally() -> dict[tuple[int, str], int]:
    rows = CategoryTally.objects.exclude(clients=0).values_list("manager", "category", "clients")
    return {(manager, category): clients for manager, category, clients in rows}


def recount() -> dict[tuple[int, str], int]:
    """The oracle: every active client under its manager and its segment's category."""
    counted: dict[tuple[int, str], int] = {}
    for client in Client.objects.filter(status=Client.Status.ACTIVE):
        segment = ClientSegment.objects.filter(client=client).first()
        key = (client.responsible_manager_id or 0, segment.category if segment else "")
        counted[key] = counted.get(key, 0) + 1
    return counted


@pytest.fixture
def anna():
    return ManagerFactory()


@pytest.fixture
def oleg():
    return ManagerFactory()


def test_active_clients_count_uncategorised_until_their_segment_says(anna):
    client = ClientFactory(responsible_manager=anna)
    ClientFactory(responsible_manager=None)
    ClientFactory(responsible_manager=anna, status=Client.Status.PROSPECT)
    assert tally() == {(anna.pk, ""): 1, (0, ""): 1}

    segment = ClientSegment.objects.create(client=client, category="B")
    assert tally() == {(anna.pk, "B"): 1, (0, ""): 1}
    segment.category = "A"
    segment.save()
    assert tally() == {(anna.pk, "A"): 1, (0, ""): 1}
    segment.delete()
    assert tally() == {(anna.pk, ""): 1, (0, ""): 1}


def test_reassignment_status_and_deletion_move_the_count(anna, oleg):
    client = ClientFactory(responsible_manager=anna)
    ClientSegment.objects.create(client=client, category="C")

    client.responsible_manager = oleg
    client.save()
    assert tally() == {(oleg.pk, "C"): 1}
    Client.objects.filter(pk=client.pk).update(status=Client.Status.PROSPECT)
    assert tally() == {}
    Client.objects.filter(pk=client.pk).update(status=Client.Status.ACTIVE, responsible_manager=None)
    assert tally() == {(0, "C"): 1}
    client.delete()
    assert tally() == {}


def test_statements_over_many_segments_keep_the_tally(anna, oleg):
    clients = [ClientFactory(responsible_manager=manager) for manager in (anna, anna, oleg)]
    ClientSegment.objects.bulk_create(ClientSegment(client=client, category="D") for client in clients)
    assert tally() == {(anna.pk, "D"): 2, (oleg.pk, "D"): 1}

    ClientSegment.objects.filter(client__in=clients[1:]).update(category="A")
    assert tally() == {(anna.pk, "D"): 1, (anna.pk, "A"): 1, (oleg.pk, "A"): 1}
    ClientSegment.objects.all().delete()
    assert tally() == {(anna.pk, ""): 2, (oleg.pk, ""): 1} == recount()


def test_the_nightly_run_keeps_the_tally(anna, oleg):
    group = ProductGroupFactory()
    for n, manager in enumerate([anna, anna, oleg, None]):
        client = ClientFactory(responsible_manager=manager)
        SaleFactory(client=client, product_group=group, amount=Decimal(1000 * (n + 1)), date=date(2025, 3, 1))
        PotentialEstimate.objects.create(
            client=client,
            product_group=group,
            amount=Decimal(9000 * (n + 1)),
            source="other",
            estimated_on=date(2025, 3, 1),
        )

    engine.recompute(today=date(2025, 3, 31))

    assert tally() == recount()
    assert sum(tally().values()) == 4
    assert "" not in {category for _manager, category in tally()}


def test_the_tally_matches_a_recount_after_random_writes(anna, oleg):
    dice = random.Random(7)
    managers = [anna, oleg, None]
    clients = [ClientFactory(responsible_manager=dice.choice(managers)) for _ in range(6)]
    for _ in range(80):
        client = dice.choice(clients)
        action = dice.randrange(4)
        if action == 0:
            ClientSegment.objects.update_or_create(client=client, defaults={"category": dice.choice("ABCD")})
        elif action == 1:
            ClientSegment.objects.filter(client=client).delete()
        elif action == 2:
            client.responsible_manager = dice.choice(managers)
            client.save()
        else:
            client.status = dice.choice(Client.Status.values)
            client.save()

    assert tally() == recount()


def test_the_calculator_reads_the_tally_and_counts_a_manager_who_left_as_nobody(anna, oleg):
    for manager, category in [(anna, "A"), (anna, "A"), (oleg, "B"), (None, "B")]:
        ClientSegment.objects.create(client=ClientFactory(responsible_manager=manager), category=category)
    oleg.is_active = False
    oleg.save()

    workload = selectors.workload(
        selectors.Norms.of(selectors.policy_values(Policy.current()), Policy.current())
    )

    assert [(row.manager, row.by_category) for row in workload.managers] == [(anna, [2, 0, 0, 0])]
    assert workload.nobody.by_category == [0, 2, 0, 0]


@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_the_clients_already_there():
    """Written before the triggers and the tally were there (the rows are written on the current
    tables, which keep them when the migrations are undone)."""
    manager = ManagerFactory()
    ClientSegment.objects.create(client=ClientFactory(responsible_manager=manager), category="A")
    ClientFactory(responsible_manager=None)
    ClientFactory(responsible_manager=manager, status=Client.Status.INACTIVE)
    MigrationExecutor(connection).migrate([("segmentation", "0017_lost_tier_index")])
    try:
        MigrationExecutor(connection).migrate([("segmentation", "0018_category_tally")])
        counted = tally()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert counted == {(manager.pk, "A"): 1, (0, ""): 1}
