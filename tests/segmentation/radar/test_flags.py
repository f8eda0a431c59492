"""Each radar flag's condition on hand-made clients: the exact set it flags, both sides of
each boundary, and no flag on an inactive client."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Client, Contact, PointOfPresence, Touch
from segmentation.models import (
    ClientSegment,
    KeyStatus,
    LostStatus,
    Policy,
    PotentialEstimate,
    SizeClass,
    Tier,
    TierOverride,
)
from segmentation.radar.flags import FLAGS, flag_q
from segmentation.radar.selectors import flags_of, with_flags
from tests.factories import (
    ClientFactory,
    ContactFactory,
    ManagerFactory,
    PointFactory,
    ProductGroupFactory,
    TouchFactory,
)

TODAY = datetime.date(2026, 6, 15)


def flagged(name, policy, today=TODAY):
    return set(Client.objects.filter(flag_q(name, today, policy)).values_list("name", flat=True))


@pytest.fixture
def policy(db):
    return Policy.current()


def test_no_manager(policy):
    ClientFactory(name="Nobody's")
    ClientFactory(name="Nobody's inactive", responsible_manager=None, status=Client.Status.INACTIVE)
    Client.objects.filter(name="Nobody's").update(responsible_manager=None)
    ClientFactory(name="Anna's")
    assert flagged("no_manager", policy) == {"Nobody's"}


def test_no_touch_counts_the_policy_days(policy):
    policy.no_touch_days = 90
    policy.save()
    for name, days in [("89 days", 89), ("90 days", 90), ("91 days", 91)]:
        TouchFactory(client=ClientFactory(name=name), date=TODAY - datetime.timedelta(days=days))
    ClientFactory(name="Never touched")
    assert flagged("no_touch", policy) == {"91 days", "Never touched"}
    policy.no_touch_days = 95
    assert flagged("no_touch", policy) == {"Never touched"}


def test_never_met(policy):
    TouchFactory(
        client=ClientFactory(name="Met long ago"), kind=Touch.Kind.MEETING, date=datetime.date(2015, 1, 1)
    )
    TouchFactory(client=ClientFactory(name="Only called"), kind=Touch.Kind.CALL)
    ClientFactory(name="No touch")
    assert flagged("never_met", policy) == {"Only called", "No touch"}


def test_no_decision_maker(policy):
    maker = Contact.DecisionRole.DECISION_MAKER
    ContactFactory(client=ClientFactory(name="Known"), decision_role=maker)
    ContactFactory(client=ClientFactory(name="Left"), decision_role=maker, is_active=False)
    ContactFactory(
        client=ClientFactory(name="Influencer only"), decision_role=Contact.DecisionRole.INFLUENCER
    )
    ClientFactory(name="No contacts")
    assert flagged("no_decision_maker", policy) == {"Left", "Influencer only", "No contacts"}


def test_influence_must_add_up_to_100(policy):
    def client(name, *influences, inactive=0):
        c = ClientFactory(name=name)
        for value in influences:
            ContactFactory(client=c, influence=value)
        if inactive:
            ContactFactory(client=c, influence=inactive, is_active=False)

    client("100", 60, 40)
    client("99", 60, 39)
    client("101", 61, 40)
    client("100 and an inactive 30", 60, 40, inactive=30)
    client("70 and an inactive 30", 70, inactive=30)
    client("No contacts")
    client("Only inactive", inactive=100)
    assert flagged("influence", policy) == {"99", "101", "70 and an inactive 30"}


def test_potential_not_estimated_or_stale(policy):
    policy.estimate_stale_months = 12
    group = ProductGroupFactory()
    for name, day in [
        ("On the boundary", datetime.date(2025, 6, 15)),
        ("A day older", datetime.date(2025, 6, 14)),
    ]:
        PotentialEstimate.objects.create(
            client=ClientFactory(name=name),
            product_group=group,
            amount=Decimal(1),
            source="other",
            estimated_on=day,
        )
    ClientFactory(name="Never estimated")
    assert flagged("potential_stale", policy) == {"A day older", "Never estimated"}


def test_expansion_and_at_risk_read_the_segment(policy):
    ClientSegment.objects.create(client=ClientFactory(name="Expanding"), expansion_points=1)
    ClientSegment.objects.create(client=ClientFactory(name="Staying"), expansion_points=0)
    for status in LostStatus:
        ClientSegment.objects.create(client=ClientFactory(name=status.value), lost_status=status)
    ClientFactory(name="Not analysed")
    assert flagged("expansion", policy) == {"Expanding"}
    assert flagged("at_risk", policy) == {"at_risk", "lost"}


def test_key_client_no_longer_silver_or_gold(policy):
    def key(name, tier=None, override=None, is_key=True):
        c = ClientFactory(name=name)
        KeyStatus.objects.create(client=c, is_key=is_key)
        if tier:
            ClientSegment.objects.create(client=c, tier=tier)
        if override:
            TierOverride.objects.create(client=c, tier=override, reason="Decided")

    key("Gold", Tier.GOLD)
    key("Silver", Tier.SILVER)
    key("Bronze", Tier.BRONZE)
    key("Not analysed")
    key("Bronze, overridden silver", Tier.BRONZE, Tier.SILVER)
    key("Gold, overridden bronze", Tier.GOLD, Tier.BRONZE)
    key("Bronze, no longer key", Tier.BRONZE, is_key=False)
    assert flagged("key_bronze", policy) == {"Bronze", "Not analysed", "Gold, overridden bronze"}


def test_manager_over_capacity_at_100_percent(policy):
    policy.capacity_small, policy.capacity_large = 100, 10
    full, short = ManagerFactory(username="full"), ManagerFactory(username="short")
    for manager, small in [(full, 10), (short, 9)]:
        for n in range(9):
            c = ClientFactory(name=f"{manager.username} large {n}", responsible_manager=manager)
            ClientSegment.objects.create(client=c, size_class=SizeClass.LARGE)
        for n in range(small - 1):
            c = ClientFactory(name=f"{manager.username} small {n}", responsible_manager=manager)
            ClientSegment.objects.create(client=c, size_class=SizeClass.SMALL)
        ClientFactory(name=f"{manager.username} not sized", responsible_manager=manager)  # counts as small
        ClientFactory(
            name=f"{manager.username} inactive", responsible_manager=manager, status=Client.Status.INACTIVE
        )
    # full: 9/10 + 10/100 = 100%; short: 9/10 + 9/100 = 99%
    expected = (
        {f"full large {n}" for n in range(9)} | {f"full small {n}" for n in range(9)} | {"full not sized"}
    )
    assert flagged("over_capacity", policy) == expected


def test_an_inactive_client_carries_no_flag(policy):
    ClientFactory(name="Inactive", responsible_manager=None, status=Client.Status.INACTIVE)
    for flag in FLAGS:
        assert flagged(flag.name, policy) == set(), flag.name


def test_the_annotations_agree_with_the_conditions_and_keep_clients_without_a_segment(policy):
    bare = ClientFactory(name="Bare", responsible_manager=None)
    PointFactory(client=bare, country="FR", region="", status=PointOfPresence.Status.OPEN)
    met = ClientFactory(name="Met")
    TouchFactory(client=met, kind=Touch.Kind.MEETING, date=TODAY)
    ContactFactory(client=met, decision_role=Contact.DecisionRole.DECISION_MAKER, influence=100)
    ClientSegment.objects.create(client=met, expansion_points=2)
    rows = {c.name: c for c in with_flags(Client.objects.all(), TODAY, Policy.current())}
    assert [f.name for f in flags_of(rows["Bare"])] == [
        "no_manager",
        "no_touch",
        "never_met",
        "no_decision_maker",
        "potential_stale",
    ]
    assert [f.name for f in flags_of(rows["Met"])] == ["potential_stale", "expansion"]


def test_refresh_writes_only_what_changed_and_the_nightly_run_refreshes(db, manager):
    from segmentation.models import ClientFlags, RadarTally
    from segmentation.radar.services import refresh
    from segmentation.segments import engine

    today = timezone.localdate()
    lonely = ClientFactory(name="Lonely", responsible_manager=None)
    ClientFactory(name="Looked after", responsible_manager=manager)

    assert refresh(today, Policy.current()) == 2
    assert refresh(today, Policy.current()) == 0
    assert ClientFlags.objects.get(client=lonely).no_manager is True

    Client.objects.filter(pk=lonely.pk).update(responsible_manager=manager)
    assert refresh(today, Policy.current()) == 1
    assert ClientFlags.objects.get(client=lonely).no_manager is False

    Client.objects.filter(pk=lonely.pk).update(responsible_manager=None)
    engine.recompute(today=today)
    assert ClientFlags.objects.get(client=lonely).no_manager is True
    tallies = {t.manager_id: (t.clients, t.counts["no_manager"]) for t in RadarTally.objects.all()}
    assert tallies == {None: (1, 1), manager.pk: (1, 0)}
    unchanged = list(RadarTally.objects.values_list("pk", "clients", "counts"))
    refresh(today, Policy.current())
    assert list(RadarTally.objects.values_list("pk", "clients", "counts")) == unchanged


def test_the_radar_table_has_a_column_per_flag():
    from segmentation.models import ClientFlags

    columns = {field.name for field in ClientFlags._meta.fields}
    assert {flag.name for flag in FLAGS} <= columns
