"""The migration that made our own locations data: the policy's region codes become locations."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("segmentation", "0004_policy_no_touch_days")]
AFTER = [("segmentation", "0005_own_locations")]


def migrate(targets: list[tuple[str, str]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_own_regions_become_active_branches_named_after_their_regions():
    old = migrate(BEFORE).loader.project_state(BEFORE).apps
    old.get_model("segmentation", "Policy").objects.update_or_create(
        pk=1, defaults={"own_regions": "RU-KYA, ru-mow, XX-YY, RU, RU-KYA"}
    )
    try:
        new = migrate(AFTER).loader.project_state(AFTER).apps
        locations = new.get_model("segmentation", "OwnLocation").objects.order_by("region")
        rows = list(locations.values_list("name", "kind", "country", "region", "is_active"))
        history = new.get_model("segmentation", "HistoricalOwnLocation").objects.count()
    finally:
        leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
        MigrationExecutor(connection).migrate(leaves)

    assert rows == [
        ("Krasnoyarsk Krai", "branch", "RU", "RU-KYA", True),
        ("Moscow", "branch", "RU", "RU-MOW", True),
    ]
    assert history == 2
