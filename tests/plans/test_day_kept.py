"""The day's flag counts, kept in the process for the versions read with the signed-in user: the
client list filters' (`ChoicesVersion`, moved by whom clients are assigned to) and the policy's
(`PolicyVersion`, moved by every nightly run's row, the run that writes the flags)."""

from typing import Any

import pytest
from django.db import transaction

from accounts.models import ChoicesVersion, Client
from kam.users.backends import RoleBackend
from plans.day import selectors
from segmentation.models import ClientFlags, NightlyRun, PolicyVersion
from tests.factories import ClientFactory, ManagerFactory

# Committed, as a request's changes are: on PostgreSQL the versions change as a transaction
# commits, and inside one the counts are read every time.
pytestmark = pytest.mark.django_db(transaction=True)


def counted(user: Any) -> list[int]:
    """The counts as the day reads them for `user` signed in (with the values read with them)."""
    return [count.count for count in selectors.flag_counts(RoleBackend().get_user(user.pk))]


@pytest.fixture
def manager(db) -> Any:
    ChoicesVersion.objects.get_or_create(pk=1)  # a flushed database (a transactional test's) lacks them
    PolicyVersion.objects.get_or_create(pk=1)
    manager = ManagerFactory()
    ClientFlags.objects.create(client=ClientFactory(responsible_manager=manager), at_risk=True, no_touch=True)
    ClientFlags.objects.create(client=ClientFactory(responsible_manager=manager), no_touch=True)
    NightlyRun.objects.create(run_on="2026-12-01", status=NightlyRun.Status.SUCCESS)  # as a run writes them
    return manager


def test_the_counts_are_read_once_for_the_versions(manager, django_assert_num_queries):
    assert counted(manager) == [1, 2, 0, 0, 0]
    signed_in = RoleBackend().get_user(manager.pk)

    with django_assert_num_queries(0):
        again = selectors.flag_counts(signed_in)

    assert [count.count for count in again] == [1, 2, 0, 0, 0]


def test_a_client_assigned_away_leaves_the_counts_at_once(manager):
    assert counted(manager) == [1, 2, 0, 0, 0]

    Client.objects.filter(radar__at_risk=True).update(responsible_manager=ManagerFactory())

    assert counted(manager) == [0, 1, 0, 0, 0]


def test_a_client_given_or_deleted_moves_the_counts_at_once(manager):
    assert counted(manager) == [1, 2, 0, 0, 0]
    flagged = ClientFactory(responsible_manager=ManagerFactory())
    ClientFlags.objects.create(client=flagged, influence=True)
    NightlyRun.objects.create(run_on="2026-12-02", status=NightlyRun.Status.SUCCESS)

    Client.objects.filter(pk=flagged.pk).update(responsible_manager=manager)
    assert counted(manager) == [1, 2, 0, 1, 0]

    Client.objects.filter(radar__no_touch=True, radar__at_risk=False).delete()
    assert counted(manager) == [1, 1, 0, 1, 0]


def test_a_run_s_new_flags_are_read_at_once(manager):
    assert counted(manager) == [1, 2, 0, 0, 0]

    with transaction.atomic():  # as the nightly run writes them, then finishes its row
        ClientFlags.objects.update(no_touch=False, potential_stale=True)
        NightlyRun.objects.create(run_on="2026-12-02", status=NightlyRun.Status.SUCCESS)

    assert counted(manager) == [1, 0, 0, 0, 2]


def test_inside_a_transaction_the_counts_are_read(manager, django_assert_num_queries):
    counted(manager)
    signed_in = RoleBackend().get_user(manager.pk)

    with transaction.atomic(), django_assert_num_queries(1):
        selectors.flag_counts(signed_in)
