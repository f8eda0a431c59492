"""The nightly run flags to the directors a key client that became bronze and a key cap overrun
after the base shrank (DOMAIN §4): once when it happens, never again the next night."""

from datetime import date

import pytest

from accounts.models import Client
from segmentation.models import (
    ClientSegment,
    KeyStatus,
    Notification,
    PotentialEstimate,
    SegmentChange,
    TierOverride,
)
from segmentation.segments import engine
from tests.factories import ClientFactory, DirectorFactory, ManagerFactory, ProductGroupFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)
BRONZE = Notification.Kind.KEY_BRONZE
CAP = Notification.Kind.CAP_OVERRUN


@pytest.fixture
def directors(db):
    """Two active directors; an inactive one and a manager are never told."""
    DirectorFactory(username="gone", is_active=False)
    ManagerFactory(username="plain")
    return [DirectorFactory(username="d1"), DirectorFactory(username="d2")]


def with_potential(amount: int, *, key: bool = False, **fields: object) -> Client:
    client = ClientFactory(**fields)
    PotentialEstimate.objects.create(
        client=client,
        product_group=ProductGroupFactory(name="Packaging"),
        amount=amount,
        source="survey",
        estimated_on=TODAY,
    )
    if key:
        KeyStatus.objects.create(client=client, is_key=True, reasons=["potential"])
    return client


def set_potential(client: Client, amount: int) -> None:
    PotentialEstimate.objects.filter(client=client).update(amount=amount)


def told(kind: str) -> list[tuple[str, int | None]]:
    rows = Notification.objects.filter(kind=kind).order_by("user__username", "client_id")
    return list(rows.values_list("user__username", "client_id"))


@pytest.fixture
def key_gold(directors):
    """A key client and another one, both gold at the first run (equal potential)."""
    ClientFactory.create_batch(8)  # room under the cap
    with_potential(1000)
    client = with_potential(1000, key=True, name="Angara Timber")
    engine.recompute(today=TODAY)
    return client


def test_a_key_client_that_becomes_bronze_is_told_to_each_director_once(key_gold):
    set_potential(key_gold, 10)

    run = engine.recompute(today=TODAY)
    again = engine.recompute(today=TODAY)

    assert told(BRONZE) == [("d1", key_gold.pk), ("d2", key_gold.pk)]
    assert run.changes["key_bronze"] == 1
    assert "key_bronze" not in again.changes
    assert SegmentChange.objects.get(run=run, kind="tier").new == "bronze"


def test_a_key_client_bronze_again_after_recovering_is_told_again(key_gold):
    set_potential(key_gold, 10)
    engine.recompute(today=TODAY)
    set_potential(key_gold, 1000)
    engine.recompute(today=TODAY)
    set_potential(key_gold, 10)

    engine.recompute(today=TODAY)

    assert told(BRONZE) == [("d1", key_gold.pk)] * 2 + [("d2", key_gold.pk)] * 2


def test_an_override_to_bronze_flags_the_key_client_and_an_override_to_gold_spares_it(key_gold, directors):
    TierOverride.objects.create(client=key_gold, tier="bronze", reason="Image only", decided_by=directors[0])

    engine.recompute(today=TODAY)
    TierOverride.objects.filter(client=key_gold).update(tier="gold")
    set_potential(key_gold, 10)
    engine.recompute(today=TODAY)

    assert told(BRONZE) == [("d1", key_gold.pk), ("d2", key_gold.pk)]


def test_a_bronze_client_that_is_not_key_is_not_flagged(directors):
    with_potential(1000)
    other = with_potential(1000, name="Baikal Paper")
    engine.recompute(today=TODAY)
    set_potential(other, 10)

    engine.recompute(today=TODAY)

    assert told(BRONZE) == []


def test_a_client_granted_key_while_bronze_by_override_is_flagged_at_the_next_run(key_gold):
    bronze = with_potential(10, name="Lena Gold")
    engine.recompute(today=TODAY)
    KeyStatus.objects.create(client=bronze, is_key=True, reasons=["image"])

    engine.recompute(today=TODAY)

    assert told(BRONZE) == [("d1", bronze.pk), ("d2", bronze.pk)]


