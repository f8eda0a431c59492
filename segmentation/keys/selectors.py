"""Reads for a director's decisions on key status and tiers, and the key candidates list.

Every list starts from `accounts.selectors.clients_visible_to`, is pre-joined, pages by keyset (no
OFFSET) and runs a constant number of queries whatever the number of rows.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import Client
from accounts.selectors import SeenFirstPage, clients_visible_to
from kam import drawn_rows
from kam.excel import CHUNK
from kam.pagination import first_page, keyset_page
from kam.prepared import Prepared
from kam.users.fields import name_fields
from kam.users.models import User
from segmentation.keys.words import reason_labels
from segmentation.models import ClientSegment, KeyStatus, LoadTally, Policy, Tier, TierOverride
from segmentation.segments.selectors import SegmentPanel, segment_panel
from segmentation.segments.tiers import effective_tier
from segmentation.segments.totals import Totals, policy_and_totals, run_totals
from segmentation.workload.selectors import KamLoad, kam_loads, kam_warnings

CANDIDATE_TIERS = [Tier.GOLD, Tier.SILVER]
KEY_LIST_LIMIT = 50  # the page's key list; the client list and the export show them all
PAGE_SIZE = 50
IS_KEY = Q(key_status__is_key=True)
# An anti-join: as "no key status row or not key" over a LEFT JOIN, the planner estimated the
# not-key clients at a handful of rows and probed the segments once per client.
NOT_KEY = ~Exists(KeyStatus.objects.filter(client=OuterRef("pk"), is_key=True))
# The same, said of the segment's client as a set of the key clients' ids, hashed once a query: a
# walk down a segment index then passes the key clients (a few thousand, at the top of the
# potential order) without joining their cards.
NOT_KEY_SEGMENT = ~Q(segment__client__in=KeyStatus.objects.filter(is_key=True).values("client"))


class JSONArrayLength(Func):
    """The number of elements of a JSON array (jsonb_array_length on PostgreSQL)."""

    function = "JSON_ARRAY_LENGTH"
    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, function="JSONB_ARRAY_LENGTH", **extra_context)


@dataclass(frozen=True)
class Row:
    """One client of a segmentation list with what the row shows besides the client itself."""

    client: Client
    tier: str
    flags: list[str] = field(default_factory=list)
    potential_share: Decimal | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def tier_label(self) -> str:
        return str(Tier(self.tier).label) if self.tier in Tier.values else ""


class CandidatePage(drawn_rows.Made[Row]):
    """A page of candidates: the clients as read (`kam.drawn_rows`, drawn by `keys.cells`), and
    their rows, made when asked for."""

    def __init__(self, clients: list[Any], total: Decimal, next_cursor: str):
        super().__init__(clients, self.row)
        self.total, self.next_cursor = total, next_cursor

    def row(self, client: Any) -> Row:
        """A candidate's row: its tier, its strategic marks and its share of all potential."""
        return _row(client, self.total)


def total_potential() -> Decimal:
    """All clients' potential, the base of each client's share (as the tiers use it), as the
    last run left it."""
    return run_totals().potential


def candidates(user: User) -> QuerySet[Client]:
    """Visible clients that are not key, best first: the number of strategic flags a director
    marked, then potential. Never current revenue (DOMAIN §4). `candidate_page` keeps the
    silver and gold ones (effective tier)."""
    return _candidates_among(clients_visible_to(user))


def _candidates_among(visible: QuerySet[Client]) -> QuerySet[Client]:
    return _ranked(visible.exclude(status=Client.Status.INACTIVE).filter(NOT_KEY))


def _ranked(clients: QuerySet[Client]) -> QuerySet[Client]:
    """The clients with what a candidate's row shows and the ranks of the candidates' order."""
    return (
        clients.annotate(
            tier_now=effective_tier(),
            flag_count=Coalesce(JSONArrayLength("key_status__reasons"), 0),
            rank_potential=Coalesce(
                "segment__potential",
                Value(Decimal(-1)),
                output_field=DecimalField(max_digits=18, decimal_places=2),
            ),
        )
        .select_related("segment", "key_status", "responsible_manager")
        .order_by("-flag_count", "-rank_potential", "pk")
    )


# What a candidate's row shows (`keys.cells`, `segment_cells`) of the client and what it joins.
CANDIDATE_SHOWN = [
    "name",
    *name_fields("responsible_manager"),
    *(f"segment__{name}" for name in ("potential", "category", "league")),
    "key_status__reasons",
]
# The page's rows by pk, with what `_ranked` reads and they show, in one query compiled once.
_BY_PK = Prepared(lambda ids: _ranked(Client.objects.filter(pk__any=ids)).only(*CANDIDATE_SHOWN))


