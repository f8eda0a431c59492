"""A queryset's pks read from the one table its conditions are on (`kam.joins`), and the pager's
count that uses it."""

import pytest
from django.db.models import Count, F, Q

from accounts.models import Client
from kam import pagination
from kam.joins import pks_from_joined
from kam.pagination import count_query
from segmentation.models import Category, ClientSegment, Tier
from tests.factories import ClientFactory, PointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def base():
    """Six clients: gold A, gold B, silver A, silver B with a point in Moscow, bronze A, and one
    the nightly run has not seen (no segment)."""
    made = {}
    for name, tier, category in [
        ("gold-a", Tier.GOLD, Category.A),
        ("gold-b", Tier.GOLD, Category.B),
        ("silver-a", Tier.SILVER, Category.A),
        ("silver-b", Tier.SILVER, Category.B),
        ("bronze-a", Tier.BRONZE, Category.A),
    ]:
        made[name] = ClientFactory(name=name)
        ClientSegment.objects.create(client=made[name], tier=tier, category=category)
    made["unseen"] = ClientFactory(name="unseen")
    PointFactory(client=made["silver-b"], region="RU-MOW")
    return made


def pks(queryset):
    return sorted(queryset)


@pytest.mark.parametrize(
    ("condition", "names"),
    [
        (Q(segment__tier=Tier.GOLD), ["gold-a", "gold-b"]),
        (Q(segment__tier__in=[Tier.GOLD, Tier.SILVER], segment__category=Category.A), ["gold-a", "silver-a"]),
        (
            Q(segment__tier=Tier.GOLD) | Q(segment__category=Category.A),
            ["bronze-a", "gold-a", "gold-b", "silver-a"],
        ),
        (Q(segment__tier=Tier.SILVER) & ~Q(segment__category=Category.A), ["silver-b"]),
        (Q(segment__tier="platinum"), []),
    ],
)
def test_conditions_on_the_segment_alone_read_the_segments_alone(base, condition, names):
    clients = Client.objects.filter(condition)
    lean = pks_from_joined(clients)
    assert lean is not None
    sql = str(lean.query)
    assert '"accounts_client"' not in sql
    assert "JOIN" not in sql
    assert pks(lean) == sorted(base[name].pk for name in names)
    assert pks(lean) == pks(clients.values_list("pk", flat=True))


@pytest.mark.parametrize(
    "clients",
    [
        pytest.param(lambda: Client.objects.all(), id="no join"),
        pytest.param(
            lambda: Client.objects.filter(segment__tier=Tier.GOLD, status="active"), id="the client's own"
        ),
        pytest.param(lambda: Client.objects.filter(segment__isnull=True), id="outer join"),
        pytest.param(
            lambda: Client.objects.filter(Q(segment__tier=Tier.GOLD) | Q(name="unseen")), id="or the client"
        ),
        pytest.param(lambda: Client.objects.filter(points__region="RU-MOW"), id="many a client"),
        pytest.param(
            lambda: Client.objects.filter(segment__tier=Tier.GOLD, segment__category=F("segment__tier")),
            id="an expression",
        ),
        pytest.param(
            lambda: Client.objects.filter(segment__tier=Tier.GOLD).annotate(n=Count("points")), id="annotated"
        ),
        pytest.param(lambda: Client.objects.filter(segment__tier=Tier.GOLD).distinct(), id="distinct"),
        pytest.param(
            lambda: Client.objects.filter(segment__tier=Tier.GOLD, points__region="RU-MOW"), id="two joins"
        ),
        pytest.param(lambda: Client.objects.filter(segment__tier=Tier.GOLD)[:1], id="sliced"),
    ],
)
def test_anything_else_is_read_as_it_is(base, clients):
    assert pks_from_joined(clients()) is None


def test_the_pagers_count_reads_the_segments_alone_and_counts_alike(base):
    gold = Client.objects.filter(segment__tier=Tier.GOLD)
    counted = count_query(gold.order_by("name"))
    assert "accounts_client" not in str(counted.query)
    assert pks(counted) == sorted([base["gold-a"].pk, base["gold-b"].pk])
    own = count_query(gold.filter(status="active"))
    assert "accounts_client" in str(own.query)
    assert pks(own) == pks(counted)


def test_the_count_stops_one_past_the_cap(base, monkeypatch):
    category_a = Client.objects.filter(segment__category=Category.A)
    assert len(list(count_query(category_a))) == 3
    monkeypatch.setattr(pagination, "COUNT_CAP", 1)
    assert len(list(count_query(category_a))) == 2
