"""The time split's arithmetic on the hand-made month (see conftest): whose time, the buckets by
category, entries without a duration, the period's ends, the shares against the policy's
targets, and the queries it costs."""

import datetime
from decimal import Decimal

import pytest

from kam.users.models import User
from segmentation.models import Policy
from segmentation.timesplit import selectors
from segmentation.timesplit.selectors import COMMUNICATION, DEVELOPMENT, OTHER, SERVICE, Logged
from tests.factories import ClientFactory, ManagerFactory
from tests.segmentation.timesplit.conftest import SINCE, TODAY, UNTIL, activity, touch

pytestmark = pytest.mark.usefixtures("english")


def split_of(*managers, since=SINCE, until=UNTIL, today=TODAY, policy=None):
    chosen = User.objects.filter(pk__in=[m.pk for m in managers]).order_by("last_name")
    policy = policy or Policy.current()
    return selectors.time_split(managers=chosen, since=since, until=until, today=today, policy=policy)


def logged(row):
    return {bucket: (value.minutes, value.entries, value.undated) for bucket, value in row.logged.items()}


def test_each_manager_gets_the_time_of_the_entries_they_took_part_in(month):
    split = split_of(month.anna, month.boris)

    boris, anna = split.rows
    assert (anna.manager, boris.manager) == (month.anna, month.boris)
    assert logged(anna) == {
        COMMUNICATION: (90, 3, 1),
        SERVICE: (20, 1, 0),
        DEVELOPMENT: (120, 2, 1),
        OTHER: (20, 2, 0),
    }
    assert logged(boris) == {
        COMMUNICATION: (30, 1, 0),
        SERVICE: (40, 1, 0),
        DEVELOPMENT: (60, 2, 1),
        OTHER: (10, 1, 0),
    }
    assert (anna.minutes, boris.minutes) == (250, 140)
    assert logged(split.department) == {
        COMMUNICATION: (120, 4, 1),
        SERVICE: (60, 2, 0),
        DEVELOPMENT: (180, 4, 2),
        OTHER: (30, 3, 0),
    }


def test_shares_and_marks_against_the_policys_targets(month):
    boris, anna = split_of(month.anna, month.boris).rows
    targets = selectors.targets(Policy.current())

    cells = {cell.bucket: (cell.share, cell.target, cell.off) for cell in anna.cells(targets)}
    assert cells == {
        COMMUNICATION: (Decimal("36.0"), Decimal(30), True),
        SERVICE: (Decimal("8.0"), Decimal(10), False),
        DEVELOPMENT: (Decimal("48.0"), Decimal(40), True),
        OTHER: (Decimal("8.0"), None, False),
    }
    cells = {cell.bucket: (cell.share, cell.off) for cell in boris.cells(targets)}
    assert cells == {
        COMMUNICATION: (Decimal("21.4"), True),
        SERVICE: (Decimal("28.6"), True),
        DEVELOPMENT: (Decimal("42.9"), False),
        OTHER: (Decimal("7.1"), False),
    }


def test_the_department_is_the_sum_of_its_managers(month):
    split = split_of(month.anna, month.boris)

    cells = {cell.bucket: (cell.share, cell.off) for cell in split.department.cells(split.targets)}
    assert cells == {
        COMMUNICATION: (Decimal("30.8"), False),
        SERVICE: (Decimal("15.4"), True),
        DEVELOPMENT: (Decimal("46.2"), True),
        OTHER: (Decimal("7.7"), False),
    }
    assert split.department.hours == Decimal("6.5")


def test_hours_are_rounded_to_one_decimal(month):
    boris, anna = split_of(month.anna, month.boris).rows

    assert [anna.logged[bucket].hours for bucket in selectors.BUCKETS] == [
        Decimal("1.5"),
        Decimal("0.3"),
        Decimal("2.0"),
        Decimal("0.3"),
    ]
    assert (anna.hours, boris.hours) == (Decimal("4.2"), Decimal("2.3"))


def test_the_targets_come_from_the_policy(month):
    policy = Policy.current()
    policy.split_ab_share, policy.split_c_share, policy.split_development_share = 36, 15, 45
    policy.save()

    split = split_of(month.anna)

    assert split.targets == {COMMUNICATION: 36, SERVICE: 15, DEVELOPMENT: 45, OTHER: None}
    cells = {cell.bucket: (cell.target, cell.off) for cell in split.rows[0].cells(split.targets)}
    assert cells == {
        COMMUNICATION: (36, False),
        SERVICE: (15, True),
        DEVELOPMENT: (45, False),
        OTHER: (None, False),
    }


