import datetime
import io
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.urls import reverse

from accounts.geography import is_region_of
from accounts.models import Client, Contact, PointOfPresence, Refusal, Sale, TeamMember, Touch
from accounts.validators import is_valid_inn
from kam.demo import content
from kam.demo.seed import seed_demo
from kam.users.models import User
from plans.models import Activity, Plan, Survey
from segmentation.models import (
    ActionItem,
    ClientSegment,
    Decision,
    KeyStatus,
    OwnLocation,
    Policy,
    PotentialEstimate,
    Review,
)
from segmentation.radar.flags import flag_q
from segmentation.segments.engine import recompute
from tests.factories import ClientFactory

TODAY = datetime.date(2026, 3, 18)
YEAR_AGO = TODAY - datetime.timedelta(days=365)
LOGIN_LINES = [
    "  account manager: manager1 / demo",
    "  account manager: manager2 / demo",
    "  account manager: manager3 / demo",
    "  sales director: director / demo",
    "  admin: admin / demo",
]


@pytest.fixture
def seeded(db):
    return seed_demo(clients=40, seed=3, today=TODAY)


class Rollback(Exception):
    pass


def fingerprint(seed):
    """What a seed produced, without database ids; the seed's rows are rolled back afterwards."""
    try:
        with transaction.atomic():
            seed_demo(clients=40, seed=seed, today=TODAY)
            clients = Client.objects.annotate(total=Sum("sales__amount"), n_sales=Count("sales")).order_by(
                "inn"
            )
            result = {
                "clients": [
                    (c.name, c.legal_name, c.inn, c.status, str(c.responsible_manager)) for c in clients
                ],
                "sales": [(c.inn, c.total, c.n_sales) for c in clients],
                "points": sorted(
                    PointOfPresence.objects.values_list("client__inn", "region", "city", "status")
                ),
                "contacts": sorted(Contact.objects.values_list("client__inn", "name", "influence", "phone")),
                "touches": sorted(Touch.objects.values_list("client__inn", "date", "kind", "summary")),
                "estimates": sorted(
                    PotentialEstimate.objects.values_list(
                        "client__inn",
                        "product_group__name",
                        "amount",
                        "source",
                        "estimated_on",
                        "author__username",
                    )
                ),
            }
            raise Rollback
    except Rollback:
        return result


def test_demo_region_tables_hold_only_valid_iso_codes():
    for region in content.RU_REGIONS + content.NEAR_ABROAD + content.FAR_ABROAD:
        assert is_region_of(region.code, region.country), region.code


def test_seed_demo_reports_the_rows_it_created(seeded):
    assert seeded == {
        "users": 5,
        "industries": 11,
        "product_groups": 8,
        "clients": Client.objects.count(),
        "points": PointOfPresence.objects.count(),
        "team_members": TeamMember.objects.count(),
        "contacts": Contact.objects.count(),
        "touches": Touch.objects.count(),
        "sales": Sale.objects.count(),
        "refusals": Refusal.objects.count(),
        "estimates": PotentialEstimate.objects.count(),
        "own_locations": len(content.OWN_LOCATIONS),
    }
    assert seeded["clients"] == 40


def test_seed_demo_inns_are_valid_unique_and_of_both_kinds(seeded):
    inns = list(Client.objects.values_list("inn", flat=True))
    assert all(is_valid_inn(inn) for inn in inns)
    assert len(set(inns)) == 40
    assert {len(inn) for inn in inns} == {10, 12}
    sole_traders = Client.objects.filter(inn__regex=r"^\d{12}$")
    assert all(c.name.startswith("ИП ") for c in sole_traders)


def test_seed_demo_every_region_belongs_to_its_country(seeded):
    points = list(PointOfPresence.objects.values_list("region", "country"))
    assert all(is_region_of(region, country) for region, country in points)
    assert Client.objects.exclude(points__is_head_office=True).count() == 0
    assert PointOfPresence.objects.exclude(country="RU").exists()


def test_seed_demo_same_seed_gives_the_same_data(db):
    first = fingerprint(3)
    assert Client.objects.count() == 0
    assert fingerprint(3) == first
    assert fingerprint(4) != first


