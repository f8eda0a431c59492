"""Every read of client data goes through here, filtered by what the user may see."""

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from functools import partial
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractQuarter, ExtractYear, TruncMonth
from django.utils import formats, timezone, translation

from accounts import extensions
from accounts.extensions import ListColumn
from accounts.models import (
    ChoicesVersion,
    Client,
    ClientListColumns,
    Contact,
    PointOfPresence,
    Refusal,
    Sale,
    TeamMember,
    Touch,
)
from accounts.rules import sees_every_client
from kam import drawn_rows
from kam.joins import keys_from_joined
from kam.money import currency
from kam.pagination import count_query, first_page
from kam.prepared import Ids, Prepared, related
from kam.users import extensions as users_extensions
from kam.users.fields import name_fields
from kam.users.models import AnyUser, User


def clients_visible_to(user: AnyUser) -> QuerySet[Client]:
    """Directors and admins see every client; a manager sees the ones they are on: the clients
    they are responsible for and those of their account teams, each set read through its own
    index, so that a manager's page costs what their list costs, not what the whole base costs."""
    return visible_among(user, Client.objects.all())


def visible_among(user: AnyUser, clients: QuerySet[Client]) -> QuerySet[Client]:
    """Of `clients`, those the user sees (as `clients_visible_to`)."""
    if not user.is_authenticated:
        return clients.none()
    if sees_every_client(user):
        return clients
    return seen_by_manager(user.pk, clients)


def seen_by_manager(user: int, clients: QuerySet[Client]) -> QuerySet[Client]:
    """Of `clients`, those a manager (an id) sees, as `visible_among` says it for a manager: a
    query of the manager's id alone, which a prepared query (`kam.prepared`) can take."""
    own = Client.objects.filter(responsible_manager_id=user).values("pk")
    on_team = TeamMember.objects.filter(user_id=user).values("client")
    return clients.filter(pk__in=_union(own, on_team))


class SeenFirstPage:
    """A list's first page as each user sees it, from a prepared query (`keyset_page(first=...)`):
    one query of every client, for those who see them all, one of a manager's id, and one of
    the clients a manager on no account team is responsible for (`on_account_teams`), which
    reads them down their own index where the other merges them with their teams' clients.
    `build(visible, *args)` makes the page's query (`kam.pagination.first_page`) of the clients
    seen, and of the list's own arguments (whole numbers and dates, `kam.prepared`); with
    `parts`, of the parts the user sees (`visible_parts`: a manager's own clients and their
    teams', each read down its own index) instead of one queryset of them. `generic`: a
    manager's is planned once for every manager."""

    def __init__(self, build: Callable[..., QuerySet[Any]], *, generic: bool = False, parts: bool = False):
        every = Client.objects.all
        if parts:
            self.every = Prepared(lambda *args: build([every()], *args))
            self.manager = Prepared(
                lambda user, *args: build(_manager_parts(user, every()), *args), generic=generic
            )
            self.own = Prepared(
                lambda user, *args: build(_manager_parts(user, every())[:1], *args), generic=generic
            )
        else:
            self.every = Prepared(lambda *args: build(every(), *args))
            self.manager = Prepared(
                lambda user, *args: build(seen_by_manager(user, every()), *args), generic=generic
            )
            self.own = Prepared(
                lambda user, *args: build(every().filter(responsible_manager_id=user), *args), generic=generic
            )

    def of(self, user: User, *args: int | date) -> Callable[[], list[Any]]:
        if sees_every_client(user):
            return partial(self.every, *args)
        return partial(self.manager if on_account_teams(user) else self.own, user.pk, *args)


