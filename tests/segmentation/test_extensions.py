"""The client list's segment filters and columns: category, effective tier, league, size class,
purchase status, key status; clients without a segment row; keyset paging and query counts."""

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import ChoicesVersion, Client
from accounts.views import clients as client_views
from kam import pagination
from segmentation.models import ClientSegment, KeyStatus, TierOverride
from segmentation.segments import tiers
from tests.factories import ClientFactory, ManagerFactory, PointFactory, TeamMemberFactory

LIST_URL = reverse("accounts:client_list")
ALL_MINE = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot"]


def names(response):
    return [client.name for client in response.context["page"].rows]


def segment(client, **values):
    return ClientSegment.objects.create(client=client, **values)


class Cells(HTMLParser):
    """The text of each cell of each body row of the page's tables, by the row's first cell."""

    def __init__(self):
        super().__init__()
        self.rows, self.row, self.cell, self.in_body = {}, None, None, False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.in_body:
            self.row = []
        elif tag == "td" and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row:
            self.rows[self.row[0]] = self.row
            self.row = None
        elif tag == "tbody":
            self.in_body = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


# The default columns: client, head office, manager, then segmentation's seven, then the
# last touch and the next step.
SEGMENT_COLUMNS = slice(3, 10)
ZERO = "0"  # no revenue yet (the header names the currency)


def segment_cells(row):
    return row[SEGMENT_COLUMNS]


def cells(response):
    parser = Cells()
    parser.feed(response.content.decode())
    return parser.rows


@pytest.fixture
def segmented(manager, outsider):
    """Six clients of the manager with different segments (Echo has none yet), one of the outsider's."""
    make = {name: ClientFactory(name=name, legal_name="", responsible_manager=manager) for name in ALL_MINE}
    segment(
        make["Alpha"], category="A", tier="gold", league="premier", size_class="large", lost_status="at_risk"
    )
    segment(
        make["Bravo"], category="B", tier="silver", league="first", size_class="medium", lost_status="lost"
    )
    segment(
        make["Charlie"],
        category="C",
        tier="bronze",
        league="second",
        size_class="small",
        lost_status="won_back",
    )
    segment(
        make["Delta"], category="D", tier="gold", league="third", size_class="largest", lost_status="active"
    )
    segment(make["Foxtrot"], category="", tier="bronze", league="", size_class="small", lost_status="")
    KeyStatus.objects.create(client=make["Alpha"], is_key=True, reasons=["potential"])
    KeyStatus.objects.create(client=make["Bravo"], is_key=False, reasons=["image"])
    TierOverride.objects.create(client=make["Charlie"], tier="silver", reason="Image client")
    TierOverride.objects.create(client=make["Delta"], tier="bronze", reason="Shrinking market")
    golf = ClientFactory(name="Golf", responsible_manager=outsider)
    segment(golf, category="A", tier="gold", league="premier", size_class="large", lost_status="at_risk")
    KeyStatus.objects.create(client=golf, is_key=True, reasons=["strategic"])
    return make


def test_clients_without_a_segment_row_are_listed_unfiltered(segmented, as_manager):
    response = as_manager.get(LIST_URL)

    assert names(response) == ALL_MINE


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"category": "A"}, ["Alpha"]),
        ({"category": "B"}, ["Bravo"]),
        ({"category": "C"}, ["Charlie"]),
        ({"category": "D"}, ["Delta"]),
        ({"category": "none"}, ["Echo", "Foxtrot"]),
        ({"tier": "gold"}, ["Alpha"]),
        ({"tier": "silver"}, ["Bravo", "Charlie"]),
        ({"tier": "bronze"}, ["Delta", "Foxtrot"]),
        ({"league": "premier"}, ["Alpha"]),
        ({"league": "first"}, ["Bravo"]),
        ({"league": "second"}, ["Charlie"]),
        ({"league": "third"}, ["Delta"]),
        ({"league": "qualifying"}, []),
        ({"size": "small"}, ["Charlie", "Foxtrot"]),
        ({"size": "medium"}, ["Bravo"]),
        ({"size": "large"}, ["Alpha"]),
        ({"size": "largest"}, ["Delta"]),
        ({"purchases": "at_risk"}, ["Alpha"]),
        ({"purchases": "lost"}, ["Bravo"]),
        ({"purchases": "won_back"}, ["Charlie"]),
        ({"purchases": "active"}, ["Delta"]),
        ({"key": "yes"}, ["Alpha"]),
        ({"key": "no"}, ["Bravo", "Charlie", "Delta", "Echo", "Foxtrot"]),
        ({"tier": "silver", "key": "no", "size": "small"}, ["Charlie"]),
        ({"category": "none", "size": "small"}, ["Foxtrot"]),
        ({"q": "a", "tier": "gold"}, ["Alpha"]),
    ],
)
def test_segment_filters_return_exactly_the_matching_visible_clients(query, expected, segmented, as_manager):
    response = as_manager.get(LIST_URL, query)

    assert names(response) == expected


