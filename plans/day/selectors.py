"""The manager's day (DOMAIN §2, §7, §8): what is due, whose birthday is coming, which of
their clients are flagged, and which next steps are due, in a constant number of queries.

"Their clients" are the ones the user is responsible for or on the account team of, whatever
the role: a director's day is about the clients they work on, not the whole base.

Each section is one query compiled once per process (`kam.prepared.Prepared`): the page is
every account manager's landing page, and building and compiling its five queries cost more
than running them. So the day's dates reach the queries as arguments (a week ahead, the season
of congratulations, the birthdays' month-days), never derived inside them.
"""

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.expressions import CombinedExpression, Expression
from django.db.models.functions import ExtractDay, ExtractMonth
from django.db.models.lookups import Exact, In, LessThan

from accounts.models import Client, Contact, TeamMember, Touch
from accounts.selectors import choices_version
from kam.prepared import AnyOf, Ids, Prepared
from kam.users.extensions import read_with
from kam.users.models import User
from plans.models import Plan, PlanStep
from segmentation.models import ActionItem
from segmentation.models.segments import DAY_FLAG_COLUMNS
from segmentation.radar.flags import BY_NAME, Flag
from segmentation.radar.selectors import flagged, list_url
from segmentation.segments.totals import POLICY_VERSION

BIRTHDAY_DAYS = 14
ACTIONS_AHEAD = 7
LIMIT = 50
STEPS_LIMIT = 10  # the most recent; the client list sorted by next step has them all
DAY_FLAGS = list(DAY_FLAG_COLUMNS)  # counted from an index of these flags alone (`radar_day_idx`)
BIRTHDAY_ROLES = [Contact.DecisionRole.DECISION_MAKER, Contact.DecisionRole.INFLUENCER]


def my_clients(user: int) -> QuerySet[Any]:
    """The ids of the clients the user (an id) is responsible for or on the team of, for
    `client__in`: a UNION of two index lookups (an OR across the two made PostgreSQL read every
    touch of the base with a due next step, 0.3 s at 100,000 clients, instead of 0.02 s)."""
    responsible = Client.objects.filter(responsible_manager_id=user).order_by().values("pk")
    return responsible.union(TeamMember.objects.filter(user_id=user).order_by().values("client"))


@dataclass(frozen=True)
class Birthday:
    contact: Contact
    on: date
    congratulated: bool


@dataclass(frozen=True)
class FlagCount:
    flag: Flag
    count: int
    url: str


@dataclass(frozen=True)
class Section:
    """Up to LIMIT rows of one kind, and how many there are in all."""

    rows: list
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def _sectioned(queryset: QuerySet, limit: int = LIMIT, **shown: F) -> QuerySet:
    """The first `limit` rows, each with the total (`section_total`), in one query; `shown`: the
    values of related rows the page shows, each annotated (not whole rows joined and made into
    models: a step's plan and client were 40 columns a row for three values).

    The total is a window count, or, when the rows join related rows, a subquery of the same
    filter without those joins: a window would join every matching row before the limit (3 ms
    for a manager with 2,400 steps due, against 0.7 ms), while the rows alone are read off an
    index in their order."""
    joins = shown or queryset.query.select_related
    total: Subquery | Window = _count(queryset) if joins else Window(Count("pk"))
    return queryset.annotate(section_total=total, **shown)[:limit]


