"""A manager's load by capacity (DOMAIN §9) on a hand-made portfolio, and what it breaks."""

from fractions import Fraction

import pytest
from django.utils import translation

from accounts.models import Client
from segmentation.models import ClientSegment, KeyStatus, Policy, SizeClass
from segmentation.workload.selectors import Load, load_warnings, loads
from tests.factories import ClientFactory, ManagerFactory


@pytest.fixture
def policy(db):
    return Policy.current()


def portfolio(manager, *, small=0, medium=0, large=0, largest=0, unsized=0, keys=0, inactive=0):
    for size, count in [
        (SizeClass.SMALL, small),
        (SizeClass.MEDIUM, medium),
        (SizeClass.LARGE, large),
        (SizeClass.LARGEST, largest),
    ]:
        for n in range(count):
            client = ClientFactory(name=f"{manager.username} {size} {n}", responsible_manager=manager)
            ClientSegment.objects.create(client=client, size_class=size)
            if keys:
                KeyStatus.objects.create(client=client, is_key=True)
                keys -= 1
    for n in range(unsized):
        ClientFactory(name=f"{manager.username} unsized {n}", responsible_manager=manager)
    for n in range(inactive):
        client = ClientFactory(
            name=f"{manager.username} inactive {n}",
            responsible_manager=manager,
            status=Client.Status.INACTIVE,
        )
        ClientSegment.objects.create(client=client, size_class=SizeClass.LARGEST)


def test_load_is_the_sum_of_one_over_capacity_by_size_class(policy):
    anna, boris = ManagerFactory(username="anna"), ManagerFactory(username="boris")
    # anna: 20/100 + 10/40 + 2/10 + 1/3 (+ 5 unsized, counted small: 5/100); inactive ones weigh nothing
    portfolio(anna, small=20, medium=10, large=2, largest=1, unsized=5, keys=0, inactive=4)
    portfolio(boris, largest=3, keys=2)
    ClientFactory(name="nobody's", responsible_manager=None)

    found = loads()

    assert found[anna.pk] == Load(small=25, medium=10, large=2, largest=1, keys=0)
    assert found[anna.pk].share(policy) == Fraction(25, 100) + Fraction(10, 40) + Fraction(2, 10) + Fraction(
        1, 3
    )
    assert found[anna.pk].percent(policy) == 103
    assert found[anna.pk].is_over(policy)
    assert found[boris.pk] == Load(largest=3, keys=2)
    assert (found[boris.pk].percent(policy), found[boris.pk].is_over(policy)) == (100, True)
    assert found[None] == Load(small=1)


def test_loads_follow_the_policy_capacities(policy):
    anna = ManagerFactory(username="anna")
    portfolio(anna, medium=30)
    policy.capacity_medium = 30

    assert loads()[anna.pk].percent(policy) == 100
    policy.capacity_medium = 50
    assert loads()[anna.pk].percent(policy) == 60


def test_a_load_just_under_full_rounds_to_100_but_is_not_over(policy):
    anna = ManagerFactory(username="anna")
    portfolio(anna, small=1, large=9, medium=3)  # 1/100 + 9/10 + 3/40 = 98.5%
    load = loads()[anna.pk]

    assert (load.percent(policy), load.is_over(policy)) == (99, False)
    assert load_warnings(load, policy) == []


def test_moves_add_and_subtract_loads(policy):
    before, moving = Load(small=10, large=2, keys=1), Load(small=4, keys=1)

    assert before - moving == Load(small=6, large=2, keys=0)
    assert before + moving == Load(small=14, large=2, keys=2)


def test_warnings_name_what_the_load_breaks(policy):
    policy.key_per_manager = 3
    kam = Load(small=2, largest=3, keys=4)

    assert load_warnings(kam, policy) == [
        "Over capacity: 102% of a full load.",
        "Holds 4 key clients, more than 3.",
        "Also carries 2 small clients.",
    ]
    assert load_warnings(kam, policy, manager="Anna") == [
        "Anna would be over capacity: 102% of a full load.",
        "Anna now holds 4 key clients; a key account manager normally holds at most 3.",
        "Anna also carries 2 small clients; a key account manager should not carry small clients.",
    ]
    assert load_warnings(Load(small=50), policy) == []  # small clients are no warning without key ones


def test_a_load_over_a_thousand_per_cent_is_grouped_as_the_tables_group_it(policy):
    policy.capacity_small = 100
    heavy = Load(small=1213)

    with translation.override("ru"):
        russian = load_warnings(heavy, policy)[0]
    with translation.override("en"):
        english = load_warnings(heavy, policy)[0]

    assert english == "Over capacity: 1,213% of a full load."
    assert russian.replace("\xa0", " ") == "Перегружен: 1 213% полной нагрузки."
