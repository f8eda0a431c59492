"""The one keyset pager, on whichever database the suite runs; its cursor codec has a file of its own."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from operator import attrgetter

import pytest
from django.db import connection
from django.db.models import Count, QuerySet, Value
from django.test.utils import CaptureQueriesContext

from accounts.models import Client, Sale
from kam import pagination
from kam.pagination import Page, decode_cursor, encode_cursor, first_page, keyset_page
from kam.prepared import Prepared
from tests.factories import ClientFactory, PointFactory, SaleFactory
from tests.test_pagination_cursor import b64, wire_of

# --- the pager -------------------------------------------------------------------------------


def ordered(rows, order):
    """The pks of `rows` sorted as `order` says, by Python's stable sorts, last key first."""
    rows = list(rows)
    for name in reversed(order):
        rows.sort(key=attrgetter(name.removeprefix("-")), reverse=name.startswith("-"))
    return [row.pk for row in rows]


def walk_forward(querysets, order, size, **options):
    """Every page from the first on, following `next_cursor`."""
    pages = [keyset_page(querysets, order=order, size=size, **options)]
    while pages[-1].next_cursor:
        pages.append(keyset_page(querysets, order=order, size=size, after=pages[-1].next_cursor, **options))
        assert len(pages) < 100
    return pages


def walk_backward(querysets, order, size, last, **options):
    """The pages before `last`, following `previous_cursor`, back to the first."""
    pages = [last]
    while pages[0].previous_cursor:
        before = pages[0].previous_cursor
        pages.insert(0, keyset_page(querysets, order=order, size=size, before=before, **options))
        assert len(pages) < 100
    return pages


def assert_pages_cover(querysets, order, size, expected, **options):
    """Forward and back, each row exactly once in `expected` order, the cursors as the list
    template expects: no previous on the first page, no next on the last."""
    forward = walk_forward(querysets, order, size, **options)
    assert [[row.pk for row in page.rows] for page in forward] == [
        expected[start : start + size] for start in range(0, len(expected), size)
    ]
    assert forward[0].previous_cursor == ""
    assert forward[-1].next_cursor == ""
    backward = walk_backward(querysets, order, size, forward[-1], **options)
    assert [[row.pk for row in page.rows] for page in backward] == [
        [row.pk for row in page.rows] for page in forward
    ]
    assert backward[0].next_cursor == forward[0].next_cursor


@pytest.fixture
def statuses_and_names(db):
    """23 clients over 3 statuses and 3 names: many ties in the first two sort fields."""
    statuses = [Client.Status.ACTIVE, Client.Status.PROSPECT, Client.Status.INACTIVE]
    return [
        ClientFactory(status=statuses[index % 3], name=["Beta", "Alpha", "Gamma"][index % 4 % 3])
        for index in range(23)
    ]


def test_mixed_directions_page_in_the_lexicographic_order(statuses_and_names):
    rank = {"active": 0, "inactive": 1, "prospect": 2}  # ascending
    by_hand = sorted(statuses_and_names, key=lambda c: (-rank[c.status], c.name, -c.pk))

    page = keyset_page(Client.objects.all(), order=["-status", "name", "-pk"], size=50)

    assert [c.pk for c in page.rows] == [c.pk for c in by_hand]
    assert ordered(statuses_and_names, ["-status", "name", "-pk"]) == [c.pk for c in by_hand]
    assert (page.next_cursor, page.previous_cursor, page.total) == ("", "", 23)


@pytest.mark.parametrize("order", [["-status", "name", "-pk"], ["status", "-name", "pk"], ["name", "-pk"]])
@pytest.mark.parametrize("size", [1, 4, 7, 22, 23])
def test_pages_forward_and_back_visit_every_row_once_in_order(order, size, statuses_and_names):
    assert_pages_cover(Client.objects.all(), order, size, ordered(statuses_and_names, order))