def test_effective_tier_uses_the_override_both_ways(segmented, as_director):
    """Delta is computed gold but overridden to bronze; Charlie computed bronze, overridden to silver."""
    gold = as_director.get(LIST_URL, {"tier": "gold"})
    bronze = as_director.get(LIST_URL, {"tier": "bronze"})

    assert names(gold) == ["Alpha", "Golf"]
    assert names(bronze) == ["Delta", "Foxtrot"]


def test_override_counts_for_a_client_the_nightly_run_has_not_seen(segmented, manager, as_manager):
    TierOverride.objects.create(client=segmented["Echo"], tier="gold", reason="Opens doors")

    gold = as_manager.get(LIST_URL, {"tier": "gold"})
    unseen = as_manager.get(LIST_URL, {"category": "none"})

    assert names(gold) == ["Alpha", "Echo"]
    assert names(unseen) == ["Echo", "Foxtrot"]
    assert segment_cells(cells(gold)["Echo"]) == ["—", "Gold *", "", "—", "—", "—", "—"]


@pytest.mark.parametrize("named", [1000, 1])
@pytest.mark.parametrize(
    ("tier", "expected"),
    [("gold", ["Alpha", "Echo", "Golf"]), ("silver", ["Bravo", "Charlie"]), ("bronze", ["Delta", "Foxtrot"])],
)
def test_tier_filter_is_the_same_whether_it_names_the_overrides_or_tests_each_client(
    named, tier, expected, segmented, as_director, monkeypatch
):
    """Three overrides: past one, the filter tests every client for an override instead."""
    TierOverride.objects.create(client=segmented["Echo"], tier="gold", reason="Opens doors")
    monkeypatch.setattr(tiers, "OVERRIDES_NAMED", named)

    response = as_director.get(LIST_URL, {"tier": tier})

    assert names(response) == expected


def test_director_combines_segment_and_manager_filters(segmented, as_director, manager, outsider):
    everyone = as_director.get(LIST_URL, {"category": "A", "key": "yes"})
    outsiders = as_director.get(LIST_URL, {"category": "A", "manager": outsider.pk})
    managers = as_director.get(LIST_URL, {"category": "none", "manager": manager.pk})

    assert names(everyone) == ["Alpha", "Golf"]
    assert names(outsiders) == ["Golf"]
    assert names(managers) == ["Echo", "Foxtrot"]


def test_team_member_sees_team_clients_under_segment_filters(segmented, outsider, browser_for):
    teammate = ManagerFactory(username="teammate2")
    TeamMemberFactory(client=segmented["Bravo"], user=teammate)
    ClientFactory(name="Hotel", responsible_manager=teammate)

    response = browser_for(teammate).get(LIST_URL, {"category": "none"})
    lost = browser_for(teammate).get(LIST_URL, {"purchases": "lost"})

    assert names(response) == ["Hotel"]
    assert names(lost) == ["Bravo"]


@pytest.mark.parametrize(
    "query",
    [
        {"category": "E"},
        {"tier": "platinum"},
        {"league": "x"},
        {"size": "huge"},
        {"purchases": "1"},
        {"key": "maybe"},
    ],
)
def test_unknown_segment_filter_values_are_reported_and_ignored(query, segmented, as_manager):
    response = as_manager.get(LIST_URL, query)

    assert names(response) == ALL_MINE
    assert "Some filters were not understood and were ignored." in response.content.decode()