def _count(queryset: QuerySet) -> Subquery:
    """How many rows `queryset` has, as a subquery (one aggregate row, no GROUP BY)."""
    return Subquery(queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n"))


def _section(rows: list) -> Section:
    return Section(rows, rows[0].section_total if rows else 0)


_ACTIONS = Prepared(
    lambda user, until: _sectioned(
        ActionItem.objects.filter(owner_id=user, status=ActionItem.Status.OPEN, due__lte=until)
        .only("what", "due")
        .order_by("due", "pk"),
        client_pk=F("item__client_id"),
        client_name=F("item__client__name"),
    )
)


def action_items(user: User, today: date) -> Section:
    """The user's open action items due within a week, overdue ones first, each with its
    client's `client_pk` and `client_name`."""
    return _section(_ACTIONS(user.pk, today + timedelta(days=ACTIONS_AHEAD)))


_STEPS = Prepared(
    lambda user, until: _sectioned(
        PlanStep.objects.filter(
            assignee_id=user, done_on__isnull=True, plan__status=Plan.Status.ACTIVE, due__lte=until
        )
        .only("text_en", "text_ru", "due")
        .order_by("due", "pk"),
        client_pk=F("plan__client_id"),
        client_name=F("plan__client__name"),
        plan_kind=F("plan__kind"),
    )
)


def plan_steps(user: User, today: date) -> Section:
    """The user's undone steps of active plans, due within a week, overdue ones first, each with
    its plan's `plan_kind` and its client's `client_pk` and `client_name`."""
    return _section(_STEPS(user.pk, today + timedelta(days=ACTIONS_AHEAD)))


def birthday_days(today: date, days: int = BIRTHDAY_DAYS) -> list[date]:
    return [today + timedelta(days=n) for n in range(days + 1)]


def month_day() -> CombinedExpression:
    """A birthday's month and day as one number, 1231 for 31 December."""
    return ExtractMonth("birthday") * 100 + ExtractDay("birthday")


def _days_by_month_day(days: list[date]) -> dict[int, int]:
    """Each of `days` as `month_day()` numbers, to its position in `days`; 29 February counts
    on 28 February in a year without it."""
    found: dict[int, int] = {}
    for n, day in enumerate(days):
        found.setdefault(day.month * 100 + day.day, n)
        if _february_28_without_29(day):
            found.setdefault(229, n)
    return found


def _february_28_without_29(day: date) -> bool:
    return (day.month, day.day) == (2, 28) and not _leap(day.year)


def soonest_first(today: int, leap_day: int | Expression) -> list[Expression]:
    """An order of birthdays from `today` (a month-day number) on: this year's dates, then those
    past the new year. A birthday on 29 February sorts on `leap_day`: 228 in a year without it,
    229 in a year with it."""
    on: Expression = month_day()
    on = Case(When(Exact(on, 229), then=leap_day), default=on)
    return [Case(When(LessThan(on, today), then=Value(1)), default=Value(0)), on]


def birthday_q(days: list[date]) -> Q:
    """Birthdays on any of `days`, whatever the year (see `_days_by_month_day`): one number a
    row compared with a list, not a pair of extracts a row and day."""
    return Q(In(month_day(), list(_days_by_month_day(days))))


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


_BIRTHDAYS = Prepared(
    lambda user, season, month_days, today, leap_day: _sectioned(
        Contact.objects.filter(
            AnyOf(month_day(), month_days),
            client__in=my_clients(user),
            is_active=True,
            decision_role__in=BIRTHDAY_ROLES,
            birthday__isnull=False,  # as `contact_birthday_idx` says it
        )
        .select_related("client")
        .annotate(
            congratulated=Exists(
                Touch.objects.filter(
                    contacts=OuterRef("pk"), kind=Touch.Kind.CONGRATULATION, date__gte=season
                )
            )
        )
        .order_by(*soonest_first(today, Value(leap_day)), "name", "pk")
    ),
    generic=True,  # planned anew for each run's month-days, planning cost five times the run
)


def birthdays(user: User, today: date) -> Section:
    """Decision makers and influencers of the user's clients with a birthday in the next two
    weeks, soonest first, each marked when a congratulation was logged for them this season."""
    days = birthday_days(today)
    leap_day = 228 if any(_february_28_without_29(day) for day in days) else 229
    found = _section(
        _BIRTHDAYS(
            user.pk,
            today - timedelta(days=BIRTHDAY_DAYS),
            Ids(_days_by_month_day(days)),
            today.month * 100 + today.day,
            leap_day,
        )
    )
    rows = [Birthday(c, _next_birthday(c.birthday, days), c.congratulated) for c in found.rows]
    return Section(rows, found.total)


def _next_birthday(birthday: date | None, days: list[date]) -> date:
    assert birthday is not None
    for day in days:
        if (day.month, day.day) == (birthday.month, birthday.day):
            return day
    return next(day for day in days if (day.month, day.day) == (2, 28))


def _flag_counts(user: int) -> QuerySet[Any]:
    counts = {name: Count("pk", filter=flagged(name)) for name in DAY_FLAGS}
    # One row of counts however many clients: grouped by a constant, which Django leaves out of
    # a GROUP BY (so no GROUP BY at all), as `aggregate()` would; a queryset, to be prepared.
    whole = Client.objects.filter(responsible_manager_id=user).order_by().values(whole=Value(1))
    return whole.annotate(**counts).values_list(*DAY_FLAGS)


_FLAG_COUNTS = Prepared(_flag_counts, generic=True)  # the plan for any user runs as fast


# The counts last read, by database and user, with the versions read before them; the last
# KEPT_COUNTS users'.
_kept_counts: OrderedDict[tuple[str, int], tuple[tuple[int, int], tuple[int, ...]]] = OrderedDict()
KEPT_COUNTS = 256


def flag_counts(user: User) -> list[FlagCount]:
    """How many of the clients the user is responsible for carry each of the day's flags, in one
    aggregate query; each count opens the client list filtered by the flag and by the user.

    The counts move only with the flags, which a nightly run writes (and its run's row, so the
    `PolicyVersion`, moves with it), and with whom clients are assigned to (which moves the
    client list filters' `ChoicesVersion`): read with the signed-in user, the two versions
    keep the counts read for them in the process, and give them again without a query."""
    counts = _counts(user)
    return [
        FlagCount(BY_NAME[name], count, list_url(BY_NAME[name], str(user.pk)))
        for name, count in zip(DAY_FLAGS, counts, strict=True)
    ]


def _counts(user: User) -> tuple[int, ...]:
    choices, policy = choices_version(user), read_with(user, POLICY_VERSION)
    versions = None if choices is None or policy is None else (choices, policy)
    key = (connection.alias, user.pk)
    kept = _kept_counts.get(key)
    if versions is not None and kept is not None and kept[0] == versions:
        _kept_counts.move_to_end(key)
        return kept[1]
    (counts,) = _FLAG_COUNTS(user.pk)
    if versions is not None:
        _kept_counts[key] = (versions, tuple(counts))  # as new as the versions at least
        while len(_kept_counts) > KEPT_COUNTS:
            _kept_counts.popitem(last=False)
    return tuple(counts)


STEPS_ORDER = ["-next_step_due", "-pk"]


def _steps_due(user: int, today: date) -> tuple[QuerySet[Client], QuerySet[Client]]:
    """The user's own clients with a next step due by `today` (read off
    `client_manager_step_idx`), and their account teams' clients with one that are not their own."""
    due = Client.objects.filter(next_step_due__lte=today).exclude(next_step="").order_by()
    own = due.filter(responsible_manager_id=user)
    team = due.filter(team__user_id=user).exclude(responsible_manager_id=user)
    return own, team


def _newest_steps(user: int, today: date) -> QuerySet[Client]:
    """The clients whose next steps the day shows, with how many of the user's clients have one
    due (`section_total`). Each of the two sets is read apart, and counted apart: read as one (a
    window count over them) every client of a manager with a step due was read from its row
    (612 in the benchmark, 2.3 ms) to show ten. Where the database orders and cuts the parts of
    a UNION (not SQLite), only each one's first ten are taken from its index."""
    own, team = _steps_due(user, today)
    own_ids, team_ids = own.values("pk"), team.values("pk")
    if connection.features.supports_slicing_ordering_in_compound:
        own_ids = own_ids.order_by(*STEPS_ORDER)[:STEPS_LIMIT]
        team_ids = team_ids.order_by(*STEPS_ORDER)[:STEPS_LIMIT]
    total = _count(own) + _count(team)
    return (
        Client.objects.filter(pk__in=own_ids.union(team_ids, all=True))
        .only("name", "next_step", "next_step_due")
        .annotate(section_total=total)
        .order_by(*STEPS_ORDER)[:STEPS_LIMIT]
    )


_NEXT_STEPS = Prepared(_newest_steps, generic=True)  # planning took twice its run


def next_steps_due(user: User, today: date) -> Section:
    """The next steps due today or overdue, the most recent first: each client's next step (that
    of its latest touch that set one, kept on the card), read from the user's clients."""
    return _section(_NEXT_STEPS(user.pk, today))