class SeenOpening:
    """The client list as it opens (no filter, in the name's order) as each user sees it: each of
    `visible_parts` counted and the first page's keys, from prepared queries
    (`keyset_page(counts=..., first=...)`): one set for those who see every client, one of a
    manager's id.

    `clients`: the list filtered (a queryset kept as it is, each query built from it); its
    queries are then kept compiled, not prepared on the server (`Prepared(on_server=False)`),
    since the filtered lists kept come and go. Where its keys in the order come down the one
    table its conditions are on (`kam.joins.keys_from_joined`: a filter by segment), the first
    page of every client it holds is read so however few match, not among the pks counted
    (`narrows`)."""

    def __init__(self, order: list[str], size: int, clients: QuerySet[Client] | None = None):
        every = Client.objects.all if clients is None else clients.all
        names = [name.removeprefix("-") for name in order]
        self.every_narrows = clients is None or keys_from_joined(clients, names) is None
        prepare = partial(Prepared, on_server=clients is None)
        self.every_counts = [prepare(lambda: count_query(every()))]
        self.every_first = prepare(lambda: first_page([every()], order=order, size=size, read=True))
        self.manager_counts = [
            prepare(lambda user, n=n: count_query(_manager_parts(user, every())[n])) for n in range(2)
        ]
        self.manager_first = prepare(
            lambda user: first_page(_manager_parts(user, every()), order=order, size=size, read=True)
        )

    def narrows(self, user: User) -> bool:
        """Whether the user's first page is read among the pks counted, where they are few
        (`keyset_page(narrow=...)`)."""
        return self.every_narrows or not sees_every_client(user)

    def of(self, user: User) -> tuple[list[Callable[[], list[Any]]], Callable[[], list[Any]]]:
        """The counts of the user's parts (their pks, `Prepared.flat`) and their first page."""
        if sees_every_client(user):
            return [count.flat for count in self.every_counts], self.every_first
        counts = self.manager_counts if on_account_teams(user) else self.manager_counts[:1]
        return [partial(count.flat, user.pk) for count in counts], partial(self.manager_first, user.pk)


def visible_parts(user: AnyUser, clients: QuerySet[Client]) -> list[QuerySet[Client]]:
    """`clients` (not yet narrowed to what the user sees) as the disjoint parts the user sees, for
    a pager that merges them: all of them for directors and admins; for a manager, the clients
    they are responsible for and those of their account teams that they are not, so that a page
    in a manager's own order walks the (manager, name) index and stops at the page's end; for a
    manager on no account team, their own alone (`on_account_teams`)."""
    if not user.is_authenticated:
        return [clients.none()]
    if sees_every_client(user):
        return [clients]
    parts = _manager_parts(user.pk, clients)
    return parts if on_account_teams(user) else parts[:1]


def on_account_teams(user: User) -> bool:
    """Whether the user is on some client's account team, as read with the signed-in user
    (`ON_TEAMS`); True for a user read otherwise (a part of their teams' clients found empty
    costs a query, not a wrong list)."""
    read = users_extensions.all_read_with(user)
    return read is None or ON_TEAMS not in read or bool(read[ON_TEAMS])


def _manager_parts(user: int, clients: QuerySet[Client]) -> list[QuerySet[Client]]:
    on_team = TeamMember.objects.filter(user_id=user).values("client")
    return [
        clients.filter(responsible_manager_id=user),
        clients.filter(pk__in=on_team).exclude(responsible_manager_id=user),
    ]


def _union(*ids: QuerySet[Any]) -> QuerySet[Any]:
    """The ids of several querysets (one column each) as one `UNION ALL`, for `pk__in`: each part
    keeps its index, where an OR of their conditions makes one scan that no index serves."""
    first, *rest = (part.order_by() for part in ids)
    return first.union(*rest, all=True)


TRIGRAM = 3  # the shortest text a trigram index finds by


def client_match(clients: QuerySet[Client], query: str) -> QuerySet[Client]:
    """The clients whose name contains `query` in any case, or whose INN starts with it (digits),
    or whose INN is the one given with a KPP that starts as given ("INN/KPP").

    On PostgreSQL the name goes through a trigram index and the INN through a prefix index
    (migration 0010), as two sets of ids: an OR of the two would be one scan of the whole table.
    A query under three characters has no trigram, so no index finds its names; it matches many
    rows, and an OR lets the list walk its order and stop at a page instead."""
    by_name = Q(name__icontains=query)
    inn, slash, kpp = query.partition("/")
    if query.isdigit():
        by_inn = Q(inn__startswith=query)
    elif slash and inn.isdigit():
        by_inn = Q(inn=inn, kpp__startswith=kpp.strip().upper())
    else:
        return clients.filter(by_name)
    if len(query) < TRIGRAM:
        return clients.filter(by_name | by_inn)
    ids = (Client.objects.filter(where).values("pk") for where in (by_name, by_inn))
    return clients.filter(pk__in=_union(*ids))


