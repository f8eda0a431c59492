"""The card's history tab with what segmentation keeps: key status, tier overrides, estimates and
segment changes with their run; newest first, a page at a time."""

import datetime
from functools import partial
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.audit import Source
from accounts.extensions import history_sources
from segmentation.keys import services as keys
from segmentation.models import ClientSegment, NightlyRun, PotentialEstimate, SegmentChange
from tests.factories import ClientFactory, ProductGroupFactory

pytestmark = pytest.mark.django_db


def history_url(client):
    return reverse("accounts:client_history", args=[client.pk])


def run_at(days_ago: int) -> NightlyRun:
    run = NightlyRun.objects.create(run_on=datetime.date(2026, 6, 15), status=NightlyRun.Status.SUCCESS)
    NightlyRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - datetime.timedelta(days=days_ago))
    run.refresh_from_db()
    return run


def entries(response):
    return [
        (e.subject, e.action, [(c.field, c.old, c.new) for c in e.changes])
        for e in response.context["entries"]
    ]


@pytest.fixture
def decided(client_card, director, english):
    """A run moved the client to gold; a director overrode its tier, granted and revoked key status."""
    ClientFactory.create_batch(10)
    run = run_at(3)
    SegmentChange.objects.create(run=run, client=client_card, kind="tier", old="silver", new="gold")
    SegmentChange.objects.create(run=run, client=client_card, kind="category", old="C", new="B")
    ClientSegment.objects.create(client=client_card, tier="gold")
    keys.tier_override_set(client=client_card, tier="silver", reason="Image client", by=director)
    keys.key_grant(client=client_card, reasons=["image", "potential"], note="Meeting 12", by=director)
    keys.key_revoke(client=client_card, note="Lost the tender", by=director)
    keys.tier_override_clear(client=client_card, reason="Back to the rule", by=director)
    return run


def test_history_shows_key_status_overrides_and_the_run_newest_first(as_director, client_card, decided):
    response = as_director.get(history_url(client_card))

    mine = [e for e in entries(response) if not e[0].startswith("Card")]
    assert mine == [
        ("Tier override", "cleared", [("Why", "—", "Back to the rule")]),
        (
            "Key status",
            "revoked",
            [
                ("Key client", "yes", "no"),
                ("Reasons", mine[1][2][1][1], "—"),
                ("Note", "Meeting 12", "Lost the tender"),
            ],
        ),
        (
            "Key status",
            "granted",
            [("Key client", "—", "yes"), ("Reasons", "—", mine[2][2][1][2]), ("Note", "—", "Meeting 12")],
        ),
        ("Tier override", "set", [("Tier", "—", "Silver"), ("Reason", "—", "Image client")]),
        (
            "Segments: nightly run of 15 Jun 2026",
            "recomputed",
            [("Category", "C", "B"), ("Tier", "Silver", "Gold")],
        ),
    ]
    assert mine[2][2][1][2] == "Potential sales volume or profitability, Image client: known, opens doors"


def test_the_run_links_to_the_runs_log_only_for_those_who_read_it(
    browser_for, admin_user, manager, client_card, decided
):
    as_admin = browser_for(admin_user)
    admin_page = as_admin.get(history_url(client_card))
    manager_entries = browser_for(manager).get(history_url(client_card)).context["entries"]

    run_entry = next(e for e in admin_page.context["entries"] if e.subject.startswith("Segments"))
    assert run_entry.link == f"{reverse('segmentation:run_list')}#run-{decided.pk}"
    assert [e.link for e in manager_entries] == [""] * len(manager_entries)
    assert (
        f'<a href="{run_entry.link}">Segments: nightly run of 15 Jun 2026</a>' in admin_page.content.decode()
    )


def test_history_shows_estimates_added_changed_and_deleted(as_manager, client_card, manager, english):
    group = ProductGroupFactory(name="Cables")
    estimate = PotentialEstimate.objects.create(
        client=client_card, product_group=group, amount=1000, source="survey", estimated_on="2026-06-01"
    )
    estimate.amount = 2500
    estimate.save()
    estimate.delete()

    found = [e for e in entries(as_manager.get(history_url(client_card))) if e[0].startswith("Potential")]

    assert [(subject, action) for subject, action, _c in found] == [
        ("Potential estimate: Cables", "deleted"),
        ("Potential estimate: Cables", "changed"),
        ("Potential estimate: Cables", "added"),
    ]
    assert found[1][2] == [("Yearly purchases, all suppliers", "1,000\xa0RUB", "2,500\xa0RUB")]