def candidate_page(
    clients: Callable[[], QuerySet[Client]],
    *,
    after: str,
    total: Decimal,
    size: int = PAGE_SIZE,
    first: Callable[[], list[Any]] | None = None,
) -> CandidatePage:
    """One page of `candidates()` (`clients()` makes them, where the page needs it) after a
    cursor of the last row's (flags, potential, pk); `first`: the keys of the first page, from a
    prepared query (`first_candidates`).

    Keyset queries merged, each served by an index: the few clients a director marked with
    strategic flags, the few a director overrode to silver or gold, and for each computed tier
    the unmarked ones, walked down the segment (tier, potential) index until a page is found.
    One query on the effective tier (a COALESCE across two tables) ordered by the flags would
    read and sort every silver and gold client.
    """
    # The parts yield their keys in one UNION, and the page's rows are read by pk.
    page = keyset_page(
        lambda: _parts(clients()),
        order=ORDER,
        after=after,
        size=size,
        count=False,
        read=partial(drawn_rows.of_pks, _BY_PK),
        first=first,
    )
    return CandidatePage(page.rows, total, page.next_cursor)


ORDER = ["-flag_count", "-rank_potential", "pk"]


def _parts(queryset: QuerySet[Client]) -> list[QuerySet[Client]]:
    computed = queryset.filter(tier_override__isnull=True)
    # The marked ones are driven by the key statuses (a few thousand rows), not by every silver
    # and gold segment.
    marked_ids = KeyStatus.objects.filter(is_key=False).exclude(reasons=[]).values("client_id")
    return [
        computed.filter(pk__in=marked_ids, segment__tier__in=CANDIDATE_TIERS),
        queryset.filter(tier_override__tier__in=CANDIDATE_TIERS),
        *(
            # Potential is never NULL on a silver or gold client, and the flags are none: the
            # order is the index's own.
            computed.filter(~Q(segment__client__in=marked_ids), NOT_KEY_SEGMENT, segment__tier=tier).annotate(
                flag_count=Value(0), rank_potential=F("segment__potential")
            )
            for tier in CANDIDATE_TIERS
        ),
    ]


# The keys of the first page of the candidates unfiltered, as each user sees them: the page a
# director opens, compiled once per process.
_FIRST = SeenFirstPage(
    lambda visible: first_page(_parts(_candidates_among(visible)), order=ORDER, size=PAGE_SIZE, read=True)
)


def first_candidates(user: User) -> Callable[[], list[Any]]:
    """The keys of the first page of `candidates(user)` as it is, unfiltered
    (`candidate_page(first=...)`)."""
    return _FIRST.of(user)


def every_candidate(queryset: QuerySet[Client], *, total: Decimal) -> Iterator[Row]:
    """Every row of `candidates()` that `candidate_page` pages through, in its order, for the
    export: one query read in chunks (it reads every client once, as an export may)."""
    silver_or_gold = Q(segment__tier__in=CANDIDATE_TIERS, tier_override__isnull=True) | Q(
        tier_override__tier__in=CANDIDATE_TIERS
    )
    for client in queryset.filter(silver_or_gold).iterator(chunk_size=CHUNK):
        yield _row(client, total)


def key_list_version(policy: Policy) -> tuple[object, ...] | None:
    """What the key list and the cap are drawn from, besides the nightly run that wrote the
    segments: the loads' version, which the database's triggers move with every key status, a
    client's status, responsible manager or size class, a client added or deleted (see
    `LoadTally`); the tier overrides (how many, the latest decision); and the policy's every
    field. None while the loads are not tallied yet: nothing then moves a version. One query,
    compiled once."""
    found = _KEY_LIST_VERSION()
    return (*found[0], policy.version()) if found else None


def _of_overrides(aggregate: Count | Max) -> Subquery:
    """An aggregate of every tier override as a scalar subquery: grouped by a constant, which
    Django leaves out of a GROUP BY (so no GROUP BY at all)."""
    whole = TierOverride.objects.order_by().values(whole=Value(1))
    return Subquery(whole.annotate(v=aggregate).values("v"))


_KEY_LIST_VERSION = Prepared(
    lambda: LoadTally.objects.filter(pk=1).values_list(
        "version", _of_overrides(Count("pk")), _of_overrides(Max("decided_at"))
    )
)


def key_clients(
    user: User, *, total: Decimal, policy: Policy, limit: int | None = KEY_LIST_LIMIT
) -> list[Row]:
    """The current key clients, biggest potential first and those without one last by name, each
    with its manager's warnings (`limit` None: all of them).

    In two parts: the estimated ones walk the potential index down and stop at `limit` key
    clients (sorting all 2,000 key clients of a 100,000-client base for the first 50 took 17 ms,
    this 1 ms); the others, read only when those fall short, are found from the key statuses,
    probing `segment_estimated_idx`."""
    keys = (
        clients_visible_to(user)
        .annotate(tier_now=effective_tier())
        .select_related("segment", "key_status", "responsible_manager")
    )
    key_ids = KeyStatus.objects.filter(is_key=True)
    estimated = keys.filter(pk__in=key_ids.values("client_id"), segment__potential__isnull=False)
    known = ClientSegment.objects.filter(client=OuterRef("client_id"), potential__isnull=False)
    unestimated = keys.filter(pk__in=key_ids.exclude(Exists(known)).values("client_id"))
    found = list(estimated.order_by("-segment__potential", "name", "pk")[:limit])
    if limit is None or len(found) < limit:
        left = None if limit is None else limit - len(found)
        found += unestimated.order_by("name", "pk")[:left]
    loads = kam_loads({c.responsible_manager_id for c in found if c.responsible_manager_id})
    return [_row(c, total, warnings=_warnings(c, loads, policy)) for c in found]


