"""The key candidates list, with the key clients against the cap and the managers' warnings.
Access, exact content, ordering, paging, query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import Client
from kam.pagination import decode_cursor, encode_cursor
from segmentation.keys import services
from segmentation.models import ClientSegment, KeyStatus, NightlyRun, Policy, TierOverride
from tests.factories import ClientFactory, ManagerFactory
from tests.segmentation.conftest import CANDIDATES_URL


def segment(client, **values):
    values.setdefault("tier", "bronze")
    return ClientSegment.objects.create(client=client, **values)


def candidate_names(response):
    return [row.client.name for row in response.context["page"].rows]


def key_names(response):
    return [row.client.name for row in response.context["keys"]]


# Access -------------------------------------------------------------------------------------


def test_manager_may_not_see_key_candidates(as_manager, policy):
    response = as_manager.get(CANDIDATES_URL)

    assert response.status_code == 403


@pytest.mark.parametrize("persona", ["as_director", "as_admin"])
def test_director_and_admin_see_key_candidates(persona, request, policy):
    response = request.getfixturevalue(persona).get(CANDIDATES_URL)

    assert response.status_code == 200
    assert "<h1" in response.content.decode()
    assert response.context["nav"] == "candidates"


# Key candidates ----------------------------------------------------------------------------


@pytest.fixture
def ranked(manager, outsider):
    """Candidates of every kind, and clients that must not be candidates."""
    make = {}

    def add(name, *, owner=manager, status=Client.Status.ACTIVE, **values):
        make[name] = ClientFactory(name=name, responsible_manager=owner, status=status)
        if values:
            segment(make[name], **values)
        return make[name]

    add("Big Revenue", tier="gold", potential=Decimal(1_000_000), revenue=Decimal(90_000_000))
    add("Big Potential", tier="silver", potential=Decimal(5_000_000), revenue=Decimal(0), category="C")
    add("Flagged", owner=outsider, tier="silver", potential=Decimal(100_000), league="premier")
    KeyStatus.objects.create(client=make["Flagged"], is_key=False, reasons=["image"])
    add("Two Flags", tier="silver", potential=Decimal(10))
    KeyStatus.objects.create(client=make["Two Flags"], is_key=False, reasons=["strategic", "competence"])
    add("Promoted", tier="bronze", potential=Decimal(2_000_000))
    TierOverride.objects.create(client=make["Promoted"], tier="gold", reason="Image client")
    add("Unseen Promoted")
    TierOverride.objects.create(client=make["Unseen Promoted"], tier="silver", reason="Opens doors")
    add("Demoted", tier="gold", potential=Decimal(9_000_000))
    TierOverride.objects.create(client=make["Demoted"], tier="bronze", reason="Shrinking")
    add("Bronze", tier="bronze", potential=Decimal(8_000_000))
    add("Inactive", status=Client.Status.INACTIVE, tier="gold", potential=Decimal(7_000_000))
    add("Key", tier="gold", potential=Decimal(6_000_000), category="A")
    KeyStatus.objects.create(client=make["Key"], is_key=True, reasons=["potential", "strategic"])
    return make


EXPECTED_ORDER = ["Two Flags", "Flagged", "Big Potential", "Promoted", "Big Revenue", "Unseen Promoted"]


def test_candidates_rank_by_flags_then_potential_never_revenue(ranked, as_director, policy):
    response = as_director.get(CANDIDATES_URL)

    assert candidate_names(response) == EXPECTED_ORDER


def test_candidate_with_more_revenue_but_less_potential_ranks_lower(ranked, as_director, policy):
    response = as_director.get(CANDIDATES_URL)

    names = candidate_names(response)
    assert names.index("Big Potential") < names.index("Big Revenue")


def test_candidate_rows_show_tier_flags_share_and_links(ranked, as_director, policy):
    response = as_director.get(CANDIDATES_URL)

    rows = {row.client.name: row for row in response.context["page"].rows}
    # all potential: 1m + 5m + 0.1m + 10 + 2m + 9m + 8m + 7m + 6m = 38,100,010
    assert (rows["Big Potential"].tier, rows["Big Potential"].potential_share) == ("silver", Decimal("13.1"))
    assert (rows["Promoted"].tier, rows["Promoted"].potential_share) == ("gold", Decimal("5.2"))
    assert (rows["Unseen Promoted"].tier, rows["Unseen Promoted"].potential_share) == ("silver", None)
    assert rows["Two Flags"].flags == ["Strategic importance", "Competence client: keeps our standards high"]
    assert rows["Flagged"].flags == ["Image client: known, opens doors"]
    html = response.content.decode()
    pk = ranked["Big Potential"].pk
    assert f'href="/clients/{pk}/">Big Potential</a>' in html
    assert f'href="{reverse("segmentation:key_decide", args=[pk])}"' in html
    assert "13.1%" in html
    assert "5,000,000" in html


def _candidate_row(html, client):
    start = html.index(f'href="/clients/{client.pk}/"')
    return html[html.rindex("<tr>", 0, start) : html.index("</tr>", start)]


def test_a_candidate_s_row_shows_what_changed_at_once(ranked, as_director, policy):
    """The rows are kept drawn by the values read (`kam.drawn_rows`) and the total potential."""
    first = as_director.get(CANDIDATES_URL).content.decode()
    big, revenue = ranked["Big Potential"], ranked["Big Revenue"]
    assert "13.1%" in _candidate_row(first, big)
    assert "Image client" not in _candidate_row(first, revenue)

    ClientSegment.objects.filter(client=big).update(potential=Decimal(24_100_010))
    KeyStatus.objects.create(client=revenue, is_key=False, reasons=["image"])
    revenue.responsible_manager.last_name = "Renamed"
    revenue.responsible_manager.save()
    again = as_director.get(CANDIDATES_URL).content.decode()

    # all potential: 38,100,010 - 5,000,000 + 24,100,010 = 57,200,020
    assert "42.1%" in _candidate_row(again, big)
    assert "24,100,010" in _candidate_row(again, big)
    assert "Image client: known, opens doors" in _candidate_row(again, revenue)
    assert "Renamed" in _candidate_row(again, revenue)
    # The others' shares are of the new total too.
    assert "3.5%" in _candidate_row(again, ranked["Promoted"])
    assert "5.2%" in _candidate_row(first, ranked["Promoted"])


def test_current_key_clients_are_listed_above_with_reasons(ranked, as_director, policy):
    response = as_director.get(CANDIDATES_URL)

    assert key_names(response) == ["Key"]
    key = response.context["keys"][0]
    assert (key.tier, key.flags) == (
        "gold",
        ["Potential sales volume or profitability", "Strategic importance"],
    )


def test_candidates_filter_by_responsible_manager(ranked, as_director, outsider, policy):
    response = as_director.get(CANDIDATES_URL, {"manager": outsider.pk})

    assert candidate_names(response) == ["Flagged"]


def test_the_unfiltered_first_page_s_keys_come_from_a_prepared_query(
    ranked, as_director, outsider, policy, monkeypatch
):
    """Where the database merges the keys (PostgreSQL), the page a director opens reads them by a
    query kept prepared; a filtered page by its own."""
    from segmentation.keys import selectors

    prepared, asked = selectors._FIRST.every, []

    def spied():
        asked.append("first")
        return prepared()

    monkeypatch.setattr(selectors._FIRST, "every", spied)

    assert candidate_names(as_director.get(CANDIDATES_URL)) == EXPECTED_ORDER
    assert candidate_names(as_director.get(CANDIDATES_URL, {"manager": outsider.pk})) == ["Flagged"]
    assert asked == (["first"] if connection.features.supports_slicing_ordering_in_compound else [])


def test_candidates_keyset_pages_follow_each_other(as_director, policy):
    """60 candidates: equal potentials tie by id, overridden ones interleave by potential."""
    clients = ClientFactory.create_batch(60)
    for index, client in enumerate(clients):
        if index % 10 == 0:
            segment(client, potential=Decimal(index // 2))
            TierOverride.objects.create(client=client, tier="silver", reason="Image")
        else:
            segment(client, tier="gold", potential=Decimal(index // 2))
    expected = [c.name for c in sorted(clients, key=lambda c: (-(clients.index(c) // 2), c.pk))]

    first = as_director.get(CANDIDATES_URL)
    second = as_director.get(CANDIDATES_URL, {"after": first.context["page"].next_cursor})

    assert candidate_names(first) == expected[:50]
    assert candidate_names(second) == expected[50:]
    assert second.context["page"].next_cursor == ""
    cursor = first.context["page"].next_cursor
    assert f'href="?after={cursor}"' in first.content.decode()


@pytest.mark.parametrize("cursor", ["garbage", "W10=", "WzEsICJ4IiwgMl0=", "WzEsICJOYU4iLCAyXQ==", "A" * 401])
def test_garbage_candidate_cursor_gives_the_first_page(cursor, ranked, as_director, policy):
    response = as_director.get(CANDIDATES_URL, {"after": cursor})

    assert response.status_code == 200
    assert candidate_names(response) == EXPECTED_ORDER


def test_rank_cursor_roundtrip():
    cursor = encode_cursor([2, Decimal("1234.50"), 7])

    assert decode_cursor(cursor, [int, Decimal, int]) == (2, Decimal("1234.50"), 7)
    assert decode_cursor("", [int, Decimal, int]) is None


def make_active(count):
    return ClientFactory.create_batch(count, status=Client.Status.ACTIVE)


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (10, "10 of 10 allowed (20% of 50 active clients)"),
        (11, "11 of 10 allowed (20% of 50 active clients)"),
        (0, "0 of 10 allowed (20% of 50 active clients)"),
    ],
)
def test_key_cap_line_is_exact(keys, expected, as_director, policy):
    active = make_active(50)
    ClientFactory.create_batch(3, status=Client.Status.INACTIVE)
    for client in active[:keys]:
        segment(client, tier="gold")
        KeyStatus.objects.create(client=client, is_key=True, reasons=["potential"])

    response = as_director.get(CANDIDATES_URL)

    assert f'id="key-cap">{expected}</span>' in response.content.decode()


def test_key_cap_rounds_down_and_follows_the_policy(as_director, policy):
    policy.key_cap_share = Decimal("12.5")
    policy.save()
    make_active(17)

    response = as_director.get(CANDIDATES_URL)

    assert 'id="key-cap">0 of 2 allowed (12.50% of 17 active clients)</span>' in response.content.decode()


@pytest.fixture
def loaded_kam(manager, outsider):
    """The manager holds four key clients and two small ones; the outsider one small key client
    (which is not "also" a small client)."""
    for index in range(4):
        client = ClientFactory(name=f"Key {index}", responsible_manager=manager)
        segment(client, tier="gold", potential=Decimal(1000 - index), size_class="large")
        KeyStatus.objects.create(client=client, is_key=True, reasons=["potential"])
    for name in ["Small 1", "Small 2"]:
        segment(ClientFactory(name=name, responsible_manager=manager), size_class="small")
    inactive = ClientFactory(name="Small gone", responsible_manager=manager, status=Client.Status.INACTIVE)
    segment(inactive, size_class="small")
    other = ClientFactory(name="Other key", responsible_manager=outsider)
    segment(other, tier="silver", potential=Decimal(10), size_class="small")
    KeyStatus.objects.create(client=other, is_key=True, reasons=["image"])
    orphan = ClientFactory(name="Orphan key", responsible_manager=None)
    segment(orphan, tier="silver", potential=Decimal(5))
    KeyStatus.objects.create(client=orphan, is_key=True, reasons=["image"])


def test_warnings_name_the_overloaded_kam_and_small_clients(loaded_kam, as_director, policy):
    response = as_director.get(CANDIDATES_URL)

    warnings = {row.client.name: row.warnings for row in response.context["keys"]}
    expected_manager = ["Holds 4 key clients, more than 3.", "Also carries 2 small clients."]
    assert warnings == {
        "Key 0": expected_manager,
        "Key 1": expected_manager,
        "Key 2": expected_manager,
        "Key 3": expected_manager,
        "Other key": [],
        "Orphan key": ["No responsible manager."],
    }
    assert "⚠ Holds 4 key clients, more than 3." in response.content.decode()


def test_warnings_follow_the_policy_limit(loaded_kam, as_director, policy):
    policy.key_per_manager = 4
    policy.save()

    response = as_director.get(CANDIDATES_URL)

    assert response.context["keys"][0].warnings == ["Also carries 2 small clients."]


def _candidates_and_keys(count):
    for _index in range(count):
        manager = ManagerFactory()
        candidate = ClientFactory(responsible_manager=manager)
        segment(candidate, tier="gold", potential=Decimal(100), category="A", league="first")
        KeyStatus.objects.create(client=candidate, is_key=False, reasons=["image"])
        promoted = ClientFactory(responsible_manager=manager)
        segment(promoted, potential=Decimal(50))
        TierOverride.objects.create(client=promoted, tier="silver", reason="Image")
        key = ClientFactory(responsible_manager=manager)
        segment(key, tier="silver", potential=Decimal(10), size_class="small")
        KeyStatus.objects.create(client=key, is_key=True, reasons=["strategic"])


def test_candidates_query_count_does_not_grow_with_rows(director, signed_in, policy, assert_queries):
    # the session with the user, their roles, permissions and unread badge, policy with the last
    # run's totals (no run kept them: then the count), candidates (the keys of four parts, marked,
    # overridden, unmarked gold and unmarked silver, in one UNION where the database orders a
    # compound, else a query each; then the page's rows), keys (with a potential, then without
    # unless 50 have one), their managers' kept loads, the cap (active clients, the loads' version
    # and the key clients: a test's request never commits, so the count is not kept), manager
    # filter choices; the first request after a change counts the loads again (two more)
    parts = 1 if connection.features.supports_slicing_ordering_in_compound else 4
    queries = 11 + parts
    browser = signed_in(director)
    _candidates_and_keys(1)
    assert_queries(queries + 2, lambda: browser.get(CANDIDATES_URL))
    response = assert_queries(queries, lambda: browser.get(CANDIDATES_URL))
    assert (len(candidate_names(response)), len(key_names(response))) == (2, 1)
    _candidates_and_keys(49)
    assert_queries(queries + 1, lambda: browser.get(CANDIDATES_URL))

    response = assert_queries(queries - 1, lambda: browser.get(CANDIDATES_URL))

    assert (len(candidate_names(response)), len(key_names(response))) == (50, 50)


def test_key_clients_biggest_potential_first_and_those_without_one_last_by_name(as_director, policy):
    for name, potential in [("Small", 10), ("Zed unestimated", None), ("Big", 20), ("Abe unestimated", None)]:
        key = ClientFactory(name=name)
        segment(key, tier="gold", potential=None if potential is None else Decimal(potential))
        KeyStatus.objects.create(client=key, is_key=True, reasons=["strategic"])
    ClientSegment.objects.filter(client__name="Zed unestimated").delete()  # no segment at all

    response = as_director.get(CANDIDATES_URL)

    assert key_names(response) == ["Big", "Small", "Abe unestimated", "Zed unestimated"]


def test_candidates_htmx_request_gets_only_the_rows(ranked, as_director, outsider, policy):
    response = as_director.get(CANDIDATES_URL, {"manager": outsider.pk}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert html.strip().startswith('<div id="rows">')
    assert "<form" not in html
    assert "Flagged" in html
    assert "Big Potential" not in html


def test_beyond_fifty_key_clients_the_page_shows_the_biggest_and_links_to_all(as_director, policy):
    policy.key_cap_share = 100
    policy.save()
    _candidates_and_keys(51)

    response = as_director.get(CANDIDATES_URL)

    assert len(key_names(response)) == 50
    assert f'href="{reverse("accounts:client_list")}?key=yes"' in response.content.decode()


# The key section kept between versions ----------------------------------------------------------


def key_section(response):
    content = response.content.decode()
    start = content.index('aria-labelledby="key-clients"')
    return content[start : content.index("</section>", start)]


def kept_run(potential="2000"):
    totals = {"clients": 9, "revenue": "0", "potential": potential, "active": 8}
    return NightlyRun.objects.create(run_on=date.today(), status=NightlyRun.Status.SUCCESS, totals=totals)


@pytest.fixture
def kept(loaded_kam, director, signed_in, policy, assert_queries):
    """The director's browser once the key section is kept: the first request tallies the loads,
    the second draws the section and keeps it. The cap is every active client: a grant is not
    refused for it."""
    policy.key_cap_share = 100
    policy.save()
    kept_run()
    browser = signed_in(director)
    browser.get(CANDIDATES_URL)
    browser.get(CANDIDATES_URL)
    return browser


def _grant(director, manager):
    client = ClientFactory(name="Newly key", responsible_manager=manager)
    segment(client, tier="gold", potential=Decimal(900), size_class="large")
    services.key_grant(client=client, reasons=["potential"], note="", by=director)


def _revoke(director, manager):
    services.key_revoke(client=Client.objects.get(name="Key 0"), note="Gone", by=director)


def _override(director, manager):
    client = Client.objects.get(name="Key 1")
    services.tier_override_set(client=client, tier="bronze", reason="Shrinking", by=director)


def _deactivate(director, manager):
    Client.objects.filter(name="Key 2").update(status=Client.Status.INACTIVE)


def _reassign(director, manager):
    Client.objects.filter(name="Orphan key").update(responsible_manager=manager)


def _new_run(director, manager):
    kept_run(potential="4000")


def _policy(director, manager):
    policy = Policy.current()
    policy.key_per_manager = 10
    policy.save()


@pytest.mark.parametrize(
    ("change", "before", "after"),
    [
        (_grant, "Newly key", None),
        (_revoke, None, ">Key 0<"),
        (_override, "Bronze", None),
        (_deactivate, None, None),
        (_reassign, None, "No responsible manager."),
        (_new_run, "25.0%", "50.0%"),
        (_policy, None, "more than 3"),
    ],
)
def test_the_key_section_is_drawn_again_after_each_change_and_kept_between(
    change, before, after, kept, director, manager, assert_queries
):
    # the session with the user, their roles, permissions and unread badge, policy with the run's
    # totals, the candidates' keys (every silver and gold client here is key: no rows to read), the loads'
    # version with the overrides' count and latest decision (one query), manager filter choices;
    # not the key clients, their loads or the cap
    parts = 1 if connection.features.supports_slicing_ordering_in_compound else 4
    shown = key_section(assert_queries(4 + parts, lambda: kept.get(CANDIDATES_URL)))
    assert "Key 0" in shown
    assert "Newly key" not in shown

    change(director, manager)
    redrawn = key_section(kept.get(CANDIDATES_URL))

    assert redrawn != shown
    if before is not None:
        assert before in redrawn
    if after is not None:
        assert after in shown
        assert after not in redrawn


def test_a_write_behind_the_services_back_stays_hidden_until_a_version_moves(kept, director):
    ClientSegment.objects.filter(client__name="Key 3").update(category="D")
    hidden = key_section(kept.get(CANDIDATES_URL))
    _new_run(director, None)

    redrawn = key_section(kept.get(CANDIDATES_URL))

    assert ">D<" not in hidden
    assert ">D<" in redrawn


def test_the_key_section_is_kept_per_language(kept, director):
    english = key_section(kept.get(CANDIDATES_URL))
    director.language = "ru"
    director.save()

    russian = key_section(kept.get(CANDIDATES_URL))

    assert "Key clients" in english
    assert "Ключевые клиенты" in russian
