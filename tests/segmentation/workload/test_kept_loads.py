"""The kept loads: read in one query while nothing moved a load, counted again after any change
that does (the database's triggers say so), whichever way the change is written."""

import pytest
from django.db import connection

from accounts.models import Client
from segmentation.models import ClientSegment, KeyStatus, LoadTally, SizeClass
from segmentation.workload import selectors
from segmentation.workload.selectors import Load, kam_load_of, kept_loads, loads
from tests.factories import ClientFactory, ManagerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two():
    ann, bob = ManagerFactory(username="ann"), ManagerFactory(username="bob")
    for n, size in enumerate([SizeClass.SMALL, SizeClass.LARGE, SizeClass.LARGEST]):
        client = ClientFactory(name=f"Ann {n}", responsible_manager=ann)
        ClientSegment.objects.create(client=client, size_class=size)
    ClientFactory(name="Nobody's", responsible_manager=None)
    kept_loads()  # counted and kept
    return ann, bob


def fresh(django_assert_num_queries):
    """The kept loads, which must be the tally's one row, and equal to a count from scratch."""
    with django_assert_num_queries(1):
        found = kept_loads()
    assert found == loads()
    return found


def version():
    return LoadTally.objects.get(pk=1).version


def test_unchanged_loads_are_read_in_one_query(two, django_assert_num_queries):
    ann, _bob = two

    with django_assert_num_queries(1):
        found = kept_loads()

    assert found == {ann.pk: Load(small=1, large=1, largest=1), None: Load(small=1)}


def test_a_reassignment_by_update_is_counted(two, django_assert_num_queries):
    ann, bob = two

    Client.objects.filter(name="Ann 1").update(responsible_manager=bob)

    assert kept_loads()[bob.pk] == Load(large=1)
    assert fresh(django_assert_num_queries)[ann.pk] == Load(small=1, largest=1)


@pytest.mark.parametrize(
    ("change", "ann_after"),
    [
        (
            lambda: Client.objects.filter(name="Ann 0").update(status=Client.Status.INACTIVE),
            Load(large=1, largest=1),
        ),
        (
            lambda: ClientSegment.objects.filter(client__name="Ann 0").update(size_class="medium"),
            Load(medium=1, large=1, largest=1),
        ),
        (
            lambda: KeyStatus.objects.create(client=Client.objects.get(name="Ann 2"), is_key=True),
            Load(small=1, large=1, largest=1, keys=1),
        ),
        (lambda: Client.objects.filter(name="Ann 1").delete(), Load(small=1, largest=1)),
        (
            lambda: ClientFactory(
                name="Ann 3", responsible_manager=Client.objects.get(name="Ann 0").responsible_manager
            ),
            Load(small=2, large=1, largest=1),
        ),
    ],
    ids=["deactivated", "resized", "made key", "deleted", "created"],
)
def test_each_change_that_moves_a_load_is_counted(two, change, ann_after, django_assert_num_queries):
    ann, _bob = two

    change()

    assert kept_loads()[ann.pk] == ann_after
    assert fresh(django_assert_num_queries)[ann.pk] == ann_after


def test_a_key_status_revoked_or_removed_is_counted(two, django_assert_num_queries):
    ann, _bob = two
    status = KeyStatus.objects.create(client=Client.objects.get(name="Ann 2"), is_key=True)
    assert kept_loads()[ann.pk].keys == 1

    KeyStatus.objects.filter(pk=status.pk).update(is_key=False)
    assert kept_loads()[ann.pk].keys == 0

    KeyStatus.objects.filter(pk=status.pk).update(is_key=True)
    assert kept_loads()[ann.pk].keys == 1
    KeyStatus.objects.filter(pk=status.pk).delete()
    assert kept_loads()[ann.pk].keys == 0
    assert fresh(django_assert_num_queries)[ann.pk].keys == 0


def test_a_save_that_moves_no_load_leaves_the_tally_alone(two):
    before = version()
    client = Client.objects.get(name="Ann 0")
    client.notes = "Met the buyer"
    client.save()
    ClientSegment.objects.filter(client=client).update(category="A")

    assert version() == before


def test_a_count_overtaken_by_a_change_is_not_kept(two, monkeypatch, django_assert_num_queries):
    _ann, bob = two
    Client.objects.filter(name="Ann 0").update(responsible_manager=bob)
    counted = selectors.loads

    def overtaken():
        found = counted()
        Client.objects.filter(name="Ann 1").update(responsible_manager=bob)  # after the count
        return found

    monkeypatch.setattr(selectors, "loads", overtaken)
    stale = kept_loads()
    monkeypatch.setattr(selectors, "loads", counted)

    assert stale[bob.pk] == Load(small=1)  # what that reader counted, and did not keep
    assert kept_loads()[bob.pk] == Load(small=1, large=1)
    assert fresh(django_assert_num_queries)[bob.pk] == Load(small=1, large=1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement triggers are PostgreSQL's")
def test_a_move_of_many_clients_is_one_change():
    ann, bob = ManagerFactory(username="ann"), ManagerFactory(username="bob")
    ClientFactory.create_batch(30, responsible_manager=ann)
    before = version()

    Client.objects.filter(responsible_manager=ann).update(responsible_manager=bob)

    assert version() == before + 1


def test_a_client_not_sized_yet_is_no_small_load_on_itself():
    manager = ManagerFactory(username="vera")
    unsized = ClientFactory(name="New one", responsible_manager=manager)
    sized = ClientFactory(name="Sized", responsible_manager=manager)
    ClientSegment.objects.create(client=sized, size_class=SizeClass.SMALL)

    assert kam_load_of(unsized).small == 1  # the sized one, not itself
    assert kam_load_of(sized).small == 1  # the unsized one, which counts small