def test_seed_demo_twice_repeats_no_name_and_no_inn(db):
    seed_demo(clients=20, seed=1, today=TODAY)
    seed_demo(clients=20, seed=1, today=TODAY)
    assert Client.objects.values("name").distinct().count() == 40
    assert Client.objects.values("inn").distinct().count() == 40
    assert User.objects.filter(username__in=["manager1", "director", "admin"]).count() == 3


def test_seed_demo_users_of_every_role_log_in_with_demo(seeded, client):
    for username, _first, _last, role in content.DEMO_USERS:
        user = User.objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert not user.is_superuser
        response = client.post(reverse("login"), {"username": username, "password": "demo"})
        assert response.status_code == 302
        assert int(client.session["_auth_user_id"]) == user.pk
        client.logout()


def test_seed_demo_keeps_the_password_of_an_existing_user(db):
    User.objects.create_user("admin", password="real-secret-1")
    seed_demo(clients=3, seed=1, today=TODAY)
    admin = User.objects.get(username="admin")
    assert admin.check_password("real-secret-1")
    assert admin.groups.get() == Group.objects.get(name="admin")


def test_seed_demo_spreads_clients_over_managers_and_leaves_some_unassigned(seeded):
    by_manager = dict(
        Client.objects.values_list("responsible_manager__username").annotate(n=Count("id")).order_by()
    )
    assert set(by_manager) == {"manager1", "manager2", "manager3", None}
    assert max(by_manager.values()) < 40 / 2
    assert TeamMember.objects.exists()


def test_seed_demo_sales_span_24_months_with_monthly_totals_and_shipments(seeded):
    dates = set(Sale.objects.values_list("date", flat=True))
    assert min(dates) == datetime.date(2024, 4, 1)
    assert TODAY - datetime.timedelta(days=31) <= max(dates) <= TODAY
    assert len({(d.year, d.month) for d in dates}) == 24
    assert any(d.day == 1 for d in dates)
    assert any(d.day > 1 for d in dates)
    amounts = Sale.objects.values_list("amount", flat=True)
    assert all(a > 0 and a == a.quantize(Decimal("0.01")) for a in amounts)


def test_seed_demo_has_a_client_that_stopped_buying(seeded):
    four_months_ago = TODAY - datetime.timedelta(days=122)
    stopped = Client.objects.annotate(last=Max("sales__date")).filter(last__lt=four_months_ago)
    assert stopped.filter(status=Client.Status.ACTIVE).exists()


def test_seed_demo_has_planned_points_and_the_irkutsk_case(seeded):
    planned = PointOfPresence.objects.filter(status=PointOfPresence.Status.PLANNED)
    assert planned.exists()
    assert not planned.filter(Q(planned_date__isnull=True) | Q(planned_date__lte=TODAY)).exists()
    showcase = Client.objects.get(name="Сибирская сталь")
    assert list(showcase.points.values_list("region", "city", "is_head_office", "status")) == [
        ("RU-KYA", "Красноярск", True, "open"),
        ("RU-IRK", "Иркутск", False, "planned"),
    ]


def test_seed_demo_irkutsk_case_raises_the_expansion_alert_on_the_radar(seeded):
    recompute(today=TODAY)

    showcase = Client.objects.get(name=content.SHOWCASE_NAME)
    flagged = Client.objects.filter(flag_q("expansion", TODAY, Policy.current()))
    assert showcase.segment.expansion_points == 1
    assert showcase in flagged
    assert OwnLocation.objects.active().filter(region="RU-KYA").exists()
    assert not OwnLocation.objects.filter(region="RU-IRK").exists()
    planned = PointOfPresence.objects.filter(status=PointOfPresence.Status.PLANNED)
    assert 1 <= flagged.count() < planned.values("client").distinct().count()


