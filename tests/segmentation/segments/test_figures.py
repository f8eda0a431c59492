"""The figures the nightly run keeps for the dashboard and the ladder: exact on a small base, the
same as counting live, and who became at risk or lost counted once a month."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection

from accounts.models import Client, Refusal
from segmentation.dashboard import selectors
from segmentation.models import NightlyRun, PotentialEstimate, SegmentChange, Tier, TierOverride
from segmentation.segments import engine, figures
from tests.factories import ClientFactory, PointFactory, ProductGroupFactory, RefusalFactory, SaleFactory

pytestmark = pytest.mark.django_db
TODAY = date(2026, 6, 15)


def with_revenue(amount: int, estimate: int | None = None) -> Client:
    client, group = ClientFactory(), ProductGroupFactory()
    if amount:
        SaleFactory(client=client, product_group=group, date=TODAY - timedelta(days=10), amount=amount)
    if estimate is not None:
        PotentialEstimate.objects.create(
            client=client, product_group=group, amount=estimate, source="survey", estimated_on=TODAY
        )
    return client


@pytest.fixture
def small_base():
    """Four clients with revenue (two with an estimate) and one with a point of presence only."""
    top = with_revenue(600, estimate=600)  # buys a lot, the whole wallet: B
    with_revenue(300, estimate=3000)  # buys a lot, room to grow: A
    with_revenue(60)
    with_revenue(40)
    PointFactory(client=ClientFactory())
    return top


def test_the_run_keeps_the_figures_of_its_base(small_base):
    run = engine.recompute(today=TODAY)

    kept = run.figures
    assert kept["categories"] == {"A": [1, "300.00"], "B": [1, "600.00"], "": [3, "100.00"]}
    assert sum(kept["tiers"].values()) == 5
    assert sum(kept["leagues"].values()) == sum(kept["sizes"].values()) == sum(kept["lost"].values()) == 5
    assert kept["lost"] == {"active": 4, "": 1}
    assert kept["pareto"] == [[1, "600.00"], [2, "300.00"], [3, "60.00"], [4, "40.00"]]
    assert kept["became"] == {"at_risk": 0, "lost": 0}


def test_the_kept_figures_are_what_counting_live_finds(small_base):
    engine.recompute(today=TODAY)
    kept = figures.run_figures()

    assert kept is not None
    assert selectors.abcd_matrix(kept) == selectors.abcd_matrix()
    assert selectors.tiers(kept) == selectors.tiers()
    assert selectors.leagues(kept) == selectors.leagues()
    assert selectors.pareto(figures=kept) == selectors.pareto()


def test_a_tier_override_counts_at_once_over_the_kept_tiers(small_base, director, assert_queries):
    engine.recompute(today=TODAY)
    kept = figures.run_figures()
    before = {s.value: s.clients for s in selectors.tiers(kept)}
    computed = small_base.segment.tier
    chosen = Tier.GOLD if computed != Tier.GOLD else Tier.SILVER
    TierOverride.objects.create(client=small_base, tier=chosen, reason="image client", decided_by=director)

    after = {s.value: s.clients for s in assert_queries(1, lambda: selectors.tiers(kept))}

    assert after[chosen] == before[chosen] + 1
    assert after[computed] == before[computed] - 1
    assert after == {s.value: s.clients for s in selectors.tiers()}


def test_no_run_no_figures():
    assert figures.run_figures() is None


def test_a_run_that_kept_no_figures_is_not_read():
    NightlyRun.objects.create(run_on=TODAY, status=NightlyRun.Status.SUCCESS)

    assert figures.run_figures() is None


def change(run: NightlyRun, client: Client, old: str, new: str) -> None:
    SegmentChange.objects.create(run=run, client=client, kind=SegmentChange.Kind.LOST, old=old, new=new)


def run_on(day: date) -> NightlyRun:
    return NightlyRun.objects.create(run_on=day, status=NightlyRun.Status.SUCCESS)


def became(run: NightlyRun) -> dict[str, int]:
    with connection.cursor() as cursor:
        return figures.became(cursor, run.pk, run.run_on)


def test_became_counts_a_client_once_a_month():
    a, b, c = ClientFactory.create_batch(3)
    may_3, may_10, may_20, june_1 = (
        run_on(day) for day in (date(2026, 5, 3), date(2026, 5, 10), date(2026, 5, 20), date(2026, 6, 1))
    )
    change(may_3, a, "active", "at_risk")
    change(may_3, b, "active", "at_risk")
    change(may_3, c, "", "lost")  # its first computation: not a change
    change(may_10, a, "at_risk", "active")
    change(may_20, a, "active", "at_risk")  # again in May: counted in May once
    change(may_20, b, "at_risk", "lost")
    change(june_1, a, "won_back", "at_risk")  # a new month counts again

    counts = [became(run) for run in (may_3, may_10, may_20, june_1)]

    assert counts == [
        {"at_risk": 2, "lost": 0},
        {"at_risk": 0, "lost": 0},
        {"at_risk": 0, "lost": 1},
        {"at_risk": 1, "lost": 0},
    ]


def test_the_months_summed_from_the_runs_are_the_live_distinct_count(assert_queries):
    a, b = ClientFactory.create_batch(2)
    runs = [run_on(date(2026, 5, 3)), run_on(date(2026, 5, 10)), run_on(date(2026, 6, 2))]
    change(runs[0], a, "active", "at_risk")
    change(runs[0], b, "active", "at_risk")
    change(runs[1], a, "lost", "at_risk")
    change(runs[1], b, "at_risk", "lost")
    change(runs[2], a, "at_risk", "lost")
    live = selectors.at_risk_and_lost(TODAY)
    for run in runs:
        run.figures = {"became": became(run)}
        run.save(update_fields=["figures"])

    kept = assert_queries(1, lambda: selectors.at_risk_and_lost(TODAY))

    assert kept == live
    assert [(m.month, m.at_risk, m.lost) for m in kept if m.at_risk or m.lost] == [
        (date(2026, 5, 1), 2, 1),
        (date(2026, 6, 1), 0, 1),
    ]


def test_a_run_without_figures_in_the_year_is_counted_live(assert_queries):
    a = ClientFactory()
    kept, old = run_on(date(2026, 6, 2)), run_on(date(2026, 5, 3))
    kept.figures = {"became": {"at_risk": 7, "lost": 0}}
    kept.save(update_fields=["figures"])
    change(old, a, "active", "at_risk")

    months = assert_queries(2, lambda: selectors.at_risk_and_lost(TODAY))

    assert [(m.month, m.at_risk) for m in months if m.at_risk] == [(date(2026, 5, 1), 1)]


def test_the_pareto_curve_is_kept_at_a_bounded_number_of_points():
    for n, client in enumerate(ClientFactory.create_batch(250)):
        SaleFactory(client=client, date=TODAY - timedelta(days=5), amount=Decimal(n + 1))

    run = engine.recompute(today=TODAY)

    assert len(run.figures["pareto"]) == figures.PARETO_BUCKETS
    assert run.figures["pareto"][-1][0] == 250


def test_the_run_keeps_the_refusals_of_the_quarters_before_its_own():
    client = ClientFactory()
    RefusalFactory(client=client, date=date(2026, 6, 1), reason=Refusal.Reason.PRICE)  # this quarter: live
    RefusalFactory(client=client, date=date(2026, 3, 31), reason=Refusal.Reason.PRICE)
    RefusalFactory(client=client, date=date(2026, 1, 2), reason=Refusal.Reason.PRICE)
    RefusalFactory(client=client, date=date(2026, 2, 2), reason=Refusal.Reason.SERVICE)
    RefusalFactory(client=client, date=date(2024, 4, 1), reason=Refusal.Reason.QUALITY)
    RefusalFactory(client=client, date=date(2024, 3, 31), reason=Refusal.Reason.QUALITY)  # 9 quarters back

    run = engine.recompute(today=TODAY)

    kept = run.figures["refusals"]
    assert kept["until"] == "2026-04-01"
    assert sorted(map(tuple, kept["counts"])) == [
        (2024, 2, "quality", 1),
        (2026, 1, "price", 2),
        (2026, 1, "service", 1),
    ]


def test_the_dashboards_refusals_are_the_runs_and_this_quarters_live(assert_queries):
    client = ClientFactory()
    RefusalFactory(client=client, date=date(2026, 3, 31), reason=Refusal.Reason.PRICE)
    RefusalFactory(client=client, date=date(2026, 4, 2), reason=Refusal.Reason.DELIVERY)
    engine.recompute(today=TODAY)
    kept = figures.run_figures()
    assert selectors.refusals(TODAY, figures=kept) == selectors.refusals(TODAY)
    RefusalFactory(client=client, date=TODAY, reason=Refusal.Reason.PRICE)  # since the run: counts
    RefusalFactory(client=client, date=date(2026, 1, 5), reason=Refusal.Reason.PRICE)  # the next run's

    result = assert_queries(1, lambda: selectors.refusals(TODAY, figures=kept))

    assert result["reasons"] == [Refusal.Reason.PRICE, Refusal.Reason.DELIVERY]
    assert [(q["year"], q["quarter"], q["counts"]) for q in result["quarters"]] == [
        (2026, 2, [1, 1]),
        (2026, 1, [1, 0]),
    ]
