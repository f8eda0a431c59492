"""Benchmark data: clients with 10 product groups, 24 months of sales, points and estimates,
written to PostgreSQL with COPY. Deterministic for a seed."""

import io
import random
from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlparse

import psycopg2
from django.core.management import call_command
from django.db import connection

from accounts.models import ProductGroup
from kam.users.models import User
from tests.segmentation.segments.reference import ClientData, Point

TODAY = date(2026, 6, 30)
GROUPS = 10
MANAGERS = 50
PLACES = [
    ("RU", "RU-MOW"), ("RU", "RU-MOS"), ("RU", "RU-SPE"), ("RU", "RU-KYA"), ("RU", "RU-IRK"),
    ("RU", "RU-NVS"), ("RU", "RU-SVE"), ("RU", "RU-TA"), ("RU", "RU-KDA"), ("RU", "RU-NIZ"),
    ("KZ", "KZ-75"), ("BY", "BY-HM"), ("DE", "DE-BE"), ("CN", "CN-BJ"),
]  # fmt: skip
FLOOR_SQL = [
    "SELECT client_id, SUM(amount), MAX(date) FROM accounts_sale GROUP BY client_id",
    "SELECT client_id, COUNT(*) FROM accounts_pointofpresence GROUP BY client_id",
]


def recreate_database(url: str) -> None:
    name = urlparse(url).path.lstrip("/")
    connection.close()
    admin = psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    call_command("migrate", verbosity=0)


def generate(*, clients: int, seed: int, managers: int = MANAGERS) -> tuple[int, date]:
    """Load `clients` clients with their rows, shared at random among `managers` managers; return
    the number of sales rows and 'today'."""
    rng = random.Random(seed)
    groups = [ProductGroup.objects.create(name=f"Group {i}").pk for i in range(GROUPS)]
    people = [User.objects.create(username=f"bench{i}").pk for i in range(managers)]
    copy_rows("accounts_client", CLIENT_COLUMNS, _clients(rng, clients, people))
    sales = copy_rows(
        "accounts_sale", "client_id, product_group_id, date, amount", _sales(rng, clients, groups)
    )
    copy_rows("accounts_pointofpresence", POINT_COLUMNS, _points(rng, clients))
    copy_rows("segmentation_potentialestimate", ESTIMATE_COLUMNS, _estimates(rng, clients, groups))
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('accounts_client', 'id'), %s)", [clients])
        cursor.execute("VACUUM ANALYZE")  # as autovacuum would have done by night-time
    return sales, TODAY


CLIENT_COLUMNS = (
    "id, name, legal_name, inn, kpp, website, status, notes, purchasing_centralised, "
    "responsible_manager_id, version, created_at, updated_at"
)
POINT_COLUMNS = "client_id, country, region, city, is_head_office, status, planned_date, version"
ESTIMATE_COLUMNS = "client_id, product_group_id, amount, source, estimated_on"


def copy_rows(table: str, columns: str, rows: Iterator[str]) -> int:
    """COPY tab-separated lines into `table`, 200,000 at a time; returns how many."""
    count = 0
    raw = connection.connection
    buffer = io.StringIO()
    for row in rows:
        buffer.write(row)
        count += 1
        if count % 200_000 == 0:
            _flush(raw, table, columns, buffer)
            buffer = io.StringIO()
    _flush(raw, table, columns, buffer)
    raw.commit()
    return count


def _flush(raw: Any, table: str, columns: str, buffer: io.StringIO) -> None:
    buffer.seek(0)
    with raw.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def _clients(rng: random.Random, clients: int, managers: list[int]) -> Iterator[str]:
    stamp = "2026-01-01 00:00:00+00"
    for pk in range(1, clients + 1):
        centralised = "t" if rng.random() < 0.6 else "f"
        manager = rng.choice(managers)
        yield f"{pk}\tClient {pk}\t\t\t\t\tactive\t\t{centralised}\t{manager}\t1\t{stamp}\t{stamp}\n"


def _sales(rng: random.Random, clients: int, groups: list[int]) -> Iterator[str]:
    months = [_month(TODAY, back) for back in range(24)]
    for pk in range(1, clients + 1):
        size = rng.paretovariate(1.2) * 20_000
        stops = rng.random() < 0.1
        monthly = rng.random() < 0.5
        for group in rng.sample(groups, rng.randint(1, 4)):
            for back, month in enumerate(months):
                if (stops and back < rng.randint(3, 12)) or rng.random() < 0.25:
                    continue
                day = month if monthly else month + timedelta(days=rng.randint(0, 27))
                yield f"{pk}\t{group}\t{day}\t{size * rng.uniform(0.5, 1.5):.2f}\n"


def _points(rng: random.Random, clients: int) -> Iterator[str]:
    for pk in range(1, clients + 1):
        for i in range(rng.choice((1, 1, 1, 2, 3))):
            country, region = rng.choice(PLACES[:10] if rng.random() < 0.9 else PLACES)
            yield f"{pk}\t{country}\t{region}\tCity\t{'t' if i == 0 else 'f'}\topen\t\\N\t1\n"
        if rng.random() < 0.05:
            country, region = rng.choice(PLACES)
            yield f"{pk}\t{country}\t{region}\tCity\tf\tplanned\t{TODAY + timedelta(days=90)}\t1\n"


def _estimates(rng: random.Random, clients: int, groups: list[int]) -> Iterator[str]:
    for pk in range(1, clients + 1):
        if rng.random() < 0.3:
            continue
        size = rng.paretovariate(1.1) * 400_000
        for group in rng.sample(groups, rng.randint(1, 3)):
            made = TODAY - timedelta(days=rng.randint(0, 500))
            yield f"{pk}\t{group}\t{size * rng.uniform(0.2, 1.0):.2f}\tsurvey\t{made}\n"


def _month(today: date, back: int) -> date:
    index = today.year * 12 + today.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


def load_reference() -> tuple[dict[int, ClientData], date]:
    """The same data as plain Python objects, for the reference implementation."""
    data: dict[int, ClientData] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, purchasing_centralised FROM accounts_client")
        for pk, centralised in cursor.fetchall():
            data[pk] = ClientData(centralised=centralised)
        cursor.execute("SELECT client_id, product_group_id, date, amount FROM accounts_sale")
        for client, group, day, amount in cursor.fetchall():
            data[client].sales.append((group, day, Decimal(amount)))
        cursor.execute("SELECT client_id, country, region, status FROM accounts_pointofpresence")
        for client, country, region, status in cursor.fetchall():
            data[client].points.append(Point(country, region, planned=status == "planned"))
        cursor.execute("SELECT client_id, product_group_id, amount FROM segmentation_potentialestimate")
        for client, group, amount in cursor.fetchall():
            data[client].estimates[group] = Decimal(amount)
    return data, TODAY