def client_list(user: User, columns: list[ListColumn]) -> QuerySet[Client]:
    """Every visible client with what the given columns show and sort by, in one query a page."""
    return visible_among(user, client_rows(columns))


def client_rows(columns: list[ListColumn]) -> QuerySet[Client]:
    """Every client with what the given columns show and sort by: `client_list` before it is
    narrowed to what a user sees (narrow it, or split it with `visible_parts`)."""
    related = {name for column in columns for name in column.related}
    annotations = {name: value for column in columns for name, value in column.annotations().items()}
    return Client.objects.select_related(*sorted(related)).annotate(**annotations)


_ROWS_BY_PK: dict[tuple[tuple[str, int], ...], Prepared[Client]] = {}


# What a list's row reads besides its columns' cells: the name (its link, and the list's order)
# and the legal name (the link's title).
ROW_READS = ("name", "legal_name")


def client_rows_by_pk(columns: list[ListColumn]) -> Callable[[list[int]], list[drawn_rows.Row]]:
    """`client_rows(columns)` of the given pks (a page's, found by its keys), as one query
    compiled once per process for each set of columns; rows to draw (`kam.drawn_rows`), with
    only the fields the row and its columns read (`ListColumn.reads`): not every field of the
    client, its segment and its manager, which the database sent and each row was keyed by."""
    key = tuple((column.name, id(column)) for column in columns)
    prepared = _ROWS_BY_PK.get(key)
    if prepared is None:
        reads = [*ROW_READS, *(name for column in columns for name in column.reads)]
        build = Prepared(lambda ids: client_rows(columns).only(*reads).filter(pk__any=ids).order_by())
        prepared = _ROWS_BY_PK.setdefault(key, build)
    return partial(drawn_rows.of_pks, prepared)


# Read with the signed-in user (`kam.users.extensions`): the filters' version, the columns the
# user picked for the client list (a query of their own on every list page before), and whether
# they are on an account team (a manager on none has no second part to count).
CHOICES_VERSION, LIST_COLUMNS, ON_TEAMS = "choices_version", "list_columns", "on_account_teams"


def choices_version_of_signed_in(user: str) -> Subquery:
    """The filters' version as an expression of a query of users or sessions (its one row,
    whoever `user` is), to be read with the signed-in user."""
    return Subquery(ChoicesVersion.objects.order_by().values("version")[:1])


def list_columns_of_signed_in(user: str) -> Subquery:
    """The columns the user picked (NULL until they pick), as an expression of their id, the
    outer query's column `user`."""
    return Subquery(ClientListColumns.objects.filter(user_id=OuterRef(user)).values("columns")[:1])


def on_teams_of_signed_in(user: str) -> Exists:
    """Whether the user is on an account team, as an expression of their id (`user`)."""
    return Exists(TeamMember.objects.filter(user_id=OuterRef(user)))


def choices_version(user: User) -> int | None:
    """The client list filters' version (`ChoicesVersion`) as read with the signed-in user:
    None for a user read otherwise, without its row, or in a transaction (whose own changes
    change it only as it commits)."""
    return None if connection.in_atomic_block else users_extensions.read_with(user, CHOICES_VERSION)


# For a user read otherwise than signed in: what is read with the signed-in user, in a query.
_PICKED = Prepared(
    lambda user: (
        User.objects.filter(pk=user)
        .order_by()
        .values_list(list_columns_of_signed_in("pk"), choices_version_of_signed_in("pk"))
    )
)


def list_columns_of(user: User) -> tuple[list[ListColumn], int | None]:
    """The columns the user picked, in the list's order, or the defaults until they pick; and
    the version of the filters' choices (`ChoicesVersion`): both as read with the signed-in user
    (by a query of their own for a user read otherwise); the version None without its row, or
    in a transaction, whose own changes change the version only as it commits (PostgreSQL)."""
    read = users_extensions.all_read_with(user)
    if read is not None and LIST_COLUMNS in read:
        picked, version = read[LIST_COLUMNS], read[CHOICES_VERSION]
    else:
        picked, version = next(iter(_PICKED(user.pk)), (None, None))
    if connection.in_atomic_block:
        version = None
    columns = extensions.list_columns()
    if picked is None:
        return [column for column in columns if column.shown], version
    return [column for column in columns if column.name in picked], version