@pytest.mark.parametrize("size", [1, 7, 23])
def test_a_page_not_narrowed_to_the_counted_pks_pages_alike(size, statuses_and_names):
    order = ["-status", "name", "-pk"]
    queryset = Client.objects.exclude(status=Client.Status.INACTIVE)
    expected = ordered([c for c in statuses_and_names if c.status != Client.Status.INACTIVE], order)

    assert_pages_cover(queryset, order, size, expected, narrow=False)
    with CaptureQueriesContext(connection) as queries:
        page = keyset_page(queryset, order=order, size=size, narrow=False)

    assert page.total == len(expected)
    assert len(queries) == 2
    assert " IN (" not in queries[-1]["sql"]
    assert "ANY(" not in queries[-1]["sql"]


def test_datetimes_with_ties_page_newest_first(db):
    clients = ClientFactory.create_batch(11)
    moment = datetime(2025, 5, 1, 8, 0, 0, 250000, tzinfo=UTC)
    Client.objects.filter(pk__in=[c.pk for c in clients[:6]]).update(updated_at=moment)
    Client.objects.filter(pk__in=[c.pk for c in clients[6:]]).update(updated_at=moment - timedelta(days=1))
    expected = [c.pk for c in reversed(clients[:6])] + [c.pk for c in reversed(clients[6:])]
    assert Client.objects.get(pk=clients[0].pk).updated_at == moment

    assert_pages_cover(Client.objects.all(), ["-updated_at", "-pk"], 4, expected)


def test_decimals_and_dates_of_a_model_page_in_mixed_directions(db):
    amounts = [Decimal("10.50"), Decimal("10.50"), Decimal("9.99"), Decimal("100.00")]
    days = [date(2025, 1, 2), date(2025, 1, 1)]
    sales = [SaleFactory(amount=amounts[i % 4], date=days[i % 2]) for i in range(14)]

    assert_pages_cover(
        Sale.objects.all(), ["-amount", "date", "pk"], 3, ordered(sales, ["-amount", "date", "pk"])
    )


def test_an_annotation_pages_by_its_output_field(db):
    clients = ClientFactory.create_batch(9)
    for index, client in enumerate(clients):
        PointFactory.create_batch(index % 3, client=client)
    counted = Client.objects.annotate(points_count=Count("points"))
    expected = [c.pk for c in sorted(clients, key=lambda c: (-(clients.index(c) % 3), c.pk))]

    assert_pages_cover(counted, ["-points_count", "pk"], 2, expected)
    page = keyset_page(counted, order=["-points_count", "pk"], size=2)
    assert wire_of(page.next_cursor) == [2, expected[1]]


@pytest.fixture
def two_statuses(db):
    """30 clients, active or prospect, whose versions tie across both groups."""
    clients = ClientFactory.create_batch(30)
    for index, client in enumerate(clients):
        status = Client.Status.ACTIVE if index % 3 else Client.Status.PROSPECT
        Client.objects.filter(pk=client.pk).update(version=index % 5, status=status)
    return [Client.objects.filter(status=status) for status in (Client.Status.ACTIVE, Client.Status.PROSPECT)]


def test_disjoint_querysets_merge_into_one_order(two_statuses):
    rows = [c for qs in two_statuses for c in qs]
    expected = [c.pk for c in sorted(rows, key=lambda c: (-c.version, c.pk))]
    assert len(rows) == 30

    for size in (1, 4, 9, 30):
        assert_pages_cover(two_statuses, ["-version", "pk"], size, expected)
    assert_pages_cover(two_statuses, ["version", "-pk"], 4, expected[::-1])


def test_merged_querysets_cost_one_query_each_without_the_count(two_statuses, django_assert_num_queries):
    with django_assert_num_queries(2):
        page = keyset_page(two_statuses, order=["version", "-pk"], size=4, count=False)

    rows = [c for qs in two_statuses for c in qs]
    assert [c.pk for c in page.rows] == [c.pk for c in sorted(rows, key=lambda c: (c.version, -c.pk))][:4]