def test_seed_demo_own_locations_are_valid_places_kept_once_with_history(seeded):
    seed_demo(clients=2, seed=5, today=TODAY)

    places = list(OwnLocation.objects.values_list("country", "region"))
    assert len(places) == len(content.OWN_LOCATIONS)
    assert all(not region or is_region_of(region, country) for country, region in places)
    assert {"", "RU-MOW", "RU-KYA"} <= {region for _country, region in places}
    assert OwnLocation.objects.filter(is_active=False).exists()
    history = OwnLocation.history.filter(history_type="+")
    assert set(history.values_list("history_user__username", flat=True)) == {"admin"}


def test_seed_demo_influence_adds_up_for_most_clients_but_not_all(seeded):
    totals = Client.objects.annotate(total=Sum("contacts__influence", filter=Q(contacts__is_active=True)))
    sums = [c.total for c in totals]
    assert sums.count(100) >= 30
    assert any(total != 100 for total in sums)
    no_decision_maker = Client.objects.exclude(
        contacts__decision_role=Contact.DecisionRole.DECISION_MAKER, contacts__is_active=True
    )
    assert no_decision_maker.exists()


def test_seed_demo_some_active_clients_were_never_met(seeded):
    never_met = Client.objects.filter(status=Client.Status.ACTIVE, touches__isnull=False).exclude(
        touches__kind=Touch.Kind.MEETING
    )
    assert never_met.exists()
    assert Touch.objects.filter(kind=Touch.Kind.MEETING).exists()


def test_seed_demo_writes_a_created_history_row_per_client(seeded):
    history = Client.history.filter(history_type="+")
    assert history.count() == 40
    assert set(history.values_list("history_user__username", flat=True)) == {"admin"}
    estimates = PotentialEstimate.history.filter(history_type="+")
    assert estimates.count() == PotentialEstimate.objects.count()
    assert set(estimates.values_list("history_user__username", flat=True)) == {"admin"}


def test_seed_demo_analyses_about_70_percent_of_active_clients(seeded):
    active = Client.objects.filter(status=Client.Status.ACTIVE)
    analysed = active.filter(Exists(PotentialEstimate.objects.filter(client=OuterRef("pk"))))
    assert 0.6 <= analysed.count() / active.count() <= 0.8
    assert not PotentialEstimate.objects.filter(client__status=Client.Status.INACTIVE).exists()


def test_seed_demo_estimates_are_past_whole_thousands_by_a_manager_some_stale(seeded):
    estimates = PotentialEstimate.objects.values_list(
        "amount", "estimated_on", "source", "author__username", "client__responsible_manager__username"
    )
    assert all(amount > 0 and amount % 1000 == 0 for amount, *_rest in estimates)
    assert max(day for _a, day, *_rest in estimates) <= TODAY
    stale = [day for _a, day, *_rest in estimates if day < YEAR_AGO]
    assert 0.05 <= len(stale) / len(estimates) <= 0.3
    assert {source for _a, _d, source, *_rest in estimates} == set(PotentialEstimate.Source)
    authors = {(manager, author) for *_rest, author, manager in estimates}
    assert all(author == manager for manager, author in authors if manager)
    assert {author for manager, author in authors if not manager} <= set(content.MANAGERS)


def test_seed_demo_estimates_one_per_client_and_group_with_whitespace(seeded):
    per_group = PotentialEstimate.objects.values("client", "product_group").annotate(n=Count("id"))
    assert {row["n"] for row in per_group} == {1}
    sold = Sale.objects.filter(client=OuterRef("client"), product_group=OuterRef("product_group"))
    whitespace = PotentialEstimate.objects.exclude(Exists(sold))
    assert whitespace.filter(amount__gt=0).count() >= 10
    assert whitespace.filter(client__status=Client.Status.ACTIVE).exists()


def test_seed_demo_shows_every_segment_after_a_recompute(seeded):
    recompute(today=TODAY)
    segments = ClientSegment.objects.all()
    assert set(segments.values_list("category", flat=True)) == {"A", "B", "C", "D", ""}
    assert set(segments.values_list("tier", flat=True)) == {"gold", "silver", "bronze"}
    leagues = Counter(segments.values_list("league", flat=True))
    assert {"third", "second", "qualifying"} <= set(leagues)
    assert leagues["first"] + leagues["premier"] > 0
    not_analysed = segments.filter(category="", client__status=Client.Status.ACTIVE)
    assert not_analysed.count() >= 5
    assert not PotentialEstimate.objects.filter(client__segment__in=not_analysed).exists()


