"""The base's totals as the last run kept them, read alone or with the policy."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from segmentation.models import ClientSegment, NightlyRun, Policy
from segmentation.segments.totals import Totals, policy_and_totals, run_totals
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

KEPT = {"clients": 9, "active": 8, "revenue": "1200.50", "potential": "4000"}


def _run(status=NightlyRun.Status.SUCCESS, totals=KEPT, days_ago=0):
    started = timezone.now() - timedelta(days=days_ago)
    run = NightlyRun.objects.create(run_on=started.date(), status=status, totals=totals)
    NightlyRun.objects.filter(pk=run.pk).update(started_at=started)  # past its auto_now_add
    return run


def test_the_policy_comes_with_the_last_run_s_totals_in_one_query(policy, assert_queries):
    policy.gold_share = Decimal(30)
    policy.save()
    _run(totals={**KEPT, "potential": "1"}, days_ago=2)
    kept = _run(days_ago=1)
    _run(status=NightlyRun.Status.FAILED, totals={**KEPT, "potential": "2"})
    _run(totals={})  # a run that kept no totals

    read, totals = assert_queries(1, policy_and_totals)

    assert read.version() == Policy.current().version()
    assert read.gold_share == Decimal(30)
    assert totals == Totals(9, Decimal("1200.50"), Decimal(4000), active=8, run=kept.pk)
    assert totals == run_totals()


def test_without_a_run_that_kept_totals_they_are_counted_over_the_segments(policy, assert_queries):
    ClientSegment.objects.create(client=ClientFactory(), revenue=Decimal(100), potential=Decimal(300))
    ClientSegment.objects.create(client=ClientFactory(), revenue=Decimal(20), potential=Decimal(0))
    _run(status=NightlyRun.Status.FAILED)

    read, totals = assert_queries(2, policy_and_totals)

    assert read.pk == policy.pk
    assert totals == Totals(2, Decimal(120), Decimal(300), active=None, run=None)
    assert totals == run_totals()


def test_without_a_policy_yet_it_is_created_as_policy_current_does(db):
    Policy.objects.all().delete()
    kept = _run()

    read, totals = policy_and_totals()

    assert Policy.objects.get().version() == read.version()
    assert totals.run == kept.pk
