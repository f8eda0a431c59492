"""Reads for the potential table on the card and the list of estimates to do.

The caller has already passed the client through `accounts.access.get_client_for_user`;
the to-do list is of the whole base, and its view narrows it to the user's clients.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum

from accounts.models import Client, ProductGroup, Sale, TeamMember
from accounts.rules import sees_every_client
from accounts.selectors import SeenFirstPage
from kam import drawn_rows
from kam.pagination import first_page
from kam.prepared import Ids, Prepared
from kam.users.models import User
from segmentation.models import ClientSegment, EstimateMonthTally, EstimateTally, Policy, PotentialEstimate
from segmentation.segments import abcd, wallet
from segmentation.segments.selectors import ranks
from segmentation.segments.totals import policy_and_totals
from segmentation.segments.words import Reason, share_against

ZERO = Decimal(0)


def stale_before(today: date, policy: Policy) -> date:
    """An estimate made before this date is stale: older than the policy's `estimate_stale_months`."""
    return today - relativedelta(months=policy.estimate_stale_months)


def stale_since(last_estimated: date, policy: Policy) -> date:
    """The first day on which an estimate made on `last_estimated` counts as stale."""
    return _stale_since(last_estimated, policy.estimate_stale_months)


@lru_cache(maxsize=4096)
def _stale_since(last_estimated: date, months: int) -> date:
    """Found once per process for each day and window: the to-do writes it on every row.

    Month arithmetic is not invertible at month ends (29 February minus a year is the 28th,
    as is 28 February minus a year), so step from the first possible day to the real one.
    """
    day = last_estimated + relativedelta(months=months) + timedelta(days=1)
    while not last_estimated < day - relativedelta(months=months):
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class PotentialRow:
    """One product group of the potential table (DOMAIN §5)."""

    group: ProductGroup
    estimate: PotentialEstimate | None
    ours: Decimal
    stale: bool
    limit: Decimal

    @property
    def whitespace(self) -> bool:
        """Potential but little or nothing bought from us: below the "can buy more" share."""
        share = self.share
        return share is not None and share < self.limit

    @property
    def covered(self) -> Decimal:
        return wallet.covered(self.ours, self.estimate.amount) if self.estimate else ZERO

    @property
    def share(self) -> Decimal | None:
        return wallet.share(self.covered, self.estimate.amount) if self.estimate else None

    @property
    def headroom(self) -> Decimal | None:
        return self.estimate.amount - self.covered if self.estimate else None

    @property
    def share_text(self) -> str:
        share = self.share
        return "" if share is None else share_against(share, self.limit)


@dataclass(frozen=True)
class PotentialTable:
    rows: list[PotentialRow]
    wallet_limit: Decimal
    stale_months: int

    @property
    def analysed(self) -> bool:
        return any(row.estimate for row in self.rows)

    @property
    def potential(self) -> Decimal:
        return sum((row.estimate.amount for row in self.rows if row.estimate), ZERO)

    @property
    def ours(self) -> Decimal:
        return sum((row.ours for row in self.rows), ZERO)

    @property
    def covered(self) -> Decimal:
        return sum((row.covered for row in self.rows), ZERO)

    @property
    def share(self) -> Decimal | None:
        """As the nightly run computes it: over the groups with an estimate, capped per group."""
        return wallet.share(self.covered, self.potential)

    @property
    def headroom(self) -> Decimal:
        return self.potential - self.covered

    @property
    def share_text(self) -> str:
        share = self.share
        return "" if share is None else share_against(share, self.wallet_limit)


def trailing_sales_by_group(client: Client, *, today: date) -> dict[int, Decimal]:
    """Our sales per product group in the 365 days ending `today`, in one query."""
    rows = _TRAILING(client.pk, today - timedelta(days=365), today)
    return {row["product_group_id"]: row["total"] for row in rows}