@pytest.mark.parametrize("size", [1, 4, 9, 30])
def test_merged_keys_read_their_rows_from_read(size, two_statuses):
    """The parts yield only their keys; the page's rows come from `read`, in the merged order."""
    rows = [c for qs in two_statuses for c in qs]
    read = Client.objects.annotate(marked=Value("read"))

    assert_pages_cover(
        two_statuses,
        ["-version", "pk"],
        size,
        [c.pk for c in sorted(rows, key=lambda c: (-c.version, c.pk))],
        read=read,
    )
    page = keyset_page(two_statuses, order=["-version", "pk"], size=size, count=False, read=read)
    assert {c.marked for c in page.rows} == {"read"}


def test_one_queryset_with_read_pages_its_keys_then_reads_the_rows(statuses_and_names):
    order = ["-status", "name", "-pk"]
    read = Client.objects.annotate(marked=Value("read"))

    assert_pages_cover(Client.objects.all(), order, 7, ordered(statuses_and_names, order), read=read)
    assert {c.marked for c in keyset_page(Client.objects.all(), order=order, size=7, read=read).rows} == {
        "read"
    }


def test_rows_read_by_a_function_of_the_pks(two_statuses):
    """`read` may be a function of the page's pks (a prepared query); it is not asked for the
    rows of a page with none."""
    asked = []

    def read(pks):
        asked.append(sorted(pks))
        return Client.objects.filter(pk__in=pks).annotate(marked=Value("read"))

    rows = [c for qs in two_statuses for c in qs]
    order = ["-version", "pk"]
    expected = [c.pk for c in sorted(rows, key=lambda c: (-c.version, c.pk))]
    assert_pages_cover(two_statuses, order, 3, expected, read=read)
    page = keyset_page(two_statuses, order=order, size=3, count=False, read=read)
    assert {c.marked for c in page.rows} == {"read"}
    assert len(asked[-1]) == 4  # the page's 3 and the one that says there is more
    assert {c.pk for c in page.rows} < set(asked[-1])

    asked.clear()
    empty = [qs.filter(pk__lt=0) for qs in two_statuses]
    assert keyset_page(empty, order=order, size=3, count=False, read=read).rows == []
    assert asked == []


@pytest.mark.parametrize("size", [1, 4, 30])
def test_the_first_page_s_keys_from_a_prepared_query(size, two_statuses, django_assert_num_queries):
    """`first` hands over the first page's keys as `first_page` reads them, from a query kept
    prepared: the same page; where the database merges the keys it runs instead of the UNION,
    and a page with a cursor reads the querysets as they are."""
    order, read = ["-version", "pk"], Client.objects.annotate(marked=Value("read"))
    first = Prepared(lambda: first_page(two_statuses, order=order, size=size, read=True))
    merged_by_database = connection.features.supports_slicing_ordering_in_compound

    with django_assert_num_queries(2 if merged_by_database else 3):
        page = keyset_page(two_statuses, order=order, size=size, count=False, read=read, first=first)
    plain = keyset_page(two_statuses, order=order, size=size, count=False, read=read)
    later = keyset_page(
        two_statuses, order=order, size=size, count=False, read=read, first=first, after=page.next_cursor
    )

    assert [c.pk for c in page.rows] == [c.pk for c in plain.rows]
    assert (page.next_cursor, page.previous_cursor) == (plain.next_cursor, plain.previous_cursor)
    assert bool(first._compiled) == merged_by_database  # SQLite merges in Python, never asks
    plain_later = keyset_page(
        two_statuses, order=order, size=size, count=False, read=read, after=plain.next_cursor
    )
    assert [c.pk for c in later.rows] == [c.pk for c in plain_later.rows]


