"""A manager's time split (DOMAIN §9): the time logged on touches and development activities in a
period, by client category, against the policy's targets.

Whose time: a touch counts for each of our people who took part in it, and for its author when
nobody is named; a development activity likewise (our people, else its author). So a meeting
of two managers is an hour of each, and the department's total is the sum of its managers'.

Buckets: touches with A and B clients (communication), with C clients (service), with D clients
and clients without a category (other), and development activities with any client. The
category is the client's current one (the last nightly run's). Minutes are summed; entries
without a duration are counted apart, so the page can say the figures are incomplete.

The reads are one GROUP BY over the touches and one per registered source of development time,
for all the managers at once. Activities live in `plans`, above this app: plans registers its
source from its `AppConfig.ready()` (`register_development_time`).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import Touch
from kam.prepared import Ids, Prepared
from kam.users import roles
from kam.users.fields import NAME_COLUMNS
from kam.users.models import User
from segmentation.models import Category, Policy

COMMUNICATION = "communication"
SERVICE = "service"
OTHER = "other"
DEVELOPMENT = "development"
BUCKETS = (COMMUNICATION, SERVICE, DEVELOPMENT, OTHER)
LABELS: dict[str, str | Promise] = {
    COMMUNICATION: _("Communication: A and B clients"),
    SERVICE: _("Service: C clients"),
    DEVELOPMENT: _("Development activities"),
    OTHER: _("Other touches: D and uncategorised clients"),
}
DEPARTMENT_LABEL = _("Whole department")
TOUCH_BUCKETS = {Category.A: COMMUNICATION, Category.B: COMMUNICATION, Category.C: SERVICE}
# A share further than this from its target, in percentage points, is marked.
TOLERANCE = 5

# A source of development time: (since, until, the owners' ids) -> rows of owner, minutes,
# entries, undated.
TimeSource = Callable[[date, date, Ids], Iterable[dict[str, Any]]]
_DEVELOPMENT_SOURCES: list[TimeSource] = []


def register_development_time(source: TimeSource) -> None:
    _DEVELOPMENT_SOURCES.append(source)


def logged_time(
    entries: QuerySet[Any], *, people: str, since: date, until: date, owners: Ids, by: str = ""
) -> "QuerySet[Any, dict[str, Any]]":
    """Per owner (and per `by`, when given), in one GROUP BY: the minutes of `entries` dated in
    the period (both ends included), how many entries there were, and how many had no duration.

    The owner is each user of the many-to-many `people` (one row per person through the left
    join), or the entry's author when it names nobody; only the users of `owners` (ids) are
    kept. A query of its arguments alone, which a prepared query (`kam.prepared`) can take.
    """
    return (
        entries.filter(date__range=(since, until))
        .annotate(owner=Coalesce(F(people), F("created_by")))
        .filter(owner__any=owners)
        .values("owner", *([by] if by else []))
        .annotate(
            minutes=Sum("duration_minutes"),
            entries=Count("pk"),
            undated=Count("pk", filter=Q(duration_minutes__isnull=True)),
        )
        .order_by()
    )


def visible_managers(user: User) -> "QuerySet[User]":
    """The managers whose split `user` may see: every active account manager for directors and
    admins (they see all clients), else the user alone."""
    if user.has_perm("accounts.view_all_clients"):
        return _every_manager()
    return User.objects.filter(pk=user.pk).order_by("last_name", "first_name", "username")


def _every_manager() -> "QuerySet[User]":
    return (
        User.objects.filter(is_active=True, groups__name=roles.ACCOUNT_MANAGER)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


# Every manager with the fields of their name, for a director's split: the department's rows and
# the form's select of whom to show, from one query compiled once.
EVERY_MANAGER = Prepared(lambda: _every_manager().only(*NAME_COLUMNS))


def names_of(managers: Iterable[User]) -> list[tuple[int, str, str, str]]:
    """The managers' `NAME_COLUMNS`, as a select of users reads them (`kam.users.fields`)."""
    return [(user.pk, user.first_name, user.last_name, user.username) for user in managers]


def last_full_month(today: date) -> tuple[date, date]:
    """The default period: the last whole calendar month before today's."""
    until = today.replace(day=1) - timedelta(days=1)
    return until.replace(day=1), until


