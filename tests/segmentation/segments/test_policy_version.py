"""The policy and the last run's totals, kept in the process for the `PolicyVersion` read with the
signed-in user, which every change of the policy or of a run's row changes (segmentation
migration 0043)."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kam.users.backends import RoleBackend
from segmentation.models import ClientSegment, NightlyRun, Policy, PolicyVersion, Tier
from segmentation.segments.totals import Totals, policy_and_totals
from tests.factories import ClientFactory, DirectorFactory

# Committed, as a request's changes are: on PostgreSQL the version changes as a transaction
# commits, and inside one the pair is read every time.
pytestmark = pytest.mark.django_db(transaction=True)

KEPT = {"clients": 9, "active": 8, "revenue": "1200.50", "potential": "4000"}


def version() -> int:
    return PolicyVersion.objects.get().version


def signed_in(user: Any) -> Any:
    """The user as a request reads them, with the values read with them."""
    return RoleBackend().get_user(user.pk)


@pytest.fixture
def world(db) -> dict[str, Any]:
    PolicyVersion.objects.get_or_create(pk=1)  # a flushed database (a transactional test's) lacks it
    policy = Policy.current()
    run = NightlyRun.objects.create(run_on="2026-12-01", status=NightlyRun.Status.SUCCESS, totals=KEPT)
    return {"policy": policy, "run": run, "director": DirectorFactory()}


CHANGES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "the policy saved": lambda w: Policy.objects.filter(pk=w["policy"].pk).update(gold_share=Decimal(30)),
    "a run started": lambda w: NightlyRun.objects.create(run_on="2026-12-02"),
    "a run finished": lambda w: NightlyRun.objects.filter(pk=w["run"].pk).update(
        status=NightlyRun.Status.FAILED
    ),
    "a run's totals kept": lambda w: NightlyRun.objects.filter(pk=w["run"].pk).update(
        totals={**KEPT, "clients": 10}
    ),
    "a run removed": lambda w: NightlyRun.objects.filter(pk=w["run"].pk).delete(),
}


@pytest.mark.parametrize("change", CHANGES)
def test_each_change_of_the_policy_or_a_run_changes_the_version(world, change):
    before = version()

    CHANGES[change](world)

    assert version() != before


def test_a_run_s_progress_leaves_the_version(world):
    before = version()

    NightlyRun.objects.filter(pk=world["run"].pk).update(clients=12, written=3, figures={"stage": 1})

    assert version() == before


def test_the_pair_is_read_once_for_a_version_and_again_when_it_changes(world, django_assert_num_queries):
    first = policy_and_totals(signed_in(world["director"]))
    again = signed_in(world["director"])
    with django_assert_num_queries(0):
        assert policy_and_totals(again) is first
    assert first[1] == Totals(9, Decimal("1200.50"), Decimal(4000), active=8, run=world["run"].pk)

    Policy.objects.filter(pk=world["policy"].pk).update(gold_share=Decimal(30))  # no save()

    changed = signed_in(world["director"])
    with django_assert_num_queries(1):
        policy, totals = policy_and_totals(changed)
    assert (policy.gold_share, totals.run) == (Decimal(30), world["run"].pk)


def test_a_new_run_s_totals_are_read_at_once(world):
    director = signed_in(world["director"])
    policy_and_totals(director)

    later = NightlyRun.objects.create(
        run_on="2026-12-02", status=NightlyRun.Status.SUCCESS, totals={**KEPT, "clients": 11}
    )

    assert policy_and_totals(signed_in(world["director"]))[1].clients == 11
    assert policy_and_totals(signed_in(world["director"]))[1].run == later.pk


def test_totals_counted_over_the_segments_are_never_kept(world, django_assert_num_queries):
    NightlyRun.objects.all().delete()
    ClientSegment.objects.create(client=ClientFactory(), revenue=Decimal(100), potential=Decimal(300))
    director = signed_in(world["director"])
    assert policy_and_totals(director)[1] == Totals(1, Decimal(100), Decimal(300))

    ClientSegment.objects.create(client=ClientFactory(), revenue=Decimal(20), potential=Decimal(0))

    assert policy_and_totals(signed_in(world["director"]))[1] == Totals(2, Decimal(120), Decimal(300))


def test_inside_a_transaction_or_without_the_signed_in_user_the_pair_is_read(
    world, django_assert_num_queries
):
    director = signed_in(world["director"])
    policy_and_totals(director)

    with django_assert_num_queries(1):
        policy_and_totals()
    with transaction.atomic(), django_assert_num_queries(1):
        policy_and_totals(director)


GOLD = "among the clients holding the first {}% of all potential (rank 1)"


def test_the_card_reads_the_policy_once_for_a_version(world, client):
    key = ClientFactory(name="Key Works")
    ClientSegment.objects.create(
        client=key, revenue=Decimal(500), potential=Decimal(900), category="A", tier=Tier.GOLD
    )
    client.force_login(world["director"])
    url = reverse("accounts:client_detail", args=[key.pk])
    assert GOLD.format(50) in client.get(url).content.decode()

    Policy.objects.filter(pk=world["policy"].pk).update(gold_share=Decimal(30))
    with CaptureQueriesContext(connection) as changed:
        response = client.get(url)
    with CaptureQueriesContext(connection) as kept:
        again = client.get(url)

    assert len(kept) == len(changed) - 1  # the policy with the run's totals, read once
    assert GOLD.format(30) in response.content.decode()
    assert GOLD.format(30) in again.content.decode()