def test_seed_demo_wallet_shares_range_from_untapped_to_above_the_estimate(seeded):
    recompute(today=TODAY)
    analysed = ClientSegment.objects.filter(potential__isnull=False, revenue__gt=0)
    assert analysed.filter(wallet_share__gte=80).exists()
    assert analysed.filter(wallet_share__gte=20, wallet_share__lt=60).count() >= 5
    assert analysed.filter(revenue__gt=F("potential")).exists()
    image_candidates = analysed.filter(tier__in=["gold", "silver"], buys_a_lot=False, wallet_share__lt=20)
    assert image_candidates.exists()


def test_seed_demo_command_refuses_fewer_than_one_client():
    out = io.StringIO()
    with pytest.raises(CommandError, match="at least 1"):
        call_command("seed_demo", "--clients", "0", stdout=out)


@pytest.mark.django_db
def test_seed_demo_command_seeds_and_prints_the_logins_when_debug_is_on(settings):
    settings.DEBUG = True  # as `make run` has it
    out = io.StringIO()
    call_command("seed_demo", "--clients", "5", "--seed", "2", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Demo data created: 5 users, 11 industries, 8 product groups, 5 clients, ")
    assert (
        f" {PotentialEstimate.objects.count()} estimates, {len(content.OWN_LOCATIONS)} own locations, "
        in lines[0]
    )
    keys, plans = KeyStatus.objects.filter(is_key=True).count(), Plan.objects.count()
    surveys = Survey.objects.count()
    activities = Activity.objects.count()
    # The closed review's first three clients get an action item each, and the France case (kept
    # under watch) one more; how many clients the review has depends on the day's segments.
    closed = Review.objects.get(closed_at__isnull=False)
    watched = closed.items.filter(decision=Decision.WATCH).count()
    actions = min(3, closed.items.count()) + watched
    assert ActionItem.objects.count() == actions
    assert lines[0].endswith(
        f" {keys} key clients, 2 reviews, {actions} review actions, {plans} plans, {surveys} surveys,"
        f" {activities} activities."
    )
    assert lines[-5:] == LOGIN_LINES
    assert Client.objects.count() == 5


@pytest.mark.django_db
def test_seed_demo_command_refuses_without_force_when_debug_is_off(settings):
    settings.DEBUG = False
    message = (
        "DEBUG is off, so this may be a production database: seed_demo creates the logins "
        "manager1, manager2, manager3, director, admin with the password 'demo'. "
        "Nothing was written. Use --force to seed anyway."
    )
    with pytest.raises(CommandError, match=f"^{re.escape(message)}$"):
        call_command("seed_demo", "--clients", "5", stdout=io.StringIO())
    with pytest.raises(CommandError, match="Use --force"):
        call_command("seed_demo", "--if-empty", stdout=io.StringIO())
    assert not User.objects.exists()
    assert not Client.objects.exists()


@pytest.mark.django_db
def test_seed_demo_command_force_seeds_when_debug_is_off(settings):
    settings.DEBUG = False
    call_command("seed_demo", "--clients", "3", "--force", stdout=io.StringIO())
    assert Client.objects.count() == 3
    assert User.objects.filter(username="admin").exists()


@pytest.mark.django_db
def test_seed_demo_command_if_empty_skips_a_database_with_clients():
    ClientFactory(name="Existing")
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", "--force", stdout=out)
    assert out.getvalue().splitlines() == ["The database already has clients: no demo data added."]
    assert list(Client.objects.values_list("name", flat=True)) == ["Existing"]


def test_seed_demo_command_if_empty_still_prints_existing_demo_logins(seeded):
    out = io.StringIO()
    call_command("seed_demo", "--if-empty", "--force", stdout=out)
    assert out.getvalue().splitlines() == [
        "The database already has clients: no demo data added.",
        "Demo logins (password 'demo'):",
        *LOGIN_LINES,
    ]
    assert Client.objects.count() == 40