_TRAILING = Prepared(
    lambda client, after, until: (
        Sale.objects.filter(client_id=client, date__gt=after, date__lte=until)
        .values("product_group_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
)
_ESTIMATES = Prepared(
    lambda client: PotentialEstimate.objects.filter(client_id=client).select_related("author").order_by()
)
# Every active group, and any other one the client has an estimate for.
_GROUPS = Prepared(
    lambda client: ProductGroup.objects.filter(
        Q(is_active=True)
        | Q(pk__in=PotentialEstimate.objects.filter(client_id=client).values("product_group"))
    ).order_by("name")
)
_SEGMENT = Prepared(lambda client: ClientSegment.objects.filter(client_id=client)[:1])


def potential_table(client: Client, *, today: date, policy: Policy) -> PotentialTable:
    """Every active product group (and any other one the client has an estimate for), three queries."""
    estimates = {e.product_group_id: e for e in _ESTIMATES(client.pk, attach=("client", client))}
    groups = _GROUPS(client.pk)
    sales = trailing_sales_by_group(client, today=today)
    cutoff = stale_before(today, policy)
    rows = [
        _row(group, estimates.get(group.pk), sales.get(group.pk, ZERO), cutoff, policy) for group in groups
    ]
    return PotentialTable(
        rows=rows, wallet_limit=policy.wallet_share_limit, stale_months=policy.estimate_stale_months
    )


def _row(
    group: ProductGroup, estimate: PotentialEstimate | None, ours: Decimal, cutoff: date, policy: Policy
) -> PotentialRow:
    stale = bool(estimate and estimate.estimated_on < cutoff)
    return PotentialRow(
        group=group, estimate=estimate, ours=ours, stale=stale, limit=policy.wallet_share_limit
    )


@dataclass(frozen=True)
class PotentialPage:
    table: PotentialTable
    category: Reason | None
    computed: bool


def potential_page(client: Client, *, today: date) -> PotentialPage:
    """The table and, once the nightly run has seen an estimate, the category it gave."""
    segment = next(iter(_SEGMENT(client.pk, attach=("client", client))), None)
    category = None
    if segment is not None and segment.category:
        policy, totals = policy_and_totals()
        rank = ranks(segment, totals.run).revenue
        category = abcd.category_reason(segment, policy, totals.clients, rank)
    else:
        policy = Policy.current()
    table = potential_table(client, today=today, policy=policy)
    return PotentialPage(table=table, category=category, computed=segment is not None)


def estimates_todo(*, today: date, policy: Policy) -> QuerySet[Client]:
    """Current clients without a potential estimate, or whose newest one is stale (DOMAIN §5),
    each with `last_estimated` (NULL: never analysed): of the whole base, for the caller to
    narrow to what a user sees (`accounts.selectors.visible_parts` or `visible_among`)."""
    return _todo(Client.objects.all(), stale_before(today, policy))


def _todo(clients: QuerySet[Client], cutoff: date) -> QuerySet[Client]:
    fresh = PotentialEstimate.objects.filter(client=OuterRef("pk"), estimated_on__gte=cutoff)
    return (
        clients.exclude(status=Client.Status.INACTIVE)
        .filter(~Exists(fresh))
        .annotate(last_estimated=_newest_estimate())
        .select_related("responsible_manager")
    )


TODO_ORDER = ["name", "pk"]
TODO_PAGE_SIZE = 50

# The to-do as it opens, unfiltered, as each user sees it: its first page's keys from a query
# compiled once (built and compiled on every request, it was a fifth of the page's time).
_FIRST = SeenFirstPage(
    lambda parts, cutoff: first_page(
        [_todo(part, cutoff) for part in parts], order=TODO_ORDER, size=TODO_PAGE_SIZE, read=True
    ),
    parts=True,
)


def first_todo_page(user: User, *, today: date, policy: Policy) -> Callable[[], list[Any]]:
    """The unfiltered to-do's first page of keys as the user sees it (`keyset_page(first=...)`)."""
    return _FIRST.of(user, stale_before(today, policy))


@dataclass(frozen=True)
class ManagerTodo:
    manager: User | None
    not_analysed: int
    stale: int

    @property
    def total(self) -> int:
        return self.not_analysed + self.stale


def todo_counts(user: User, *, today: date, policy: Policy) -> list[ManagerTodo]:
    """Per responsible manager: clients not analysed and clients gone stale, among those the
    user sees (DOMAIN §5).

    Read from the tallies that triggers keep as clients and estimates are written: the months
    before the cutoff's (`EstimateMonthTally`), then that month's days before the cutoff
    (`EstimateTally`), where counting 100,000 clients against their estimates took two
    whole-base anti-joins (~100 ms each) on every request, and every day since the first
    estimate 3.5 ms. Kept live rather than stored by the nightly run, because an estimate
    entered during the day must leave the count at once.
    A manager's own clients come from the tallies too; the clients of their account teams that
    someone else is responsible for (a handful) are counted. Each query is prepared
    (`kam.prepared`): the page is every manager's, and compiling them cost more than running them.
    """
    cutoff = stale_before(today, policy)
    month = cutoff.replace(day=1)
    if sees_every_client(user):
        tally = _by_manager(_ALL_TALLIED(month, cutoff))
    else:
        own = _OWN_TALLIED(user.pk, month, cutoff)
        tally = _by_manager(own) | _by_manager(_ON_TEAM_COUNTED(user.pk, cutoff))
    people = {person.pk: person for person in _PEOPLE(Ids(pk for pk in tally if pk is not None))}
    counts = [
        ManagerTodo(people.get(pk) if pk else None, never, stale)
        for pk, (never, stale) in tally.items()
        if never or stale
    ]
    return sorted(counts, key=lambda m: (m.manager is None, str(m.manager or "")))


def _by_manager(rows: list[tuple[int | None, int | None, int | None]]) -> dict[int | None, tuple[int, int]]:
    """(not analysed, stale) by manager (None: nobody), the rows of one manager summed."""
    found: dict[int | None, tuple[int, int]] = {}
    for manager, never, stale in rows:
        before = found.get(manager or None, (0, 0))
        found[manager or None] = (before[0] + (never or 0), before[1] + (stale or 0))
    return found


def _sums(rows: QuerySet[Any], day: str) -> QuerySet[Any]:
    """(manager, not analysed, stale) summed over tally rows dated by `day`."""
    never = Q(**{day: EstimateTally.NEVER})
    return (
        rows.values("manager")
        .annotate(never=Sum("clients", filter=never), stale=Sum("clients", filter=~never))
        .order_by()
        .values_list("manager", "never", "stale")
    )


def _tallied(manager: Q, month: date, cutoff: date) -> QuerySet[Any]:
    """(manager, not analysed, stale) from the kept tallies, a manager's in up to two rows: the
    months before `month`, the cutoff's, then its days before the cutoff."""
    months = EstimateMonthTally.objects.filter(manager, month__lt=month)
    days = EstimateTally.objects.filter(manager, last_estimated__gte=month, last_estimated__lt=cutoff)
    return _sums(months, "month").union(_sums(days, "last_estimated"), all=True)


def _counted(clients: QuerySet[Client], cutoff: date) -> QuerySet[Any]:
    """(manager, not analysed, stale) over the given clients (the current ones), counted."""
    return (
        clients.exclude(status=Client.Status.INACTIVE)
        .annotate(newest=_newest_estimate())
        .values("responsible_manager")
        .annotate(
            never=Count("pk", filter=Q(newest__isnull=True)), stale=Count("pk", filter=Q(newest__lt=cutoff))
        )
        .order_by()
        .values_list("responsible_manager", "never", "stale")
    )


_ALL_TALLIED = Prepared(lambda month, cutoff: _tallied(Q(), month, cutoff))
_OWN_TALLIED = Prepared(lambda user, month, cutoff: _tallied(Q(manager=user), month, cutoff))
_ON_TEAM_COUNTED = Prepared(
    lambda user, cutoff: _counted(
        Client.objects.filter(pk__in=TeamMember.objects.filter(user_id=user).values("client")).exclude(
            responsible_manager_id=user
        ),
        cutoff,
    )
)
_PEOPLE = Prepared(lambda ids: User.objects.filter(pk__any=ids))


def _newest_estimate() -> Subquery:
    newest = PotentialEstimate.objects.filter(client=OuterRef("pk")).order_by("-estimated_on")
    return Subquery(newest.values("estimated_on")[:1])


_TODO_ROWS = Prepared(
    lambda ids: (
        Client.objects.filter(pk__any=ids)
        .annotate(last_estimated=_newest_estimate())
        .select_related("responsible_manager")
    )
)


def todo_rows_by_pk(pks: list[int]) -> Sequence[Any]:
    """The to-do's clients of a page, by pk (`keyset_page(read=...)`), each with `last_estimated`
    and its responsible manager, as `estimates_todo` gives them: one query, compiled once; rows
    to draw (`kam.drawn_rows`)."""
    return drawn_rows.of_pks(_TODO_ROWS, pks)


@dataclass(frozen=True)
class TodoRow:
    client: Client
    stale_since: date | None


class TodoRows(drawn_rows.Made[TodoRow]):
    """The page's clients, each with the day its estimate went stale (None: never analysed),
    made when asked for; the months after which an estimate is stale (`months`)."""

    def __init__(self, clients: list[Any], policy: Policy):
        super().__init__(clients, self.row)
        self.policy, self.months = policy, policy.estimate_stale_months

    def row(self, client: Any) -> TodoRow:
        newest = client.last_estimated
        return TodoRow(client, stale_since(newest, self.policy) if newest else None)