STALE_CONTACT_DAYS = 90  # the texts' "no touch in 90 days", for one person


def _active_contacts(client: int) -> QuerySet[Contact]:
    return Contact.objects.filter(client_id=client, is_active=True).order_by("pk")


_GROUP = Prepared(_active_contacts)
_GROUP_DETAILED = Prepared(lambda client: _active_contacts(client).annotate(last_touch=Max("touches__date")))
# Who of ours knows each of these contacts, in the users' order: a prefetch of `known_by` would
# build and compile its query on every request.
_KNOWN = Prepared(
    lambda contacts: (
        Contact.known_by.through.objects.filter(contact__any=contacts)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username")
    )
)


_INACTIVE = Prepared(lambda client: Contact.objects.filter(client_id=client, is_active=False))


def inactive_contacts(client: Client) -> list[Contact]:
    """The client's contacts no longer active (in the contacts' order), for the contacts tab."""
    return _INACTIVE(client.pk, attach=("client", client))


def decision_group(client: Client, *, today: date | None = None, detailed: bool = True) -> dict[str, Any]:
    """The active contacts with their influence sum and the warnings DOMAIN §2 asks for; each
    contact with its last touch (`last_touch`) and whether that is over 90 days ago or never
    (`stale`), and who of ours knows them (`known`, users by name), unless not `detailed` (the card's
    overview shows names, roles and influence only)."""
    contacts: list[Any] = (_GROUP_DETAILED if detailed else _GROUP)(client.pk, attach=("client", client))
    if detailed:
        today = today or timezone.localdate()
        known = related(contacts, _KNOWN, "contact_id", "user")
        for contact in contacts:
            contact.known = known[contact.pk]
            contact.stale = (
                contact.last_touch is None or (today - contact.last_touch).days > STALE_CONTACT_DAYS
            )
    total = sum(c.influence for c in contacts)
    return {
        "contacts": contacts,
        "influence_total": total,
        "influence_off": bool(contacts) and total != 100,
        "no_decision_maker": not any(
            c.decision_role == Contact.DecisionRole.DECISION_MAKER for c in contacts
        ),
    }


def monthly_sales(client: Client, *, months: int = 24, today: date) -> dict[str, Any]:
    """Sales by product group and month over the last `months` months, for the chart."""
    first, after = _month_start(today, months - 1), _month_start(today, -1)
    rows = _MONTHLY(client.pk, first, after)
    labels = [_month_start(today, back) for back in range(months - 1, -1, -1)]
    series: dict[str, list[float]] = {}
    for row in rows:
        values = series.setdefault(row["product_group__name"], [0.0] * months)
        values[labels.index(_as_date(row["month"]))] += float(row["total"])
    return {"labels": labels, "series": series}


_MONTHLY = Prepared(
    lambda client, first, after: (
        Sale.objects.filter(client_id=client, date__gte=first, date__lt=after)
        .annotate(month=TruncMonth("date"))
        .values("month", "product_group__name")
        .annotate(total=Sum("amount"))
        .order_by("month")
    )
)


def _as_date(value: Any) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _month_start(today: date, back: int) -> date:
    index = today.year * 12 + today.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


# What a search result shows: the name (and the card's address), the INN/KPP, the manager's name.
SEARCH_SHOWN = ["name", "inn", "kpp", *name_fields("responsible_manager")]


def client_search(query: str, *, limit: int) -> list[Client]:
    """Every client matching a name, an INN or "INN/KPP", for the global search (not visibility-filtered:
    the caller shows non-visible ones without a link, so nobody opens a duplicate)."""
    head_offices = PointOfPresence.objects.filter(client=OuterRef("pk")).order_by("-is_head_office", "id")
    return list(
        client_match(Client.objects.all(), query)
        .select_related("responsible_manager")
        .only(*SEARCH_SHOWN)
        .annotate(head_city=head_offices.values("city")[:1])
        .order_by("name", "pk")[:limit]
    )


_SEEN_AMONG = Prepared(
    lambda user, pks: seen_by_manager(user, Client.objects.filter(pk__any=pks)).values_list("pk", flat=True)
)


def visible_ids(user: User, pks: list[int]) -> set[int]:
    """Which of these clients (just read) the user may open: all of them for those who see every
    client, without a query; for a manager, by a prepared query of their id and the pks."""
    if sees_every_client(user):
        return set(pks)
    return set(_SEEN_AMONG(user.pk, Ids(pks))) if pks else set()