def _warnings(client: Client, loads: dict[int, KamLoad], policy: Policy) -> list[str]:
    if client.responsible_manager_id is None:
        return [_("No responsible manager.")]
    load = loads.get(client.responsible_manager_id)
    return kam_warnings(load.besides(client), policy) if load else []


def _row(client: Any, total: Decimal, *, warnings: list[str] | None = None) -> Row:
    potential = client.segment.potential if hasattr(client, "segment") else None
    reasons = client.key_status.reasons if hasattr(client, "key_status") else []
    return Row(
        client=client,
        tier=client.tier_now or "",
        flags=reason_labels(reasons),
        potential_share=(potential * 100 / total).quantize(Decimal("0.1")) if potential and total else None,
        warnings=warnings or [],
    )


@dataclass(frozen=True)
class KeyCap:
    """How many key clients the policy allows (DOMAIN §4) and how many there are.

    `active` is the base and `count` the key clients in it: both count the same clients, those
    whose card is active (prospects and inactive cards are out of both).
    """

    cap_share: Decimal
    active: int
    count: int

    @property
    def limit(self) -> int:
        return int(self.cap_share * self.active // 100)

    @property
    def over(self) -> bool:
        return self.count > self.limit

    def as_details(self) -> dict[str, Any]:
        """The figures as JSON values, for a notification's words and the run's record."""
        share = format(Decimal(self.cap_share).normalize(), "f")  # 20.00 and 20 alike: "20"
        return {"count": self.count, "limit": self.limit, "share": share, "base": self.active}


def key_cap(policy: Policy, *, excluding: Client | None = None, totals: Totals | None = None) -> KeyCap:
    """The cap over the active clients; `excluding` leaves one client out of the key count. A
    page that shows the cap passes the last run's `totals` for the base (a grant counts it live);
    the key clients are always counted."""
    active = totals.active if totals is not None else None
    if active is None:
        active = Client.objects.filter(status=Client.Status.ACTIVE).count()
    count = _active_key_count() if excluding is None else _active_keys().exclude(client=excluding).count()
    return KeyCap(cap_share=policy.key_cap_share, active=active, count=count)


def _active_keys() -> QuerySet[KeyStatus]:
    return KeyStatus.objects.filter(is_key=True, client__status=Client.Status.ACTIVE)


# The key clients among the active ones, counted on every page that shows the cap: compiled once
# per process and, on PostgreSQL, planned once per connection (`kam.prepared`). One row however
# many: grouped by a constant, which Django leaves out of a GROUP BY, as `count()` would.
_ACTIVE_KEYS = Prepared(
    lambda: (
        _active_keys().order_by().values(whole=Value(1)).annotate(n=Count("pk")).values_list("n", flat=True)
    )
)


_LOADS_VERSION = Prepared(lambda: LoadTally.objects.filter(pk=1).values_list("version", flat=True))
KEPT_COUNT_SECONDS = 3600  # a version's count; once it moves, the count is read under the new one


def _active_key_count() -> int:
    """The key clients among the active ones, kept (in the cache) by the loads' version, which
    the database's triggers move in the same transaction as every change that moves this count:
    a key status written or deleted, a client's status changed, a client added or deleted. Counted
    when the version moved (2,000 key clients probed: 3 to 10 ms), read in one cache lookup
    otherwise.

    The version is read before the count, so a count kept is never older than the version it is
    kept by; and it is kept once the transaction that counted commits: one rolled back would give
    its version's number out again, to another change."""
    version = next(iter(_LOADS_VERSION()), None)
    if version is None:
        return next(iter(_ACTIVE_KEYS()), 0)
    key = f"active-keys:{version}"
    count = cache.get(key)
    if count is None:
        count = next(iter(_ACTIVE_KEYS()), 0)
        transaction.on_commit(partial(cache.set, key, count, KEPT_COUNT_SECONDS))
    return int(count)


@dataclass(frozen=True)
class DecisionPage:
    """What a director sees before deciding on key status or a tier override."""

    panel: SegmentPanel
    cap: KeyCap
    tier: str

    @property
    def bronze(self) -> bool:
        return self.tier == Tier.BRONZE


def key_status_of(client: Client) -> KeyStatus | None:
    """The client's key status (its reasons and note, granted or not), if it has one."""
    return next(iter(_STATUS(client.pk)), None)


_STATUS = Prepared(lambda client: KeyStatus.objects.filter(client_id=client).order_by()[:1])


def decision_page(client: Client, *, user: User, today: date) -> DecisionPage:
    policy, totals = policy_and_totals(user)
    panel = segment_panel(client, user=user, today=today, totals=totals, policy=policy)
    return DecisionPage(panel=panel, cap=key_cap(policy, totals=totals), tier=panel.effective_tier)