@dataclass
class Logged:
    """Time logged in one bucket: minutes, entries, and the entries without a duration."""

    minutes: int = 0
    entries: int = 0
    undated: int = 0

    def add(self, row: dict[str, Any]) -> None:
        """Add one row of `logged_time` (its minutes are NULL when none of its entries has one)."""
        self.minutes += row["minutes"] or 0
        self.entries += row["entries"]
        self.undated += row["undated"]

    def merge(self, other: "Logged") -> None:
        """Add another bucket's time (a manager's, to the department's)."""
        self.minutes += other.minutes
        self.entries += other.entries
        self.undated += other.undated

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Cell:
    """One bucket of a row as the table shows it: the time, its share of the row's logged time
    (None without logged time), the policy's target (None for other touches), and whether the
    share is off the target by more than TOLERANCE points."""

    bucket: str
    label: str | Promise
    logged: Logged
    share: Decimal | None
    target: Decimal | None
    off: bool


@dataclass
class Row:
    """A manager's split (the whole department's when `manager` is None)."""

    manager: User | None
    logged: dict[str, Logged] = field(default_factory=lambda: {bucket: Logged() for bucket in BUCKETS})

    @property
    def minutes(self) -> int:
        return sum(logged.minutes for logged in self.logged.values())

    @property
    def hours(self) -> Decimal:
        return Logged(minutes=self.minutes).hours

    @property
    def undated_touches(self) -> int:
        return sum(self.logged[bucket].undated for bucket in (COMMUNICATION, SERVICE, OTHER))

    @property
    def undated_activities(self) -> int:
        return self.logged[DEVELOPMENT].undated

    @property
    def undated_text(self) -> str:
        """The entries without a duration, in words ("2 touches, 1 development activity"), or ""."""
        parts = []
        if touches := self.undated_touches:
            parts.append(ngettext("%(count)s touch", "%(count)s touches", touches) % {"count": touches})
        if activities := self.undated_activities:
            parts.append(
                ngettext("%(count)s development activity", "%(count)s development activities", activities)
                % {"count": activities}
            )
        return ", ".join(parts)

    def cells(self, targets: dict[str, Decimal | None]) -> list[Cell]:
        total = self.minutes
        return [self._cell(bucket, targets[bucket], total) for bucket in BUCKETS]

    def _cell(self, bucket: str, target: Decimal | None, total: int) -> Cell:
        logged = self.logged[bucket]
        if not total:
            return Cell(bucket, LABELS[bucket], logged, None, target, off=False)
        share = (Decimal(logged.minutes * 100) / total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        # Exact: |minutes / total * 100 - target| > TOLERANCE, multiplied through by total.
        off = target is not None and abs(logged.minutes * 100 - target * total) > TOLERANCE * total
        return Cell(bucket, LABELS[bucket], logged, share, target, off)


def targets(policy: Policy) -> dict[str, Decimal | None]:
    return {
        COMMUNICATION: policy.split_ab_share,
        SERVICE: policy.split_c_share,
        DEVELOPMENT: policy.split_development_share,
        OTHER: None,
    }


@dataclass(frozen=True)
class TimeSplit:
    since: date
    until: date
    rows: list[Row]
    department: Row
    targets: dict[str, Decimal | None]


# The touches' time by owner and the client's category: compiled once per process.
_TOUCH_TIME = Prepared(
    lambda since, until, owners: logged_time(
        Touch.objects.all(),
        people="participants",
        since=since,
        until=until,
        owners=owners,
        by="client__segment__category",
    ),
    generic=True,  # planned anew for each run's people, planning cost ten times the run
)


def time_split(
    *, managers: Iterable[User], since: date, until: date, today: date, policy: Policy
) -> TimeSplit:
    """Each of `managers` (one row each, in their order, with or without logged time) and their
    sum, the department. Days after today are left out: a planned activity is not time spent.

    Queries: the managers, the touches, one per source of development time; whatever their number.
    """
    rows = {manager.pk: Row(manager) for manager in managers}
    owners = Ids(rows)
    for row in _TOUCH_TIME(since, min(until, today), owners):
        _add(rows, row, TOUCH_BUCKETS.get(row["client__segment__category"], OTHER))
    for source in _DEVELOPMENT_SOURCES:
        for row in source(since, min(until, today), owners):
            _add(rows, row, DEVELOPMENT)
    department = Row(None)
    for manager_row in rows.values():
        for bucket, logged in manager_row.logged.items():
            department.logged[bucket].merge(logged)
    return TimeSplit(since, until, list(rows.values()), department, targets(policy))


def _add(rows: dict[int, Row], row: dict[str, Any], bucket: str) -> None:
    # A manager who joined between the two reads has no row yet: left for the next page load.
    if row["owner"] in rows:
        rows[row["owner"]].logged[bucket].add(row)
