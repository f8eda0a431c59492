"""The calculator's arithmetic (DOMAIN §9) on the hand-made base, to the minute: hours per
category, per manager and in all, and the managers needed by each part of the time split."""

from decimal import Decimal

import pytest

from segmentation.calculator import selectors
from segmentation.calculator.selectors import Norms, calculate, managers_for, policy_values
from tests.factories import ManagerFactory
from tests.segmentation.calculator.conftest import clients

# The policy's defaults: A 24 × 60 min = 24 h, B 12 × 45 = 9 h, C 4 × 30 = 2 h, D 1 × 15 = 0.25 h a client.
PER_CLIENT = {"A": Decimal(24), "B": Decimal(9), "C": Decimal(2), "D": Decimal("0.25")}


def norms(policy, **values):
    return Norms.of(policy_values(policy) | values, policy)


def test_the_policy_values_are_the_nine_norms(policy):
    assert policy_values(policy) == {
        "touches_a": 24,
        "touches_b": 12,
        "touches_c": 4,
        "touches_d": 1,
        "touch_minutes_a": 60,
        "touch_minutes_b": 45,
        "touch_minutes_c": 30,
        "touch_minutes_d": 15,
        "working_hours": 1970,
    }


def test_per_category_the_active_clients_and_their_hours(base, policy):
    workload = selectors.workload(norms(policy))

    rows = [
        (r.category, r.clients, r.touches, r.minutes, r.hours_per_client, r.hours)
        for r in workload.categories
    ]
    assert rows == [
        ("A", 3, 24, 60, Decimal(24), Decimal(72)),
        ("B", 5, 12, 45, Decimal(9), Decimal(45)),
        ("C", 10, 4, 30, Decimal(2), Decimal(20)),
        ("D", 2, 1, 15, Decimal("0.25"), Decimal("0.5")),
    ]
    assert workload.uncategorised == 2  # one with a blank category, one the run has not seen
    assert workload.clients == 20
    assert workload.hours == Decimal("137.5")


def test_per_manager_the_hours_against_the_time_for_touches_worst_first(base, policy):
    workload = selectors.workload(norms(policy))

    rows = [(r.manager, r.by_category, r.uncategorised, r.hours) for r in workload.managers]
    assert rows == [
        (base.anna, [2, 3, 4, 1], 1, Decimal("83.25")),  # 48 + 27 + 8 + 0.25
        (base.boris, [1, 1, 5, 0], 1, Decimal(43)),  # 24 + 9 + 10
    ]
    # 1970 h × (30% + 10%) = 788 h for touches; 83.25 / 788 = 10.56…%
    assert workload.hours_per_manager == Decimal(788)
    assert workload.managers[0].load == Decimal("83.25") * 100 / Decimal(788)
    assert not workload.managers[0].over


def test_nobody_holds_the_unassigned_clients_and_those_of_a_manager_who_has_left(base, policy):
    nobody = selectors.workload(norms(policy)).nobody

    assert (nobody.manager, nobody.by_category, nobody.uncategorised) == (None, [0, 1, 1, 1], 0)
    assert nobody.hours == Decimal("11.25")  # B 9 (the left manager's) + C 2 + D 0.25


def test_the_department_at_the_policy_norms(base, policy):
    workload = selectors.workload(norms(policy))

    ab, cd = workload.buckets
    assert (ab.categories, ab.hours, ab.hours_per_manager, ab.managers) == (("A", "B"), Decimal(117), 591, 1)
    assert (cd.categories, cd.hours, cd.hours_per_manager, cd.managers) == (
        ("C", "D"),
        Decimal("20.5"),
        197,
        1,
    )
    assert (workload.pooled, workload.needed, workload.current) == (1, 1, 2)
    assert (workload.difference, workload.short, workload.spare) == (-1, 0, 1)


def test_a_part_of_the_split_can_need_more_managers_than_the_total(base, policy):
    """200 h a year, C touched 8 times: 80 h for touches a manager, 60 for A and B, 20 for C.
    In all 157.5 h → 2 managers, but C and D need 40.5 h of the 20 h each gives them → 3."""
    workload = selectors.workload(norms(policy, working_hours=200, touches_c=8))

    ab, cd = workload.buckets
    assert workload.hours == Decimal("157.5")
    assert (ab.hours, ab.managers, cd.hours, cd.managers) == (Decimal(117), 2, Decimal("40.5"), 3)
    assert (workload.pooled, workload.needed, workload.short) == (2, 3, 1)
    assert workload.managers[0].load == Decimal("91.25") * 100 / 80  # 114.06%
    assert workload.managers[0].over


def test_managers_are_rounded_up_exactly_at_the_boundary():
    assert managers_for(47280, Decimal(47280)) == 1
    assert managers_for(47281, Decimal(47280)) == 2
    assert managers_for(0, Decimal(47280)) == 0
    assert managers_for(0, Decimal(0)) == 0
    assert managers_for(1, Decimal(0)) is None


def test_a_part_of_the_split_without_a_share_cannot_be_served(base, policy):
    policy.split_c_share = Decimal(0)
    workload = selectors.workload(norms(policy))

    assert [b.categories for b in workload.short_buckets] == [("C", "D")]
    # The answer leaves C and D out: A and B 117 h of 591, all 137.5 h of 591 h → 1.
    assert (workload.pooled, workload.needed) == (1, 1)


def test_no_time_for_touches_gives_no_answer(base, policy):
    policy.split_ab_share = policy.split_c_share = Decimal(0)
    workload = selectors.workload(norms(policy))

    assert (workload.pooled, workload.needed, workload.difference, workload.short, workload.spare) == (
        None,
        None,
        None,
        0,
        0,
    )
    assert workload.managers[0].load is None


def test_zero_touches_for_a_category_takes_no_time(base, policy):
    workload = selectors.workload(norms(policy, touches_d=0, touch_minutes_a=0))

    assert workload.hours == Decimal(45) + Decimal(20)


def test_an_empty_base_needs_no_managers(db, policy):
    workload = selectors.workload(norms(policy))

    assert (workload.clients, workload.hours, workload.needed, workload.current) == (0, 0, 0, 0)
    assert workload.managers == []
    assert workload.nobody.hours == 0


@pytest.mark.parametrize("managers", [1, 20])
def test_the_figures_take_two_queries_whatever_the_number_of_managers(managers, db, policy, assert_queries):
    for manager in ManagerFactory.create_batch(managers):
        clients(manager, "A")
        clients(manager, "C", 2)
    workload = assert_queries(2, lambda: selectors.workload(norms(policy)))

    assert len(workload.managers) == managers
    assert workload.hours == managers * (PER_CLIENT["A"] + 2 * PER_CLIENT["C"])


def test_calculate_is_plain_arithmetic_on_counts(policy):
    """A manager the user query did not return (gone between the two queries) is nobody."""
    counts = [(None, "A", 1), (None, "", 4), (None, "D", 4), (99, "A", 1)]
    workload = calculate(norms(policy), counts, {})

    assert (workload.clients, workload.uncategorised, workload.hours) == (6, 4, Decimal(49))
    assert workload.nobody.by_category == [2, 0, 0, 4]
    assert workload.managers == []