def test_history_pages_by_fifty_without_losing_or_repeating(as_director, client_card):
    for days in range(60, 0, -1):
        SegmentChange.objects.create(
            run=run_at(days), client=client_card, kind="tier", old="bronze", new="silver"
        )

    first = as_director.get(history_url(client_card))
    second = as_director.get(history_url(client_card), {"before": first.context["next_cursor"]})

    seen = first.context["entries"] + second.context["entries"]
    assert len(first.context["entries"]) == 50
    assert second.context["next_cursor"] == ""
    assert [e.at for e in seen] == sorted({e.at for e in seen}, reverse=True)
    assert len([e for e in seen if e.subject.startswith("Segments")]) == 60
    assert "Older" in first.content.decode()
    assert "Newest" in second.content.decode()


def test_the_pages_are_the_newest_entries_of_every_source_merged(as_director, client_card, director):
    """Two sources with an entry at each of 40 instants, and entries of three more sources newer
    than them: the two pages hold what building every source's every entry and sorting them would
    give, none lost or repeated, and the instant at the first page's end is not split."""
    estimate = PotentialEstimate.objects.create(
        client=client_card,
        product_group=ProductGroupFactory(),
        amount=1,
        source="survey",
        estimated_on="2026-06-01",
    )
    for days in range(40, 0, -1):
        run = run_at(days)
        SegmentChange.objects.create(run=run, client=client_card, kind="tier", old="bronze", new="gold")
        estimate.amount = days
        estimate.save()
        estimate.history.filter(pk=estimate.history.latest().pk).update(history_date=run.started_at)
    keys.tier_override_set(client=client_card, tier="gold", reason="Image client", by=director)
    sources = [
        *audit.CORE_SOURCES,
        *(Source(s.dates, partial(s.entries, SimpleNamespace(user=director))) for s in history_sources()),
    ]
    every = sorted((e.at, e.subject) for source in sources for e in source.entries(client_card, None, 1000))

    first = as_director.get(history_url(client_card))
    second = as_director.get(history_url(client_card), {"before": first.context["next_cursor"]})

    pages = [[(e.at, e.subject) for e in r.context["entries"]] for r in (first, second)]
    newest = sorted(every, reverse=True)
    assert newest[49][0] == newest[50][0]  # the 50th and 51st entries share an instant: 49 shown
    assert len(pages[0]) == 49
    assert second.context["next_cursor"] == ""
    assert {at for at, _s in pages[0]}.isdisjoint(at for at, _s in pages[1])
    assert sorted(pages[0] + pages[1]) == every
    assert [at for at, _s in pages[0] + pages[1]] == sorted((at for at, _s in every), reverse=True)


def test_a_malformed_cursor_shows_the_first_page(as_director, client_card):
    first = as_director.get(history_url(client_card))

    broken = as_director.get(history_url(client_card), {"before": "not-a-cursor\x00"})

    assert broken.status_code == 200
    assert [e.at for e in broken.context["entries"]] == [e.at for e in first.context["entries"]]


# the session with the user, their roles, permissions and badge, the client (with whether the
# director is on its account team); one query for when every source's entries happened; then the
# sources on the page: the card, the override and the estimates (rows, earlier versions, users or
# product groups), the runs and their changes. At 50 the page holds only the overrides and the
# runs: fewer sources, fewer queries.
@pytest.mark.parametrize(("rows", "queries"), [(1, 14), (50, 8)])
def test_history_query_count_does_not_grow(as_director, client_card, director, assert_queries, rows, queries):
    group = ProductGroupFactory(name="Cables")
    for index in range(rows):
        SegmentChange.objects.create(
            run=run_at(index + 1), client=client_card, kind="tier", old="bronze", new="gold"
        )
        keys.tier_override_set(client=client_card, tier="gold", reason=f"Reason {index}", by=director)
    PotentialEstimate.objects.create(
        client=client_card, product_group=group, amount=1000, source="survey", estimated_on="2026-06-01"
    )

    response = assert_queries(queries, lambda: as_director.get(history_url(client_card)))

    assert len(response.context["entries"]) == min(2 * rows + 2, 50)  # + the card and the estimate


def test_history_of_another_managers_client_is_not_found(as_outsider, client_card, decided):
    assert as_outsider.get(history_url(client_card)).status_code == 404