def test_segment_columns_show_badges_and_dashes_without_a_segment(segmented, as_manager):
    rows = cells(as_manager.get(LIST_URL))

    # category, tier, key, potential, revenue, share of wallet, purchases
    assert segment_cells(rows["Alpha"]) == ["A", "Gold", "key", "—", ZERO, "—", "At risk"]
    assert segment_cells(rows["Bravo"]) == ["B", "Silver", "", "—", ZERO, "—", "Lost"]
    assert segment_cells(rows["Charlie"]) == ["C", "Silver *", "", "—", ZERO, "—", "Won back"]
    assert segment_cells(rows["Delta"]) == ["D", "Bronze *", "", "—", ZERO, "—", ""]
    assert segment_cells(rows["Echo"]) == ["—", "—", "", "—", "—", "—", "—"]
    assert segment_cells(rows["Foxtrot"]) == ["—", "Bronze", "", "—", ZERO, "—", ""]


def test_segment_filters_render_in_the_form(segmented, as_manager):
    html = as_manager.get(LIST_URL).content.decode()

    for name in ["category", "tier", "league", "size", "purchases", "key"]:
        assert f'name="{name}"' in html
    assert '<option value="none">No category yet</option>' in html
    assert '<option value="won_back">Won back</option>' in html


def test_htmx_fragment_keeps_the_segment_columns(segmented, as_manager):
    response = as_manager.get(LIST_URL, {"tier": "silver"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.strip().startswith('<div id="results">')
    assert [[row[0], row[2], *segment_cells(row)] for row in cells(response).values()] == [
        ["Bravo", "Anna Smirnova", "B", "Silver", "", "—", ZERO, "—", "Lost"],
        ["Charlie", "Anna Smirnova", "C", "Silver *", "", "—", ZERO, "—", "Won back"],
    ]


@pytest.fixture
def many_in_c(manager):
    """60 category-C clients of the manager and 10 that the nightly run has not seen yet."""
    ClientFactory.reset_sequence(0)
    clients = ClientFactory.create_batch(70, responsible_manager=manager, industry=None)
    for client in clients[:60]:
        segment(client, category="C", tier="bronze")
    return [c.name for c in clients[:60]], [c.name for c in clients[60:]]


@pytest.mark.parametrize(
    "persona",
    [
        "manager",
        # Committed, as a request's changes are: the filters' version is read outside a
        # transaction only, and with it the director's list by category comes from the queries
        # kept for the value, its first page down the segments' own index.
        pytest.param("director", marks=pytest.mark.django_db(transaction=True)),
    ],
)
def test_keyset_pages_follow_each_other_under_a_segment_filter(persona, many_in_c, request, browser_for):
    ChoicesVersion.objects.get_or_create(pk=1)  # a flushed database (a transactional test's) lacks it
    in_c, _unseen = many_in_c
    browser = browser_for(request.getfixturevalue(persona))

    first = browser.get(LIST_URL, {"category": "C"})
    second = browser.get(LIST_URL, {"category": "C", "after": first.context["page"].next_cursor})
    back = browser.get(LIST_URL, {"category": "C", "before": second.context["page"].previous_cursor})

    assert names(first) == in_c[:50]
    assert names(second) == in_c[50:]
    assert second.context["page"].next_cursor == ""
    assert names(back) == in_c[:50]
    assert "60 clients" in first.content.decode()
    cursor = first.context["page"].next_cursor
    assert f'href="?category=C&after={cursor}"' in first.content.decode()
    if persona == "director":
        (kept,) = client_views._FILTERED.values()
        assert bool(kept.every_first._compiled) is (
            connection.vendor == "postgresql"
        )  # SQLite merges in Python
        assert not kept.narrows(request.getfixturevalue(persona))


def test_no_category_filter_pages_through_clients_without_segments(many_in_c, as_manager):
    _in_c, unseen = many_in_c

    response = as_manager.get(LIST_URL, {"category": "none"})

    assert names(response) == unseen
    assert "10 clients" in response.content.decode()


def test_capped_count_under_a_segment_filter(many_in_c, as_manager, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 10)

    filtered = as_manager.get(LIST_URL, {"category": "C"})
    unseen = as_manager.get(LIST_URL, {"category": "none"})

    assert "More than 10 clients" in filtered.content.decode()
    assert (unseen.context["page"].total, unseen.context["page"].total_capped) == (10, False)


def _segmented_rows(count, manager=None):
    for _index in range(count):
        client = ClientFactory(responsible_manager=manager or ManagerFactory())
        segment(client, category="A", tier="gold", league="first", size_class="large", lost_status="lost")
        KeyStatus.objects.create(client=client, is_key=True, reasons=["strategic"])
        TierOverride.objects.create(client=client, tier="silver", reason="Image")
        PointFactory(client=client, is_head_office=True)


@pytest.mark.parametrize(
    ("query", "queries"),
    # the segment columns and filters ride on the page's queries (its keys, then its rows by pk): the
    # same 5 as the plain list, and one for a tier filter, which reads the overrides first
    # (however many there are)
    [({}, 5), ({"category": "A", "tier": "silver", "key": "yes", "purchases": "lost"}, 6)],
)
def test_list_with_segment_columns_query_count_does_not_grow(
    query, queries, director, browser_for, assert_queries
):
    browser = browser_for(director)
    _segmented_rows(1)
    ClientFactory(name="Unseen", responsible_manager=None)
    response = assert_queries(queries, lambda: browser.get(LIST_URL, query))
    assert len(names(response)) == (2 if not query else 1)
    _segmented_rows(49)

    response = assert_queries(queries, lambda: browser.get(LIST_URL, query))

    assert len(names(response)) == 50


def test_manager_list_with_segment_columns_query_count_does_not_grow(manager, browser_for, assert_queries):
    # the director's 5: a manager on no account team has their own clients alone to count
    queries = 5
    browser = browser_for(manager)
    _segmented_rows(1, manager)
    response = assert_queries(queries, lambda: browser.get(LIST_URL, {"key": "yes"}))
    assert len(names(response)) == 1
    _segmented_rows(49, manager)

    response = assert_queries(queries, lambda: browser.get(LIST_URL, {"key": "yes"}))

    assert len(names(response)) == 50
    assert Client.objects.count() == 50


@pytest.fixture
def figures(manager):
    """Three clients with the nightly run's figures, and one it has not seen yet."""
    rows = [("Big", 900, 500, 40), ("Mid", 300, 700, 90), ("Small", 100, 0, None)]
    for name, potential, revenue, wallet in rows:
        segment(
            ClientFactory(name=name, responsible_manager=manager),
            potential=potential,
            revenue=revenue,
            wallet_share=wallet,
        )
    ClientFactory(name="Unseen", responsible_manager=manager)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-potential", ["Big", "Mid", "Small", "Unseen"]),
        ("potential", ["Unseen", "Small", "Mid", "Big"]),
        ("-revenue", ["Mid", "Big", "Small", "Unseen"]),
        ("wallet", ["Small", "Unseen", "Big", "Mid"]),  # no share yet, then the smallest share
        ("-wallet", ["Mid", "Big", "Unseen", "Small"]),
    ],
)
def test_the_list_sorts_by_the_segment_figures(figures, as_manager, sort, expected):
    assert names(as_manager.get(LIST_URL, {"sort": sort})) == expected