@pytest.mark.parametrize("size", [1, 4])
def test_parts_made_on_demand_are_not_made_for_a_prepared_first_page(size, two_statuses):
    """`querysets` as a function: a first page the database merges from `first` makes no parts;
    a later page, a malformed cursor's first page, and a database that merges in Python make
    them. Every page is the one the parts as they are give."""
    order, read = ["-version", "pk"], Client.objects.annotate(marked=Value("read"))
    first = Prepared(lambda: first_page(two_statuses, order=order, size=size, read=True))
    made: list[int] = []

    def parts() -> list[QuerySet[Client]]:
        made.append(1)
        return two_statuses

    def page(**cursor: str) -> Page:
        return keyset_page(parts, order=order, size=size, count=False, read=read, first=first, **cursor)

    plain = keyset_page(two_statuses, order=order, size=size, count=False, read=read)
    assert plain.next_cursor
    opened = page()
    assert made == ([] if connection.features.supports_slicing_ordering_in_compound else [1])
    assert [c.pk for c in opened.rows] == [c.pk for c in plain.rows]
    assert (opened.next_cursor, opened.previous_cursor) == (plain.next_cursor, "")
    made.clear()

    assert [c.pk for c in page(after="not a cursor").rows] == [c.pk for c in plain.rows]
    later = page(after=plain.next_cursor)
    plain_later = keyset_page(
        two_statuses, order=order, size=size, count=False, read=read, after=plain.next_cursor
    )
    assert made == [1, 1]
    assert [c.pk for c in later.rows] == [c.pk for c in plain_later.rows]
    assert later.previous_cursor == plain_later.previous_cursor


def _counted_by(querysets, calls):
    """Prepared counts of the querysets, each call noted."""
    prepared = [Prepared(lambda qs=qs: pagination.count_query(qs)) for qs in querysets]

    def count(n):
        calls.append(n)
        return prepared[n]()

    return [lambda n=n: count(n) for n in range(len(querysets))]


@pytest.mark.parametrize("size", [1, 4])
def test_a_counted_list_past_the_cap_opens_on_its_prepared_counts_and_first_page(
    size, two_statuses, monkeypatch, django_assert_num_queries
):
    """Counted past the cap (no queryset narrowed to its pks): the counts and the first page
    come from prepared queries, and the page is the one the querysets give."""
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)  # the active ones (20) are past it
    order, read = ["name", "pk"], Client.objects.all()
    first = Prepared(lambda: first_page(two_statuses, order=order, size=size, read=True))
    calls: list[int] = []
    counts = _counted_by(two_statuses, calls)

    page = keyset_page(two_statuses, order=order, size=size, read=read, first=first, counts=counts)
    plain = keyset_page(two_statuses, order=order, size=size, read=read)

    assert [c.pk for c in page.rows] == [c.pk for c in plain.rows]
    assert (page.total, page.total_capped, page.next_cursor) == (10, True, plain.next_cursor)
    assert calls == [0]  # the prospects are not counted once past the cap
    assert bool(first._compiled) is (connection.vendor == "postgresql")  # SQLite merges in Python
    with django_assert_num_queries(3 if connection.vendor == "postgresql" else 4):
        keyset_page(two_statuses, order=order, size=size, read=read, first=first, counts=counts)


@pytest.mark.parametrize("size", [1, 4])
def test_a_list_past_the_cap_opening_on_prepared_counts_and_first_page_makes_no_queryset(
    size, two_statuses, monkeypatch
):
    """Its parts given as a function: where the database merges the first page's keys, the
    counts and the first page come from prepared queries and the order's types from `among`,
    so the parts are never made; elsewhere they are made once, to merge in Python."""
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)
    order, read = ["name", "pk"], Client.objects.all()
    first = Prepared(lambda: first_page(two_statuses, order=order, size=size, read=True))
    made: list[int] = []

    def parts():
        made.append(1)
        return two_statuses

    counts = _counted_by(two_statuses, [])
    page = keyset_page(parts, order=order, size=size, read=read, first=first, counts=counts, among=read)
    plain = keyset_page(two_statuses, order=order, size=size, read=read)

    assert [c.pk for c in page.rows] == [c.pk for c in plain.rows]
    assert (page.total, page.total_capped, page.next_cursor) == (10, True, plain.next_cursor)
    assert made == ([] if connection.vendor == "postgresql" else [1])


def test_a_count_that_narrows_makes_the_parts_once(two_statuses):
    order, read = ["name", "pk"], Client.objects.all()
    made: list[int] = []

    def parts():
        made.append(1)
        return two_statuses

    counts = _counted_by(two_statuses, [])
    page = keyset_page(parts, order=order, size=4, read=read, counts=counts, among=read)
    plain = keyset_page(two_statuses, order=order, size=4, read=read)

    assert [c.pk for c in page.rows] == [c.pk for c in plain.rows]
    assert (page.total, made) == (30, [1])


