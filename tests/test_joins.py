"""A queryset's pks, and its keys in the name's order, read from the one table its conditions
are on (`kam.joins`); the pager's count and pages that use them; the client's name the segment
keeps in step with it (migration segmentation 0037)."""

import pytest
from django.db import connection
from django.db.models import Count, F, Q
from django.test.utils import CaptureQueriesContext

from accounts.models import Client
from kam import pagination
from kam.joins import keys_from_joined, pks_from_joined
from kam.pagination import count_query, first_page, keyset_page
from kam.prepared import Prepared
from segmentation.models import Category, ClientSegment, Tier
from segmentation.segments import engine
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


def test_the_segment_keeps_its_clients_name(base):
    """Inserted without it (any insert but the nightly run's), a segment takes its client's name;
    a renamed client renames its segment, through the ORM or a bulk update alike."""
    assert dict(ClientSegment.objects.values_list("client_id", "client_name")) == {
        client.pk: client.name for name, client in base.items() if name != "unseen"
    }
    gold = base["gold-a"]
    gold.name = "Zeta gold"
    gold.save()
    Client.objects.filter(pk=base["silver-b"].pk).update(name="Alpha silver")
    Client.objects.filter(pk=base["bronze-a"].pk).update(legal_name="Left alone")
    names = dict(ClientSegment.objects.values_list("client_id", "client_name"))
    assert names[gold.pk] == "Zeta gold"
    assert names[base["silver-b"].pk] == "Alpha silver"
    assert names[base["bronze-a"].pk] == "bronze-a"
    unseen = base["unseen"]
    ClientSegment.objects.create(client=unseen, tier=Tier.SILVER, client_name="Given")
    assert ClientSegment.objects.get(client=unseen).client_name == "Given"


@pytest.mark.parametrize(
    ("names", "mapped"),
    [(["name", "pk"], ["client_name", "client_id"]), (["pk"], ["client_id"])],
)
def test_keys_in_the_names_order_are_read_from_the_segments(base, names, mapped):
    gold = Client.objects.filter(segment__tier=Tier.GOLD)
    found = keys_from_joined(gold, names)
    assert found is not None
    lean, columns = found
    assert columns == mapped
    assert "accounts_client" not in str(lean.query)
    ordered = list(lean.order_by(*columns).values_list(*columns))
    assert ordered == list(gold.order_by(*names).values_list(*names))


def test_keys_of_a_field_the_segment_does_not_keep_are_not(base):
    gold = Client.objects.filter(segment__tier=Tier.GOLD)
    assert keys_from_joined(gold, ["legal_name", "pk"]) is None
    assert keys_from_joined(gold.filter(status="active"), ["name", "pk"]) is None


@pytest.mark.parametrize(
    "condition",
    [
        pytest.param(Q(segment__tier=Tier.GOLD), id="tier"),
        pytest.param(Q(segment__category=Category.A, segment__tier=Tier.SILVER), id="category and tier"),
        pytest.param(Q(segment__category=Category.B), id="category"),
        pytest.param(Q(segment__tier="platinum"), id="none"),
    ],
)
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("cap", [1000, 2])
def test_pages_read_from_the_segments_are_the_clients_in_the_names_order(
    condition, descending, cap, monkeypatch
):
    """Pages of three, forward and back, counted (only) under the cap or past it: the clients the
    condition selects in the name's order as their own table holds it, a renamed one in its new
    place at once, each page's keys read from the segments alone."""
    monkeypatch.setattr(pagination, "COUNT_CAP", cap)
    for n in range(12):
        client = ClientFactory(name=f"client {n:02}")
        tier = [Tier.GOLD, Tier.SILVER, Tier.BRONZE][n % 3]
        ClientSegment.objects.create(client=client, tier=tier, category=[Category.A, Category.B][n % 2])
    renamed = Client.objects.filter(condition).order_by("pk").first()
    if renamed is not None:
        Client.objects.filter(pk=renamed.pk).update(name="client 99")
    order = ["-name", "-pk"] if descending else ["name", "pk"]
    expected = list(Client.objects.filter(condition).order_by(*order).values_list("pk", flat=True))

    def page(**cursor):
        with CaptureQueriesContext(connection) as queries:
            found = keyset_page(
                Client.objects.filter(condition),
                order=order,
                size=3,
                read=Client.objects.order_by(),
                among=Client.objects.all(),
                **cursor,
            )
        keys = [q["sql"] for q in queries if "ORDER BY" in q["sql"]]
        assert all('"accounts_client"' not in sql for sql in keys), keys
        return found

    seen, found = [], page()
    assert (found.total, found.total_capped) == (min(len(expected), cap), len(expected) > cap)
    while True:
        seen.append([client.pk for client in found.rows])
        if not found.next_cursor:
            break
        found = page(after=found.next_cursor)
    assert [pk for rows in seen for pk in rows] == expected
    if len(seen) > 1:
        back = page(before=found.previous_cursor)
        assert [client.pk for client in back.rows] == seen[-2]


@pytest.mark.parametrize("narrow", [True, False])
def test_counted_under_the_cap_a_list_read_from_the_segments_opens_on_its_prepared_first_page(base, narrow):
    """Its pks counted (prepared) under the cap, the lone queryset is not narrowed to them (its
    keys come down the segments' index): the prepared first page stays, and with `narrow=False`
    the queryset is not even made."""
    gold = Client.objects.filter(segment__tier=Tier.GOLD)
    order, read = ["name", "pk"], Client.objects.all()
    prepared_first = Prepared(lambda: first_page([gold], order=order, size=1, read=True))
    counted = Prepared(lambda: count_query(gold))
    ran, made = [], []

    def first():
        ran.append(1)
        return prepared_first()

    def parts():
        made.append(1)
        return [gold]

    page = keyset_page(
        parts, order=order, size=1, read=read, among=read, first=first, counts=[counted.flat], narrow=narrow
    )

    assert ([c.name for c in page.rows], page.total) == (["gold-a"], 2)
    merges = connection.vendor == "postgresql"  # SQLite merges the keys in Python
    assert ran == ([1] if merges else [])
    assert made == ([1] if narrow or not merges else [])


@pytest.mark.django_db(transaction=True)
def test_the_nightly_run_writes_each_new_segment_with_its_clients_name():
    clients = [ClientFactory(name=f"Night {n}") for n in range(3)]
    engine.recompute()
    assert dict(ClientSegment.objects.values_list("client_id", "client_name")) == {
        client.pk: client.name for client in clients
    }
