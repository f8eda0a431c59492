"""The estimates-to-do tallies start empty in each test here: the suite's tests that commit (a
live server's, a migration's) are flushed table by table, in an order that varies from process
to process, and on SQLite deleting their clients after a tally's rows fires its triggers again.
What that leaves is no client's; the tests here count exactly."""

import pytest

from segmentation.models import EstimateMonthTally, EstimateTally


@pytest.fixture(autouse=True)
def tallies_from_nothing(db: None) -> None:
    EstimateTally.objects.all().delete()  # its triggers take the months down with it
    EstimateMonthTally.objects.all().delete()