# The key cap


@pytest.fixture
def at_the_cap(directors):
    """Ten active clients, two of them key: exactly at the 20% cap."""
    clients = ClientFactory.create_batch(10)
    for client in clients[:2]:
        KeyStatus.objects.create(client=client, is_key=True, reasons=["strategic"])
    return clients


def test_a_run_within_the_cap_records_it_and_tells_nobody(at_the_cap):
    run = engine.recompute(today=TODAY)

    run.refresh_from_db()
    assert run.key_cap == {"count": 2, "limit": 2, "share": "20", "base": 10}
    assert "cap_overrun" not in run.changes
    assert told(CAP) == []


def test_a_cap_overrun_after_the_base_shrank_is_told_to_each_director_once(at_the_cap):
    engine.recompute(today=TODAY)
    Client.objects.filter(pk=at_the_cap[-1].pk).update(status=Client.Status.INACTIVE)

    run = engine.recompute(today=TODAY)
    again = engine.recompute(today=TODAY)

    assert told(CAP) == [("d1", None), ("d2", None)]
    assert run.changes == {"cap_overrun": 1}
    assert again.changes == {}
    details = Notification.objects.filter(kind=CAP).values_list("details", flat=True).first()
    assert details == {"count": 2, "limit": 1, "share": "20", "base": 9}


def test_a_cap_overrun_is_told_again_after_it_was_resolved(at_the_cap):
    engine.recompute(today=TODAY)
    Client.objects.filter(pk=at_the_cap[-1].pk).update(status=Client.Status.INACTIVE)
    engine.recompute(today=TODAY)
    Client.objects.filter(pk=at_the_cap[-1].pk).update(status=Client.Status.ACTIVE)
    engine.recompute(today=TODAY)
    Client.objects.filter(pk=at_the_cap[-2].pk).update(status=Client.Status.PROSPECT)

    engine.recompute(today=TODAY)

    assert len(told(CAP)) == 4


def test_a_failed_run_does_not_count_as_the_last_cap(at_the_cap, monkeypatch):
    Client.objects.filter(pk=at_the_cap[-1].pk).update(status=Client.Status.INACTIVE)
    monkeypatch.setattr(engine, "_insert_sql", lambda *args: "INSERT INTO no_such_table VALUES (1)")
    with pytest.raises(Exception, match="no_such_table"):
        engine.recompute(today=TODAY)
    monkeypatch.undo()

    engine.recompute(today=TODAY)

    assert told(CAP) == [("d1", None), ("d2", None)]


def test_the_second_run_writes_no_notification_and_no_change(key_gold, at_the_cap):
    set_potential(key_gold, 10)
    Client.objects.filter(pk=at_the_cap[-1].pk).update(status=Client.Status.INACTIVE)
    engine.recompute(today=TODAY)
    notifications, changes = Notification.objects.count(), SegmentChange.objects.count()

    second = engine.recompute(today=TODAY)

    assert (Notification.objects.count(), SegmentChange.objects.count()) == (notifications, changes)
    assert second.changes == {}


def test_a_key_client_no_longer_key_or_overridden_back_is_no_longer_flagged(key_gold, directors):
    """The key statuses and the tier overrides are read, not kept: a night with no other news
    still judges the clients they name, and those flagged."""
    TierOverride.objects.create(client=key_gold, tier="bronze", reason="Image only", decided_by=directors[0])
    engine.recompute(today=TODAY)
    assert ClientSegment.objects.get(client=key_gold).key_bronze is True

    TierOverride.objects.filter(client=key_gold).delete()
    engine.recompute(today=TODAY)
    assert ClientSegment.objects.get(client=key_gold).key_bronze is False

    TierOverride.objects.create(client=key_gold, tier="bronze", reason="Again", decided_by=directors[0])
    engine.recompute(today=TODAY)
    KeyStatus.objects.filter(client=key_gold).delete()
    engine.recompute(today=TODAY)
    assert ClientSegment.objects.get(client=key_gold).key_bronze is False
