"""The win-back list: lost silver, gold and key clients, worst first, each with why it is lost
and its refusals; directors see all, managers theirs; constant queries."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from segmentation.models import ClientSegment, KeyStatus, TierOverride
from tests.factories import ClientFactory, RefusalFactory

pytestmark = pytest.mark.django_db
URL = reverse("plans:win_back")


def lost(name, tier, potential, manager, *, key=False, status="lost"):
    client = ClientFactory(name=name, responsible_manager=manager)
    ClientSegment.objects.create(
        client=client,
        tier=tier,
        potential=Decimal(potential),
        lost_status=status,
        last_purchase=date.today() - timedelta(days=200),
        usual_interval=Decimal(30),
    )
    if key:
        KeyStatus.objects.create(client=client, is_key=True, reasons=["potential"])
    return client


@pytest.fixture
def base(manager, outsider):
    clients = {
        "silver": lost("Silver Big", "silver", 900, manager),
        "gold": lost("Gold Small", "gold", 100, manager),
        "key": lost("Key Bronze", "bronze", 10, outsider, key=True),
        "gold2": lost("Gold Big", "gold", 500, outsider),
        "bronze": lost("Plain Bronze", "bronze", 9999, manager),
        "at_risk": lost("Gold At Risk", "gold", 999, manager, status="at_risk"),
        "overridden": lost("Overridden", "bronze", 50, manager),
    }
    TierOverride.objects.create(client=clients["overridden"], tier="silver", reason="Image client")
    RefusalFactory(client=clients["gold"], date=date.today() - timedelta(days=10))
    RefusalFactory(client=clients["gold"], date=date.today() - timedelta(days=400))
    return clients


def names(response):
    return [row.client.name for row in response.context["rows"]]


def test_directors_see_every_lost_silver_gold_or_key_client_worst_first(base, as_director):
    response = as_director.get(URL)

    assert names(response) == ["Key Bronze", "Gold Big", "Gold Small", "Silver Big", "Overridden"]
    row = response.context["rows"][2]
    assert (row.refusals, row.is_key) == (1, False)
    assert str(row.lost) == "Lost — no purchase for 200 days; usual interval 30 days"


def test_a_manager_sees_their_own(base, as_manager):
    assert names(as_manager.get(URL)) == ["Gold Small", "Silver Big", "Overridden"]


def test_access(client, as_manager):
    assert as_manager.post(URL).status_code == 405
    as_manager.logout()
    assert client.get(URL).url == f"/login/?next={URL}"


@pytest.mark.parametrize("count", [1, 50])
def test_constant_queries(director, as_director, assert_queries, count):
    for n in range(count):
        client = lost(f"Client {n:02d}", "gold", n, director)
        RefusalFactory(client=client, date=date.today())
    response = assert_queries(9, lambda: as_director.get(URL))
    assert len(response.context["rows"]) == count


def test_each_row_shows_the_state_of_its_win_back_plan(base, director, manager, as_director):
    from plans.models import PlanStep
    from plans.services import plan_create

    plan = plan_create(client=base["gold"], kind="win_back", by=director)
    first = plan.steps.order_by("position").first()
    PlanStep.objects.filter(pk=first.pk).update(done_on=date.today())

    response = as_director.get(URL)

    rows = {row.client.name: row for row in response.context["rows"]}
    assert rows["Gold Small"].plan == plan
    assert rows["Gold Small"].progress == 20
    assert rows["Silver Big"].plan is None
    assert "Active, 20% done" in response.content.decode()