def test_a_count_that_narrows_a_queryset_reads_it_narrowed_not_first(two_statuses):
    """Counted under the cap, the querysets are narrowed to their pks: `first` is not run."""
    order, read = ["name", "pk"], Client.objects.all()

    def first():
        raise AssertionError("a narrowed list ran the prepared first page")

    calls: list[int] = []
    page = keyset_page(
        two_statuses, order=order, size=4, read=read, first=first, counts=_counted_by(two_statuses, calls)
    )
    plain = keyset_page(two_statuses, order=order, size=4, read=read)

    assert [c.pk for c in page.rows] == [c.pk for c in plain.rows]
    assert (page.total, calls) == (30, [0, 1])


@pytest.mark.parametrize("size", [1, 4, 30])
def test_one_queryset_s_first_page_of_rows_from_a_prepared_query(size, statuses_and_names):
    """One queryset read as it is (no `read`, not narrowed): `first` gives the first page's rows,
    on every database; the count stays."""
    order = ["-status", "name", "-pk"]
    queryset = Client.objects.exclude(status=Client.Status.INACTIVE)
    first = Prepared(lambda: first_page(queryset, order=order, size=size))

    page = keyset_page(queryset, order=order, size=size, narrow=False, first=first)
    plain = keyset_page(queryset, order=order, size=size, narrow=False)

    assert [c.pk for c in page.rows] == [c.pk for c in plain.rows] == ordered(list(queryset), order)[:size]
    assert (page.total, page.next_cursor) == (plain.total, plain.next_cursor)
    assert first._compiled


@pytest.mark.parametrize("read", [False, True])
def test_parts_known_to_be_empty_merge_with_the_others(read, two_statuses):
    """A part that is `.none()` (a user who sees nothing of it) reads nothing, first or not."""
    rows = [c for qs in two_statuses for c in qs]
    expected = [c.pk for c in sorted(rows, key=lambda c: (c.name, c.pk))][:4]
    options = {"order": ["name", "pk"], "size": 4, "count": False}
    if read:
        options["read"] = Client.objects.all()
    none = Client.objects.none()

    assert [c.pk for c in keyset_page([none, *two_statuses], **options).rows] == expected
    assert [c.pk for c in keyset_page([*two_statuses, none], **options).rows] == expected
    assert keyset_page([none, none], **options).rows == []


def test_a_row_gone_between_the_keys_and_the_rows_is_left_out(two_statuses):
    """As if deleted after the keys were read: `read` no longer has it, and the page goes on."""
    first = keyset_page(two_statuses, order=["-version", "pk"], size=4, count=False).rows[0]

    page = keyset_page(
        two_statuses, order=["-version", "pk"], size=4, count=False, read=Client.objects.exclude(pk=first.pk)
    )

    assert first.pk not in [c.pk for c in page.rows]
    assert len(page.rows) == 4  # the extra key read to tell whether more follow fills in


def test_merged_keys_cost_one_query_and_the_rows_one_more(two_statuses, django_assert_num_queries):
    """One UNION of the parts' keys where the database orders a compound (PostgreSQL), a query
    a part elsewhere; the rows one query whatever the number of parts."""
    parts = 1 if connection.features.supports_slicing_ordering_in_compound else len(two_statuses)
    with django_assert_num_queries(parts + 1):
        page = keyset_page(
            two_statuses, order=["version", "-pk"], size=4, count=False, read=Client.objects.all()
        )

    rows = [c for qs in two_statuses for c in qs]
    assert [c.pk for c in page.rows] == [c.pk for c in sorted(rows, key=lambda c: (c.version, -c.pk))][:4]