_POINTS = Prepared(lambda client: PointOfPresence.objects.filter(client_id=client))


def client_points(client: Client) -> list[PointOfPresence]:
    return _POINTS(client.pk, attach=("client", client))


_TEAM = Prepared(lambda client: TeamMember.objects.filter(client_id=client).select_related("user"))


def client_team(client: Client) -> list[TeamMember]:
    """The client's account team with their users."""
    return _TEAM(client.pk, attach=("client", client))


# Each touch's people as lists (`their_people`, `our_people`): a related manager per touch and
# list would cost more than the rows (25 touches, 50 managers).
def touches_of(client: Client) -> QuerySet[Touch]:
    """The client's touches, newest first (their people: `with_people`)."""
    return client.touches.all()


TOUCH_ORDER = ["-date", "-pk"]


def first_touches(client: Client, size: int) -> Callable[[], list[Touch]]:
    """The first page of `touches_of(client)` in `TOUCH_ORDER` (`keyset_page(first=...)`), from a
    query compiled once per page size."""
    prepared = _FIRST_TOUCHES.get(size)
    if prepared is None:
        build = Prepared(
            lambda client: first_page(Touch.objects.filter(client_id=client), order=TOUCH_ORDER, size=size)
        )
        prepared = _FIRST_TOUCHES.setdefault(size, build)
    return partial(prepared, client.pk, attach=("client", client))


_FIRST_TOUCHES: dict[int, Prepared[Touch]] = {}


# The people of touches: each one's contacts and our participants, in their models' orders, as
# `Prefetch("contacts")` and `Prefetch("participants")` would read them, but compiled once.
_THEIR_PEOPLE = Prepared(
    lambda touches: (
        Touch.contacts.through.objects.filter(touch__any=touches)
        .select_related("contact")
        .order_by("-contact__is_active", "-contact__influence", "contact__name", "contact__id")
    )
)
_OUR_PEOPLE = Prepared(
    lambda touches: (
        Touch.participants.through.objects.filter(touch__any=touches)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "user__id")
    )
)


TouchT = TypeVar("TouchT", bound=Touch)


def with_people(touches: list[TouchT]) -> list[TouchT]:
    """The touches, each with `their_people` (its contacts) and `our_people` (its participants):
    two queries, none for no touches."""
    theirs = related(touches, _THEIR_PEOPLE, "touch_id", "contact")
    ours = related(touches, _OUR_PEOPLE, "touch_id", "user")
    for touch in touches:
        touch.their_people = theirs[touch.pk]  # type: ignore[attr-defined]
        touch.our_people = ours[touch.pk]  # type: ignore[attr-defined]
    return touches


LATEST_TOUCHES = 5
# Each with the day of the client's last meeting, among them or before: read once, as the
# subquery does not depend on the row.
_LATEST_TOUCHES = Prepared(
    lambda client: (
        Touch.objects.filter(client_id=client)
        .annotate(
            last_met_on=Subquery(
                Touch.objects.filter(client_id=client, kind=Touch.Kind.MEETING)
                .order_by("-date", "-pk")
                .values("date")[:1]
            )
        )
        .order_by("-date", "-pk")[:LATEST_TOUCHES]
    )
)


def latest_touches(client: Client) -> list[Any]:
    """The client's newest touches (LATEST_TOUCHES), with their people, for the overview."""
    return with_people(_LATEST_TOUCHES(client.pk, attach=("client", client)))


def last_met_on(latest: list[Any]) -> date | None:
    """The day of the client's last meeting, read with its newest touches (`latest_touches`);
    None when it has none (a client without touches has had no meeting)."""
    return latest[0].last_met_on if latest else None


PALETTE = [
    "#0d6efd",
    "#20c997",
    "#fd7e14",
    "#6f42c1",
    "#d63384",
    "#198754",
    "#ffc107",
    "#0dcaf0",
    "#6c757d",
    "#dc3545",
]


