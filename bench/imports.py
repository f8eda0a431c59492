"""Benchmark of a large sales import (issue 11 §6): N rows against a bare COPY of the same file.

    .venv/bin/python bench/imports.py [--clients 10000] [--rows 1000000] [--reuse] [--check] [--profile]

1. Unless --reuse, it recreates the PostgreSQL database (BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/kam_bench_imports) and generates the clients, product
   groups and 24 months of sales with bench/generate.py. Either way the clients get valid INNs
   and there is an active admin to import as.
2. It writes a CSV of --rows sales rows (UTF-8, `;`, the Russian header 1C writes, ISO dates and
   point decimals so that COPY can read the same file) for random clients and groups, and the
   same rows resolved to ids.
3. It times, in the same run:
   - copy: a bare `COPY ... FROM STDIN (FORMAT csv)` of the file into a temporary table of the
     same shape (INN, product group, date, document, amount typed as the columns are);
   - sales copy: a COPY of the resolved rows into a table created LIKE accounts_sale INCLUDING
     ALL with the same deferred foreign keys, committed: what writing the sales rows costs;
   - import: the service path as `manage.py import_sales` runs it (store and detect the upload,
     then import_commit: the file loaded and checked in SQL, merged, committed), and its parts;
   then undoes the import, so a --reuse run starts from the same sales.
It prints a Markdown table, the ratios import / copy (the issue's target: within 2x) and
import / sales copy, and the process's peak memory after the import. --check also times the
check alone (the preview's pass, which remembers the rows' keys in memory: run after the peak is
taken); --profile prints the top of its cProfile.
"""

import argparse
import cProfile
import os
import pstats
import random
import resource
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kam_bench_imports")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings.local")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.core.files import File  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from psycopg2.extras import execute_values  # noqa: E402

from accounts.models import Client, ProductGroup  # noqa: E402
from bench.generate import generate, recreate_database  # noqa: E402
from kam.imports import parsing, sales_sql, services  # noqa: E402
from kam.imports.models import ImportRun, Kind  # noqa: E402
from kam.users import roles  # noqa: E402
from kam.users.models import User  # noqa: E402
from tests.factories import make_inn  # noqa: E402

HEADER = "ИНН;Товарная группа;Дата;Документ;Сумма\n"
FIRST_DAY = date(2024, 7, 1)
DAYS = 730


def prepare(clients: int, reuse: bool) -> User:
    if not reuse:
        recreate_database(BENCH_URL)
        generate(clients=clients, seed=42)
    missing = list(Client.objects.filter(inn="").values_list("pk", flat=True))
    if missing:
        with connection.cursor() as cursor:
            execute_values(
                cursor.cursor,
                "UPDATE accounts_client c SET inn = v.inn FROM (VALUES %s) v (id, inn) WHERE c.id = v.id",
                [(pk, make_inn(pk)) for pk in missing],
                page_size=10_000,
            )
            cursor.execute("ANALYZE accounts_client")
    admin, _ = User.objects.get_or_create(username="bench_admin", defaults={"is_active": True})
    Group.objects.get(name=roles.ADMIN).user_set.add(admin)
    return admin


def write_file(path: Path, resolved: Path, rows: int, seed: int = 7) -> None:
    """`rows` distinct sales rows (a document number each) for random clients and groups, and the
    same rows resolved to ids as accounts_sale holds them (for the second floor)."""
    rng = random.Random(seed)
    clients = list(Client.objects.order_by("pk").values_list("inn", "pk"))
    groups = list(ProductGroup.objects.order_by("pk").values_list("name", "pk"))
    with path.open("w", encoding="utf-8", newline="") as out, resolved.open("w", encoding="utf-8") as ids:
        out.write(HEADER)
        lines, resolved_lines = [], []
        for number in range(rows):
            day = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
            (inn, client), (group, group_id) = rng.choice(clients), rng.choice(groups)
            amount = f"{rng.uniform(10, 1_000_000):.2f}"
            lines.append(f"{inn};{group};{day};B{number};{amount}\n")
            resolved_lines.append(f"{client},{group_id},{day},B{number},{amount},1\n")
            if len(lines) == 50_000:
                out.writelines(lines)
                ids.writelines(resolved_lines)
                lines, resolved_lines = [], []
        out.writelines(lines)
        ids.writelines(resolved_lines)


def time_copy(path: Path) -> float:
    """A bare COPY of the file into a temporary table of the same shape; seconds."""
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_copy (inn varchar(12), product_group varchar(100), "
            "date date, document varchar(64), amount numeric(16, 2))"
        )
        started = time.perf_counter()
        with path.open(encoding="utf-8") as source:
            cursor.cursor.copy_expert(
                "COPY bench_copy FROM STDIN WITH (FORMAT csv, DELIMITER ';', HEADER true)", source
            )
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT COUNT(*) FROM bench_copy")
        copied = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_copy")
    assert copied > 0
    return elapsed


