"""Reads of development activities and the loyalty ladder (DOMAIN §7).

A rung is reached once an activity on it has taken place: its date is today or earlier. Planned
activities (a later date) are shown but reach nothing yet. `today` is passed in so the rule is
testable.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Client
from kam.links import plain_url
from kam.prepared import Ids, Prepared, related
from plans.models import Activity, Rung
from segmentation.models import Category, ClientSegment
from segmentation.segments import abcd
from segmentation.segments.figures import Figures, run_figures
from segmentation.timesplit.selectors import logged_time

NO_RUNG = "none"  # the client list's rung filter value for "no rung reached yet"


def held(today: date) -> Q:
    """Activities that have taken place by `today`: only these reach a rung."""
    return Q(date__lte=today)


def reached_rung(today: date, client: OuterRef | None = None) -> Subquery:
    """The highest rung the client (`client`, by default the outer query's "pk") has reached by
    `today`, NULL when none."""
    top = (
        Activity.objects.filter(held(today), client=client if client is not None else OuterRef("pk"))
        .order_by()
        .values("client")
        .annotate(top=Max("rung"))
        .values("top")
    )
    return Subquery(top)


def rung_is(value: str, today: date) -> Q:
    """Clients whose highest rung reached by `today` is `value` (1..6), or none (NO_RUNG)."""
    mine = Activity.objects.filter(held(today), client=OuterRef("pk"))
    if value == NO_RUNG:
        return ~Q(Exists(mine))
    rung = int(value)
    return Q(Exists(mine.filter(rung=rung))) & ~Q(Exists(mine.filter(rung__gt=rung)))


@dataclass(frozen=True)
class LadderSummary:
    """What the card's overview says: the highest rung reached, the last activity held and the
    next one planned."""

    top: Rung | None
    last: Activity | None
    next: Activity | None


def _ladder(client: int, today: date) -> QuerySet[Activity]:
    mine = Activity.objects.filter(client_id=client)
    latest = mine.filter(held(today)).order_by("-date", "-pk").values("pk")[:1]
    upcoming = mine.filter(date__gt=today).order_by("date", "pk").values("pk")[:1]
    return mine.filter(Q(pk=Subquery(latest)) | Q(pk=Subquery(upcoming))).annotate(
        top=reached_rung(today, OuterRef("client"))
    )


_LADDER = Prepared(_ladder)


def ladder_summary(client: Client, *, today: date) -> LadderSummary:
    """One query: the latest activity held and the next one planned, each carrying the highest rung
    reached (the same for both)."""
    found: list[Any] = _LADDER(client.pk, today, attach=("client", client))
    last = next((a for a in found if a.date <= today), None)
    planned = next((a for a in found if a.date > today), None)
    top = found[0].top if found else None
    return LadderSummary(Rung(top) if top is not None else None, last, planned)


def client_activities(client: Client) -> list[Activity]:
    """The client's activities, newest first, with their plan and people (`theirs`, the client's
    contacts by name; `ours`, our people in the users' order): three queries whatever their
    number, two for none."""
    activities = _ACTIVITIES(client.pk, attach=("client", client))
    theirs = related(activities, _THEIR_PEOPLE, "activity_id", "contact")
    ours = related(activities, _OUR_PEOPLE, "activity_id", "user")
    for activity in activities:
        activity.theirs = theirs[activity.pk]  # type: ignore[attr-defined]
        activity.ours = ours[activity.pk]  # type: ignore[attr-defined]
    return activities


_ACTIVITIES = Prepared(
    lambda client: Activity.objects.filter(client_id=client).select_related("plan").order_by("-date", "-pk")
)
# The activities' people, as prefetching `their_people` (by name) and `our_people` would read
# them, but compiled once.
_THEIR_PEOPLE = Prepared(
    lambda activities: (
        Activity.their_people.through.objects.filter(activity__any=activities)
        .select_related("contact")
        .order_by("contact__name", "contact__id")
    )
)
_OUR_PEOPLE = Prepared(
    lambda activities: (
        Activity.our_people.through.objects.filter(activity__any=activities)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__username", "user__id")
    )
)


def rungs_reached(client: Client, *, today: date) -> set[int]:
    """Every rung the client has an activity held on, for the tab's ladder."""
    return set(_RUNGS(client.pk, today))


_RUNGS = Prepared(
    lambda client, today: (
        Activity.objects.filter(held(today), client_id=client)
        .values_list("rung", flat=True)
        .distinct()
        .order_by()
    )
)


# The directors' ladder: ABCD category x highest rung reached


@dataclass(frozen=True)
class LadderCell:
    count: int
    url: str


@dataclass(frozen=True)
class LadderRow:
    value: str
    label: str | Promise
    cells: list[LadderCell]
    total: LadderCell


COLUMNS = [NO_RUNG, *(str(rung.value) for rung in Rung)]


def list_url(category: str = "", rung: str = "") -> str:
    """The client list filtered by category (or none yet) and by the highest rung reached."""
    return _list_url(plain_url("accounts:client_list"), category, rung)


@lru_cache(maxsize=256)
def _list_url(address: str, category: str, rung: str) -> str:
    """Written once for each of the ladder's 48 cells: encoded every time, they were a fifth of
    the page's time."""
    query = {name: value for name, value in (("category", category), ("rung", rung)) if value}
    return f"{address}?{urlencode(query)}"


def ladder_table(today: date) -> list[LadderRow]:
    """Clients by ABCD category (rows A-D, then no category yet) and highest rung reached by
    `today` (columns: none, then 1-6), with a totals row, every client counted as the
    dashboard's ABCD matrix counts them.

    The clients per category are the last nightly run's (`segments.figures`, one row); only
    the clients with an activity are read live, and those with none are the rest of their
    category. Without the run's figures, one aggregate query over the whole base."""
    kept = run_figures()
    counts = _reached(today, kept) if kept is not None else _counted(today)
    labels: list[tuple[str, str | Promise]] = [*Category.choices, (abcd.NO_CATEGORY, _("No category yet"))]
    table = [_row(value, label, counts) for value, label in labels]
    totals = [sum(row.cells[i].count for row in table) for i in range(len(COLUMNS))]
    cells = [LadderCell(n, list_url(rung=rung)) for n, rung in zip(totals, COLUMNS, strict=True)]
    table.append(LadderRow("", _("All clients"), cells, LadderCell(sum(totals), list_url())))
    return table


def _reached(today: date, kept: Figures) -> dict[tuple[str, str], int]:
    """Per (category, highest rung): the clients the run computed that have an activity held by
    `today`, and the rest of each category with no rung. Every client's highest rung is read
    from the activities alone (one prepared query); their categories are the run's, kept
    (`_categories`)."""
    tops = dict(_TOPS(today))
    categories = _categories(tops, kept)
    counts: dict[tuple[str, str], int] = {}
    for client, top in tops.items():
        category = categories[client]
        if category is None:  # a client the run has not seen: not in its figures yet
            continue
        key = (category or abcd.NO_CATEGORY, str(top))
        counts[key] = counts.get(key, 0) + 1
    for category, (clients, _revenue) in kept.categories.items():
        value = category or abcd.NO_CATEGORY
        reached = sum(n for (row, _rung), n in counts.items() if row == value)
        counts[(value, NO_RUNG)] = max(clients - reached, 0)
    return counts


_TOPS = Prepared(
    lambda day: Activity.objects.filter(held(day)).values_list("client").annotate(top=Max("rung")).order_by()
)
_CATEGORIES = Prepared(
    lambda ids: ClientSegment.objects.filter(pk__any=ids).values_list("pk", "category").order_by()
)
# The categories the last run gave the clients the ladder counted, by client, for that run only.
_RUN_CATEGORIES: dict[tuple[int | None, datetime | None], dict[int, str | None]] = {}


def _categories(clients: Iterable[int], kept: Figures) -> dict[int, str | None]:
    """The category the run of `kept` gave each of `clients` (None: it had no segment then).

    Only a run changes a category, so each client's is read once a run, by pk: the first ladder
    after a run reads them all, the next only the clients whose first activity came since.
    Read at every request, a thousand clients' cost the page two thirds of its time."""
    run = (kept.run_id, kept.run_at)
    known = _RUN_CATEGORIES.get(run)
    if known is None:
        _RUN_CATEGORIES.clear()
        known = _RUN_CATEGORIES.setdefault(run, {})
    missing = [client for client in clients if client not in known]
    if missing:
        read = dict(_CATEGORIES(Ids(missing)))
        known.update((client, read.get(client)) for client in missing)
    return known


def _counted(today: date) -> dict[tuple[str, str], int]:
    """Per (category, highest rung), every client counted live: one query over the whole base."""
    rows = (
        Client.objects.annotate(top=reached_rung(today))
        .values("segment__category", "top")
        .annotate(clients=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["segment__category"] or abcd.NO_CATEGORY, str(row["top"] or NO_RUNG))
        counts[key] = counts.get(key, 0) + row["clients"]
    return counts


def _row(value: str, label: str | Promise, counts: dict[tuple[str, str], int]) -> LadderRow:
    cells = [LadderCell(counts.get((value, rung), 0), list_url(value, rung)) for rung in COLUMNS]
    return LadderRow(value, label, cells, LadderCell(sum(c.count for c in cells), list_url(value)))


_DEVELOPMENT_TIME = Prepared(
    lambda since, until, owners: logged_time(
        Activity.objects.all(), people="our_people", since=since, until=until, owners=owners
    )
)


def development_time(since: date, until: date, owners: Ids) -> list[dict[str, Any]]:
    """The managers' time on development activities in the period, for segmentation's time split
    (registered from `PlansConfig.ready`): per owner (of `owners`, ids), our people on the activity
    or else its author; a prepared query."""
    return _DEVELOPMENT_TIME(since, until, owners)