def test_the_figures_show_in_their_columns(figures, as_manager):
    rows = cells(as_manager.get(LIST_URL, {"sort": "-potential"}))

    assert [rows[name][6:9] for name in ["Big", "Mid", "Small", "Unseen"]] == [
        ["900", "500", "40%"],
        ["300", "700", "90%"],
        ["100", "0", "—"],
        ["—", "—", "—"],
    ]


@pytest.mark.parametrize("sort", ["-potential", "potential"])
def test_a_figure_sorted_list_pages_across_the_clients_without_it(manager, as_manager, sort):
    """30 clients with a potential and 25 without (no segment, or none estimated): the 55 over
    two pages of 50 in order, each once, whichever way the list is sorted."""
    for number in range(30):
        segment(ClientFactory(name=f"Has {number:02d}", responsible_manager=manager), potential=number + 1)
    for number in range(25):
        client = ClientFactory(name=f"Lacks {number:02d}", responsible_manager=manager)
        if number % 2:
            segment(client, potential=None)
    with_it = [f"Has {number:02d}" for number in range(29, -1, -1)]
    without = [c.name for c in Client.objects.filter(name__startswith="Lacks").order_by("-pk")]
    expected = with_it + without if sort.startswith("-") else without[::-1] + with_it[::-1]

    first = as_manager.get(LIST_URL, {"sort": sort})
    after = first.context["page"].next_cursor
    second = as_manager.get(LIST_URL, {"sort": sort, "after": after})

    assert names(first) + names(second) == expected
    assert len(names(first)) == 50
    assert second.context["page"].next_cursor == ""
