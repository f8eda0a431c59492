"""The radar's flags night after night: a night judges only the clients whose flags may have
moved (`segmentation.radar.services`), and what it keeps is what judging every client again
gives, whatever moved and however it was written (a form's save, an `update()`, a delete)."""

import datetime
import logging
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Client, Contact, PointOfPresence, Touch
from segmentation.models import (
    ClientFlags,
    ClientSegment,
    FlagsDay,
    KeyStatus,
    LostStatus,
    NightlyRun,
    Policy,
    PotentialEstimate,
    Review,
    SegmentChange,
    Tier,
    TierOverride,
)
from segmentation.radar.flags import FLAGS
from segmentation.radar.services import refresh
from tests.factories import (
    ClientFactory,
    ContactFactory,
    ManagerFactory,
    PointFactory,
    ProductGroupFactory,
    TouchFactory,
)

DAY = datetime.date(2026, 3, 10)
FLAG_NAMES = [flag.name for flag in FLAGS]


def kept() -> dict[int, tuple[object, ...]]:
    """Every client's stored flags, tier, abroad and score."""
    columns = [*FLAG_NAMES, "tier", "abroad", "score"]
    return {row[0]: row[1:] for row in ClientFlags.objects.values_list("client_id", *columns)}


def judged(caplog: pytest.LogCaptureFixture) -> str:
    """What the last refresh said it judged ("every client" or a number of clients)."""
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("the radar judges")]
    return said[-1].removeprefix("the radar judges ").removesuffix(" clients")


def night(day: datetime.date, caplog: pytest.LogCaptureFixture) -> str:
    """A night's refresh, and what it judged ("every client" or a number of clients); then
    judging every client again must write nothing."""
    caplog.clear()
    refresh(day, Policy.current())
    said = judged(caplog)
    after = kept()
    FlagsDay.objects.all().delete()
    assert refresh(day, Policy.current()) == 0, "a client's flags moved without it being judged"
    assert kept() == after
    return said


@pytest.fixture
def policy(db):
    policy = Policy.current()
    policy.no_touch_days = 30
    policy.estimate_stale_months = 6
    policy.capacity_small = 3
    policy.save()
    return policy


@pytest.fixture
def anna(db):
    return ManagerFactory(username="anna")


@pytest.fixture
def clients(policy, anna):
    """Four clients of Anna's (a full load: three small ones make it), touched, met, with a
    decision maker, an estimate and a segment, and one of nobody's: no flag but "nobody
    responsible"."""
    made = {}
    for name, manager in [("A", anna), ("B", anna), ("C", anna), ("Nobody's", None)]:
        client = ClientFactory(name=name, responsible_manager=manager)
        ClientSegment.objects.create(client=client, tier=Tier.SILVER)
        TouchFactory(client=client, kind=Touch.Kind.MEETING, date=DAY - datetime.timedelta(days=5))
        ContactFactory(client=client, decision_role=Contact.DecisionRole.DECISION_MAKER, influence=100)
        PotentialEstimate.objects.create(
            client=client,
            product_group=ProductGroupFactory(),
            amount=Decimal(1),
            source="other",
            estimated_on=DAY - datetime.timedelta(days=20),
        )
        made[name] = client
    return made


def flags(client: Client) -> list[str]:
    row = ClientFlags.objects.get(client=client)
    return [name for name in FLAG_NAMES if getattr(row, name)]


def test_an_unchanged_night_judges_nobody_and_every_input_is_judged_when_it_moves(clients, anna, caplog):
    caplog.set_level(logging.INFO, logger="segmentation.radar.services")
    a, b, c = clients["A"], clients["B"], clients["C"]
    assert night(DAY, caplog) == "every client"  # a first night
    assert flags(a) == ["over_capacity"]  # three small clients: a full load
    assert flags(clients["Nobody's"]) == ["no_manager"]

    assert night(DAY, caplog) == "0"

    # The manager's load comes under capacity: her other clients are judged, unmarked.
    Client.objects.filter(pk=c.pk).update(responsible_manager=None)
    assert night(DAY, caplog) == "3"
    assert flags(a) == []
    assert flags(c) == ["no_manager"]

    # Touches, contacts, estimates, points: added, changed, deleted.
    Touch.objects.filter(client=a).update(kind=Touch.Kind.CALL)
    ContactFactory(client=b, influence=30)
    assert night(DAY, caplog) == "2"
    assert flags(a) == ["never_met"]
    assert flags(b) == ["influence"]
    Contact.objects.filter(client=b, influence=30).delete()
    Contact.objects.filter(client=a).update(is_active=False)
    PointFactory(client=b, country="FR", region="", city="Paris", status=PointOfPresence.Status.OPEN)
    night(DAY, caplog)
    assert flags(a) == ["never_met", "no_decision_maker"]
    assert ClientFlags.objects.get(client=b).abroad is True
    PotentialEstimate.objects.filter(client=b).delete()
    assert night(DAY, caplog) == "1"
    assert flags(b) == ["potential_stale"]

    # The days pass: a touch and an estimate leave their windows, nothing marked.
    day = DAY + datetime.timedelta(days=26)
    assert night(day, caplog) == "4"  # the four clients' touches, 31 days old
    assert "no_touch" in flags(a)
    assert "no_touch" in flags(c)
    day = DAY + datetime.timedelta(days=170)
    night(day, caplog)
    assert flags(c) == ["no_manager", "no_touch", "potential_stale"]

    # Key status, tier override, the segment the run writes.
    KeyStatus.objects.create(client=a, is_key=True)
    night(day, caplog)
    assert "key_bronze" not in flags(a)  # silver
    ClientSegment.objects.filter(client=a).update(tier=Tier.BRONZE, lost_status=LostStatus.AT_RISK)
    TierOverride.objects.create(client=b, tier=Tier.GOLD, reason="A director's call", decided_by=anna)
    assert night(day, caplog) == "2"
    assert {"key_bronze", "at_risk"} <= set(flags(a))
    assert ClientFlags.objects.get(client=b).tier == Tier.GOLD

    # A client made inactive carries no flag; a new client is judged.
    Client.objects.filter(pk=a.pk).update(status=Client.Status.INACTIVE)
    new = ClientFactory(name="New", responsible_manager=None)
    assert night(day, caplog) == "2"
    assert flags(a) == []
    assert flags(new) == ["no_manager", "no_touch", "never_met", "no_decision_maker", "potential_stale"]


def test_a_league_change_after_the_last_closed_review_is_judged(clients, anna, caplog):
    caplog.set_level(logging.INFO, logger="segmentation.radar.services")
    a = clients["A"]
    night(DAY, caplog)
    Review.objects.create(opened_by=anna, closed_at=timezone.now(), closed_by=anna)
    assert night(DAY, caplog) == "every client"  # the flags read the last closed review for everyone

    run = NightlyRun.objects.create(run_on=DAY + datetime.timedelta(days=1))
    SegmentChange.objects.create(
        run=run, client=a, kind=SegmentChange.Kind.LEAGUE, old="first", new="premier"
    )
    ClientSegment.objects.filter(client=a).update(league="premier")  # as the run writes it
    night(DAY + datetime.timedelta(days=1), caplog)
    assert "league_changed" in flags(a)


def test_another_policy_or_an_earlier_day_judges_every_client(clients, policy, caplog):
    caplog.set_level(logging.INFO, logger="segmentation.radar.services")
    night(DAY, caplog)
    policy.no_touch_days = 3
    policy.save()
    assert night(DAY, caplog) == "every client"
    assert "no_touch" in flags(clients["A"])
    assert night(DAY - datetime.timedelta(days=1), caplog) == "every client"