def test_count_false_skips_the_count_query(two_statuses, django_assert_num_queries):
    with django_assert_num_queries(4):
        counted = keyset_page(two_statuses, order=["-version", "pk"], size=4)
    with django_assert_num_queries(2):
        uncounted = keyset_page(two_statuses, order=["-version", "pk"], size=4, count=False)

    assert (counted.total, counted.total_capped) == (30, False)
    assert (uncounted.total, uncounted.total_capped) == (0, False)
    assert [c.pk for c in uncounted.rows] == [c.pk for c in counted.rows]
    assert uncounted.next_cursor == counted.next_cursor


@pytest.fixture
def cap_at_ten(monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)


@pytest.mark.parametrize(("rows", "total", "capped"), [(9, 9, False), (10, 10, False), (11, 10, True)])
def test_the_total_is_counted_up_to_the_cap(rows, total, capped, db, cap_at_ten):
    ClientFactory.create_batch(rows)

    page = keyset_page(Client.objects.all(), order=["name", "pk"], size=4)

    assert (page.total, page.total_capped, len(page.rows)) == (total, capped, 4)


@pytest.mark.parametrize(
    ("active", "prospect", "total", "capped"), [(5, 5, 10, False), (6, 5, 10, True), (11, 0, 10, True)]
)
def test_the_total_of_merged_querysets_is_their_sum_up_to_the_cap(
    active, prospect, total, capped, db, cap_at_ten
):
    ClientFactory.create_batch(active, status=Client.Status.ACTIVE)
    ClientFactory.create_batch(prospect, status=Client.Status.PROSPECT)
    querysets = [
        Client.objects.filter(status=status) for status in (Client.Status.ACTIVE, Client.Status.PROSPECT)
    ]

    page = keyset_page(querysets, order=["-pk"], size=4)

    assert (page.total, page.total_capped) == (total, capped)


@pytest.fixture
def named(db):
    return [c.pk for c in ClientFactory.create_batch(7)]  # "Client nnnn", in creation order


@pytest.mark.parametrize(
    "cursor",
    ["garbage", b64('["Client", "1"]'), encode_cursor([datetime(2025, 1, 1, tzinfo=UTC), 1])],
)
def test_a_malformed_or_foreign_cursor_gives_the_first_page(cursor, named):
    after = keyset_page(Client.objects.all(), order=["name", "pk"], size=3, after=cursor)
    before = keyset_page(Client.objects.all(), order=["name", "pk"], size=3, before=cursor)

    for page in (after, before):
        assert [c.pk for c in page.rows] == named[:3]
        assert page.previous_cursor == ""
        assert page.next_cursor


def test_a_malformed_before_falls_back_to_after(named):
    first = keyset_page(Client.objects.all(), order=["name", "pk"], size=3)
    second = keyset_page(
        Client.objects.all(), order=["name", "pk"], size=3, after=first.next_cursor, before="garbage"
    )

    assert [c.pk for c in second.rows] == named[3:6]
    assert second.previous_cursor


@pytest.mark.parametrize(
    ("order", "cursor", "rows"),
    [
        (["-pk"], [10**30], "all"),
        (["pk"], [10**30], "none"),
        (["name", "pk"], ["Client", -(10**30)], "all"),
        (["-version", "pk"], [-(10**30), 1], "none"),
        (
            ["-updated_at", "-pk"],
            [datetime(9998, 12, 31, 23, 59, tzinfo=timezone(-timedelta(hours=15, minutes=59))), 1],
            "all",
        ),
        (
            ["updated_at", "pk"],
            [datetime(2, 1, 1, tzinfo=timezone(timedelta(hours=15, minutes=59))), 1],
            "all",
        ),
        pytest.param(
            ["updated_at", "pk"],
            [datetime(2, 1, 1), 1],
            "all",
            marks=pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime"),
        ),
    ],
)
def test_a_cursor_at_the_codecs_limits_pages_without_error(order, cursor, rows, named):
    page = keyset_page(Client.objects.all(), order=order, after=encode_cursor(cursor))

    assert decode_cursor(encode_cursor(cursor), [type(v) for v in cursor]) == tuple(cursor)
    assert sorted(c.pk for c in page.rows) == (named if rows == "all" else [])


