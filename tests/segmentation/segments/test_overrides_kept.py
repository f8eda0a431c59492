"""The tier filter names the overridden clients, kept in the process for the filters' version
(`ChoicesVersion`), which every change of an override changes (segmentation migration 0039)."""

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import ChoicesVersion
from segmentation.models import ClientSegment, Tier, TierOverride
from segmentation.segments.tiers import named_overrides
from tests.factories import ClientFactory

LIST_URL = reverse("accounts:client_list")
# Committed, as a request's changes are: on PostgreSQL the version changes as a transaction
# commits, and inside one the list reads the overrides every time.
pytestmark = pytest.mark.django_db(transaction=True)


def version() -> int:
    return ChoicesVersion.objects.get().version


def segmented(name: str, tier: str) -> Any:
    client = ClientFactory(name=name)
    ClientSegment.objects.create(client=client, tier=tier)
    return client


@pytest.fixture
def world(db) -> dict[str, Any]:
    ChoicesVersion.objects.get_or_create(pk=1)  # a flushed database (a transactional test's) lacks it
    gold, silver = segmented("Gold Works", Tier.GOLD), segmented("Silver Works", Tier.SILVER)
    raised = TierOverride.objects.create(
        client=segmented("Raised Works", Tier.BRONZE), tier=Tier.GOLD, reason="x"
    )
    return {"gold": gold, "silver": silver, "raised": raised}


CHANGES: dict[str, Callable[[dict[str, Any]], Any]] = {
    "an override added": lambda w: TierOverride.objects.create(
        client=w["silver"], tier=Tier.GOLD, reason="y"
    ),
    "an override's tier changed": lambda w: TierOverride.objects.filter(pk=w["raised"].pk).update(
        tier=Tier.SILVER
    ),
    "an override removed": lambda w: TierOverride.objects.filter(pk=w["raised"].pk).delete(),
}


@pytest.mark.parametrize("change", CHANGES)
def test_each_change_of_an_override_changes_the_version(world, change):
    before = version()

    CHANGES[change](world)

    assert version() != before


def test_an_override_s_reason_leaves_the_version(world):
    before = version()

    TierOverride.objects.filter(pk=world["raised"].pk).update(reason="Opens doors")

    assert version() == before


def test_the_overrides_are_read_once_for_a_version_and_again_when_it_changes(
    world, django_assert_num_queries
):
    now = version()
    first = named_overrides(now)
    with django_assert_num_queries(0):
        assert named_overrides(now) is first

    TierOverride.objects.filter(pk=world["raised"].pk).update(tier=Tier.SILVER)

    changed = version()
    with django_assert_num_queries(1):
        assert named_overrides(changed) == [(world["raised"].pk, Tier.SILVER, world["raised"].pk)]
    with django_assert_num_queries(1):  # no version: read every time
        named_overrides()


def test_the_list_by_tier_reads_the_overrides_once_and_shows_a_change_at_once(
    world, director, browser_for, assert_queries
):
    # the session with the user (their columns and the filters' version with them), the choices,
    # the overrides, the count, the keys, the rows
    browser = browser_for(director)

    def gold() -> list[str]:
        response = browser.get(LIST_URL, {"tier": Tier.GOLD})
        return [client.name for client in response.context["page"].rows]

    assert assert_queries(6, gold) == ["Gold Works", "Raised Works"]
    assert assert_queries(4, gold) == ["Gold Works", "Raised Works"]  # the choices and overrides kept

    TierOverride.objects.create(client=world["silver"], tier=Tier.GOLD, reason="Opens doors")
    assert assert_queries(6, gold) == ["Gold Works", "Raised Works", "Silver Works"]

    TierOverride.objects.filter(pk=world["raised"].pk).delete()
    assert assert_queries(6, gold) == ["Gold Works", "Silver Works"]
    assert assert_queries(4, gold) == ["Gold Works", "Silver Works"]