def sales_chart_config(chart: dict[str, Any]) -> dict[str, Any]:
    """A Chart.js stacked bar config, passed to the page through json_script.

    Chart.js groups the figures as the page's language does; the amount axis names the currency.
    """
    datasets = [
        {"label": name, "data": values, "backgroundColor": PALETTE[i % len(PALETTE)], "stack": "sales"}
        for i, (name, values) in enumerate(sorted(chart["series"].items()))
    ]
    return {
        "type": "bar",
        "data": {"labels": [formats.date_format(m, "m.Y") for m in chart["labels"]], "datasets": datasets},
        "options": {
            "responsive": True,
            "maintainAspectRatio": False,
            "animation": False,
            "locale": translation.get_language(),
            "scales": {
                "x": {"stacked": True},
                "y": {"stacked": True, "beginAtZero": True, "title": {"display": True, "text": currency()}},
            },
        },
    }


def sales_by_group(client: Client, *, today: date) -> list[dict[str, Any]]:
    """Trailing-12-month sales (the 365 days ending today) by product group, with the year before."""
    year_ago = today - timedelta(days=365)
    rows = _BY_GROUP(client.pk, year_ago - timedelta(days=365), year_ago, today)
    return [
        {"group": r["product_group__name"], "last": r["last"] or 0, "previous": r["previous"] or 0}
        for r in rows
    ]


_BY_GROUP = Prepared(
    lambda client, two_years_ago, year_ago, today: (
        Sale.objects.filter(client_id=client, date__gt=two_years_ago, date__lte=today)
        .values("product_group__name")
        .annotate(
            last=Sum("amount", filter=Q(date__gt=year_ago, date__lte=today)),
            previous=Sum("amount", filter=Q(date__gt=two_years_ago, date__lte=year_ago)),
        )
        .order_by("product_group__name")
    )
)


def refusals_by_quarter(client: Client) -> dict[str, Any]:
    """A client's refusals counted by quarter and reason, newest quarter first (DOMAIN §10)."""
    return refusal_table(_counts(_CLIENT_REFUSALS_COUNTED(client.pk)))


_CLIENT_REFUSALS = Prepared(
    lambda client: Refusal.objects.filter(client_id=client).select_related("product_group")
)


def client_refusals(client: Client) -> list[Refusal]:
    """The client's refusals with their product groups."""
    return _CLIENT_REFUSALS(client.pk, attach=("client", client))


def refusal_quarters(refusals: QuerySet[Refusal]) -> dict[str, Any]:
    """`refusals` counted by quarter and reason in one GROUP BY query, newest quarter first;
    only the reasons that occur, in their fixed order. Any set of refusals: one client's or
    the whole base's."""
    return refusal_table(refusal_counts(refusals))


def refusal_counts(refusals: QuerySet[Refusal]) -> list[tuple[int, int, str, int]]:
    """(year, quarter, reason, refusals) of `refusals`, in one GROUP BY query."""
    return _counts(_counted(refusals))


def _counted(refusals: QuerySet[Refusal]) -> QuerySet[Refusal, tuple[Any, ...]]:
    return (
        refusals.annotate(year=ExtractYear("date"), quarter=ExtractQuarter("date"))
        .values_list("year", "quarter", "reason")
        .annotate(count=Count("id"))
        .order_by()
    )


def _counts(rows: Iterable[tuple[Any, ...]]) -> list[tuple[int, int, str, int]]:
    return [(int(year), int(quarter), reason, count) for year, quarter, reason, count in rows]


_CLIENT_REFUSALS_COUNTED = Prepared(lambda client: _counted(Refusal.objects.filter(client_id=client)))


def refusal_table(counts: Iterable[tuple[int, int, str, int]]) -> dict[str, Any]:
    """Counts of (year, quarter, reason) as the refusals' table: newest quarter first, each with
    its count per reason (only the reasons that occur, in their fixed order) and its total."""
    quarters: dict[tuple[int, int], dict[str, int]] = {}
    for year, quarter, reason, count in sorted(counts, key=lambda row: (-row[0], -row[1])):
        found = quarters.setdefault((year, quarter), {})
        found[reason] = found.get(reason, 0) + count
    reasons = [r for r in Refusal.Reason if any(r.value in counts for counts in quarters.values())]
    table = [
        {
            "year": y,
            "quarter": q,
            "counts": [counts.get(r.value, 0) for r in reasons],
            "total": sum(counts.values()),
        }
        for (y, q), counts in quarters.items()
    ]
    return {"reasons": reasons, "quarters": table}