@pytest.mark.parametrize(
    ("amount", "rows"), [(Decimal("9.99E+99"), 3), (Decimal("-9.99E+99"), 0), (Decimal("1E-100"), 0)]
)
def test_a_decimal_cursor_at_the_codecs_limits_pages_without_error(amount, rows, db):
    SaleFactory.create_batch(3, amount=Decimal("5.00"))
    cursor = encode_cursor([amount, date(2025, 1, 1), 1])

    page = keyset_page(Sale.objects.all(), order=["-amount", "date", "pk"], after=cursor)

    assert decode_cursor(cursor, [Decimal, date, int]) == (amount, date(2025, 1, 1), 1)
    assert len(page.rows) == rows


@pytest.mark.parametrize("cap", [5, 22, 23, 1000])
@pytest.mark.parametrize("order", [["-status", "name", "-pk"], ["name", "-pk"]])
def test_pages_are_the_same_read_among_the_counted_pks_or_not(cap, order, statuses_and_names, monkeypatch):
    """Up to the cap the page is read among the pks the count found; past it, as any page: the
    same pages either way, counted alike."""
    monkeypatch.setattr(pagination, "COUNT_CAP", cap)

    assert_pages_cover(Client.objects.all(), order, 4, ordered(statuses_and_names, order))
    assert keyset_page(Client.objects.all(), order=order, size=4).total == min(23, cap)