@pytest.mark.parametrize(("minutes", "off"), [(69, True), (70, False), (90, False), (91, True)])
def test_exactly_five_points_off_is_not_marked(db, minutes, off):
    """200 minutes in all; development's target is 40%: 70 and 90 minutes are 35% and 45%."""
    manager = ManagerFactory()
    client = ClientFactory(responsible_manager=manager)  # no segment: other touches
    touch(client, SINCE, 200 - minutes, people=[manager], author=manager)
    activity(client, SINCE, minutes, people=[manager], author=manager)

    row = split_of(manager).rows[0]

    development = row.cells(selectors.targets(Policy.current()))[2]
    assert (development.bucket, development.share, development.off) == (
        DEVELOPMENT,
        Decimal(minutes) / 2,
        off,
    )


def test_a_manager_without_logged_time_has_a_row_and_no_shares(month):
    idle = ManagerFactory(username="idle", last_name="Zhukov")

    split = split_of(month.anna, idle)

    row = split.rows[-1]
    assert (row.manager, row.minutes, row.undated_text) == (idle, 0, "")
    assert [(cell.share, cell.off) for cell in row.cells(split.targets)] == [(None, False)] * 4


def test_entries_without_a_duration_in_words(month):
    boris, anna = split_of(month.anna, month.boris).rows

    assert anna.undated_text == "1 touch, 1 development activity"
    assert boris.undated_text == "1 development activity"
    assert split_of(month.anna, month.boris).department.undated_text == "1 touch, 2 development activities"


def test_both_ends_of_the_period_count(month):
    first_day = split_of(month.anna, since=SINCE, until=SINCE).rows[0]
    last_day = split_of(month.anna, since=UNTIL, until=UNTIL).rows[0]

    assert first_day.logged[COMMUNICATION] == Logged(minutes=60, entries=1, undated=0)
    assert last_day.logged[COMMUNICATION] == Logged(minutes=30, entries=1, undated=0)
    assert first_day.minutes + last_day.minutes == 90


def test_days_after_today_are_not_counted(month):
    planned = activity(
        month.clients["A"], TODAY + datetime.timedelta(days=1), 300, people=[month.anna], author=month.anna
    )

    split = split_of(month.anna, since=datetime.date(2026, 2, 1), until=datetime.date(2026, 2, 28))

    assert split.rows[0].logged[DEVELOPMENT] == Logged(minutes=45, entries=1, undated=0)
    assert split.until == datetime.date(2026, 2, 28)
    assert planned.date > TODAY


def test_only_the_chosen_managers_are_counted(month):
    split = split_of(month.boris)

    assert [row.manager for row in split.rows] == [month.boris]
    assert split.department.minutes == 140


def test_the_last_full_month_is_the_default_period():
    assert selectors.last_full_month(datetime.date(2026, 3, 1)) == (
        datetime.date(2026, 2, 1),
        datetime.date(2026, 2, 28),
    )
    assert selectors.last_full_month(datetime.date(2026, 1, 31)) == (
        datetime.date(2025, 12, 1),
        datetime.date(2025, 12, 31),
    )


def test_directors_see_every_active_manager_and_a_manager_only_themselves(month, admin_user):
    ManagerFactory(username="gone", is_active=False)

    assert list(selectors.visible_managers(month.director)) == [month.boris, month.anna]
    assert list(selectors.visible_managers(admin_user)) == [month.boris, month.anna]
    assert list(selectors.visible_managers(month.anna)) == [month.anna]


@pytest.mark.parametrize("count", [1, 20])
def test_three_queries_whatever_the_number_of_managers(month, count, assert_queries):
    """The managers, one GROUP BY over the touches, one over the activities."""
    extra = ManagerFactory.create_batch(count - 1)
    for manager in extra:
        touch(month.clients["A"], SINCE, 10, people=[manager], author=manager)
        activity(month.clients["C"], SINCE, 10, people=[manager], author=manager)

    policy = Policy.current()
    split = assert_queries(3, lambda: split_of(month.anna, *extra, policy=policy))

    assert len(split.rows) == count
    assert split.department.minutes == 250 + 20 * (count - 1)