def time_sales_copy(resolved: Path) -> float:
    """The second floor: a COPY of the same rows, resolved to ids, into a table made like
    accounts_sale (its indexes, constraints and defaults) with the same deferred foreign keys,
    committed; seconds. What any import pays to write durable, indexed, checked sales rows."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_sale (LIKE accounts_sale INCLUDING ALL)")
        for column, table in (
            ("client_id", "accounts_client"),
            ("product_group_id", "accounts_productgroup"),
        ):
            cursor.execute(
                f"ALTER TABLE bench_sale ADD FOREIGN KEY ({column}) REFERENCES {table} (id) "
                "DEFERRABLE INITIALLY DEFERRED"
            )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor, resolved.open(encoding="utf-8") as source:
        cursor.cursor.copy_expert(
            "COPY bench_sale (client_id, product_group_id, date, document, amount, import_batch) "
            "FROM STDIN WITH (FORMAT csv)",
            source,
        )
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM bench_sale")
        copied = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_sale")
    assert copied > 0
    return elapsed


def upload(path: Path, admin: User) -> ImportRun:
    with path.open("rb") as handle:
        return services.import_upload(
            kind=Kind.SALES,
            upload=File(handle),
            file_name=path.name,
            source="",
            monthly=False,
            by=admin,
            check=False,
        )


def time_import(path: Path, admin: User) -> dict[str, float]:
    """The command's path, timed in parts; the import is undone afterwards (not timed)."""
    times: dict[str, float] = {}
    started = time.perf_counter()
    run = upload(path, admin)
    times["upload"] = time.perf_counter() - started
    statements = Statements()
    load = sales_sql.load
    loading = [0.0]

    def timed_load(*args: Any) -> int:
        began = time.perf_counter()
        rows = load(*args)
        loading[0] += time.perf_counter() - began
        return rows

    sales_sql.load = timed_load  # type: ignore[assignment]
    started = time.perf_counter()
    try:
        with transaction.atomic():  # so that the COMMIT is timed apart
            with connection.execute_wrapper(statements):
                outcome = services.import_commit(run=run, by=admin)
            inside = time.perf_counter()
    finally:
        sales_sql.load = load
    times["commit (load + check + merge)"] = time.perf_counter() - started
    times["of which: loading the file's cells (COPY of the file as it is)"] = loading[0]
    for sql, seconds in statements.slowest():
        times[f"of which: `{sql}`"] = seconds
    times["of which: COMMIT (the deferred foreign-key checks)"] = time.perf_counter() - inside
    times["import"] = times["upload"] + times["commit (load + check + merge)"]
    if outcome.problem_count:
        raise SystemExit(f"the import found problems: {outcome.problems[:5]}")
    times["created"] = outcome.counts.created
    times["peak MB"] = peak_mb()
    run.refresh_from_db()
    services.sales_undo(run=run, by=admin)
    return times


def time_check(path: Path, admin: User, profile: bool) -> float:
    """The check alone, as the preview runs it (duplicates remembered in memory)."""
    run = upload(path, admin)
    started = time.perf_counter()
    if profile:
        profiler = cProfile.Profile()
        profiler.runcall(services.import_process, run, by=admin, commit=False)
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    else:
        services.import_process(run, by=admin, commit=False)
    elapsed = time.perf_counter() - started
    parsing.discard(run.stored_name)
    return elapsed


class Statements:
    """The statements' times (the COPY of each chunk goes by the raw cursor: not counted)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split())[:70]
            self.seconds[key] = self.seconds.get(key, 0.0) + time.perf_counter() - started

    def slowest(self, count: int = 6) -> list[tuple[str, float]]:
        return sorted(self.seconds.items(), key=lambda item: -item[1])[:count]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--check", action="store_true", help="also time the check alone (the preview)")
    parser.add_argument("--profile", action="store_true", help="also profile the check alone")
    args = parser.parse_args()
    admin = prepare(args.clients, args.reuse)
    with tempfile.TemporaryDirectory() as folder:
        path, resolved = Path(folder) / "sales.csv", Path(folder) / "resolved.csv"
        started = time.perf_counter()
        write_file(path, resolved, args.rows)
        print(
            f"{Client.objects.count():,} clients; a file of {args.rows:,} rows, "
            f"{path.stat().st_size / 1e6:.0f} MB, written in {time.perf_counter() - started:.1f} s; "
            f"{timezone.now():%Y-%m-%d}"
        )
        before = peak_mb()
        copy_s = time_copy(path)
        sales_copy_s = time_sales_copy(resolved)
        times = time_import(path, admin)
        check_s = time_check(path, admin, args.profile) if args.check or args.profile else None
    print()
    print("| what | seconds |")
    print("|---|---:|")
    print(f"| bare COPY into a table of the same shape | {copy_s:.2f} |")
    floor = "COPY of the rows resolved to ids into a table like accounts_sale, committed"
    print(f"| {floor} | {sales_copy_s:.2f} |")
    for what, seconds in times.items():
        if what not in ("created", "peak MB"):
            print(f"| {what} | {seconds:.2f} |")
    if check_s is not None:
        profiled = " (profiled)" if args.profile else ""
        print(f"| the check alone, as the preview runs it{profiled} | {check_s:.2f} |")
    print()
    ratio, written = times["import"] / copy_s, times["import"] / sales_copy_s
    print(f"created {int(times['created']):,} sales; import / COPY = {ratio:.1f}x (target 2x)")
    print(f"import / COPY into a table like accounts_sale with its foreign keys = {written:.1f}x")
    print(f"peak memory: {before:.0f} MB before the import, {times['peak MB']:.0f} MB after it")


if __name__ == "__main__":
    main()