def test_a_page_of_few_matches_is_read_among_their_pks(statuses_and_names):
    few = Client.objects.filter(name="Gamma")
    pks = sorted(few.values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as queries:
        page = keyset_page(few, order=["name", "pk"], size=len(pks))

    counted, rows = (query["sql"] for query in queries.captured_queries)
    assert [c.pk for c in page.rows] == pks
    assert "LIMIT" in counted
    assert among(pks) in rows


def test_more_matches_than_a_page_read_their_keys_among_their_pks_then_the_rows(statuses_and_names):
    few = Client.objects.filter(name="Gamma")
    pks = sorted(few.values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as queries:
        page = keyset_page(few, order=["name", "pk"], size=2)

    counted, keys, rows = (query["sql"] for query in queries.captured_queries)
    assert [c.pk for c in page.rows] == pks[:2]
    assert "LIMIT" in counted
    assert among(pks) in keys
    assert among(pks[:3]) in rows  # the page and the one that says there is more
    assert among(pks) not in rows


@pytest.mark.parametrize("size", [1, 4, 9, 30])
def test_counted_keys_are_read_among_the_rows_before_the_filters(size, two_statuses):
    """With `among`, the parts' counted pks are looked up in it, without the parts' filters
    again: the same pages, and a keys query that names the pks and not the filter."""
    rows = [c for qs in two_statuses for c in qs]
    read = Client.objects.annotate(marked=Value("read"))
    options = {"read": read, "among": Client.objects.all()}
    expected = [c.pk for c in sorted(rows, key=lambda c: (-c.version, c.pk))]
    assert_pages_cover(two_statuses, ["-version", "pk"], size, expected, **options)

    with CaptureQueriesContext(connection) as queries:
        page = keyset_page(two_statuses, order=["-version", "pk"], size=size, **options)

    active, prospects, *keys, read_rows = (query["sql"] for query in queries.captured_queries)
    assert all("status" in counted for counted in (active, prospects))
    assert keys
    assert all("status" not in sql for sql in keys)
    assert all(among_marker() in sql for sql in keys)
    assert among_marker() in read_rows
    assert [c.pk for c in page.rows] == expected[:size]
    assert {c.marked for c in page.rows} == {"read"}


def test_among_gives_the_keys_and_the_queryset_the_rows_of_more_than_a_page(statuses_and_names):
    """One queryset, no `read`: past a page its keys come from `among` and its rows from the
    queryset itself, by pk (they carry what it annotates)."""
    gammas = Client.objects.filter(name="Gamma").annotate(marked=Value("rows"))
    pks = sorted(gammas.values_list("pk", flat=True))

    with CaptureQueriesContext(connection) as queries:
        page = keyset_page(gammas, order=["name", "pk"], size=2, among=Client.objects.all())

    counted, keys, rows = (query["sql"] for query in queries.captured_queries)
    assert [c.pk for c in page.rows] == pks[:2]
    assert {c.marked for c in page.rows} == {"rows"}
    assert "Gamma" in counted
    assert "Gamma" not in keys
    assert among(pks) in keys
    assert among(pks[:3]) in rows


def test_among_is_not_read_where_the_page_s_rows_come_from_the_querysets(statuses_and_names):
    """Rows read straight from the parts (a page holds every match, or the parts are chained)
    come from the parts, filters and all: `among` has none of their columns."""
    gammas = Client.objects.filter(name="Gamma").annotate(marked=Value("rows"))
    prospects = Client.objects.filter(status=Client.Status.PROSPECT).annotate(marked=Value("rows"))
    others = Client.objects.exclude(status=Client.Status.PROSPECT).annotate(marked=Value("rows"))

    whole = keyset_page(gammas, order=["name", "pk"], size=50, among=Client.objects.all())
    chained = keyset_page(
        [prospects, others], order=["-status", "pk"], size=4, chained=True, among=Client.objects.all()
    )

    assert [c.pk for c in whole.rows] == sorted(c.pk for c in statuses_and_names if c.name == "Gamma")
    assert {c.marked for c in whole.rows} == {c.marked for c in chained.rows} == {"rows"}
    assert [c.pk for c in chained.rows] == ordered(statuses_and_names, ["-status", "pk"])[:4]


def among_marker() -> str:
    """What names a list of ids given as one parameter in the SQL, whatever the ids."""
    return "ANY('{" if connection.vendor == "postgresql" else "json_each('["


def among(pks: list[int]) -> str:
    """How the SQL holds a list of ids given as one parameter (`kam.prepared.Ids`)."""
    if connection.vendor == "postgresql":
        return f"ANY('{{{','.join(map(str, pks))}}}'::bigint[])"
    return f"json_each('[{', '.join(map(str, pks))}]')"


@pytest.fixture
def chain(statuses_and_names):
    """The 23 clients as two parts in `-status` order: the prospects, then the others."""
    return [
        Client.objects.filter(status=Client.Status.PROSPECT),
        Client.objects.exclude(status=Client.Status.PROSPECT),
    ]


@pytest.mark.parametrize("size", [1, 4, 7, 22, 23])
def test_chained_parts_page_as_one_ordered_queryset(size, chain, statuses_and_names):
    order = ["-status", "name", "-pk"]

    assert_pages_cover(chain, order, size, ordered(statuses_and_names, order), chained=True)


def test_a_chained_part_is_read_only_when_the_earlier_fall_short(chain, django_assert_num_queries):
    with django_assert_num_queries(1):
        first = keyset_page(chain, order=["-status", "name", "-pk"], size=3, count=False, chained=True)
    with django_assert_num_queries(3):  # the counts of both parts, the first part's rows
        counted = keyset_page(chain, order=["-status", "name", "-pk"], size=3, chained=True)

    assert [c.status for c in first.rows] == [Client.Status.PROSPECT] * 3
    assert (counted.total, [c.pk for c in counted.rows]) == (23, [c.pk for c in first.rows])


def test_chained_parts_past_the_cap_are_not_counted(chain, django_assert_num_queries, cap_at_ten):
    with django_assert_num_queries(2):  # the first part's count (past ten) and its rows
        page = keyset_page(chain[::-1], order=["status", "-name", "pk"], size=3, chained=True)

    assert (page.total, page.total_capped) == (10, True)


@pytest.mark.parametrize("chained", [False, True])
def test_when_nothing_matches_no_page_is_read_after_the_counts(
    chained, two_statuses, django_assert_num_queries
):
    empty = [queryset.filter(name="Nobody") for queryset in two_statuses]

    with django_assert_num_queries(2):  # each part's count, and no page
        page = keyset_page(empty, order=["name", "pk"], chained=chained)

    assert (page.rows, page.total, page.next_cursor, page.previous_cursor) == ([], 0, "", "")
