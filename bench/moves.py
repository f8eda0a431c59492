"""Benchmark of a bulk move between managers (DOMAIN §9): 10,000 clients of 100,000 at once.

    .venv/bin/python bench/moves.py --clients 100000 [--move 10000] [--repeat 3] [--reuse]

1. Unless --reuse, it recreates the PostgreSQL database (BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/kam_bench_moves), generates the clients with
   bench/generate.py and runs the nightly job (the size classes the loads read). Either way it
   makes sure there are 200 active account managers and spreads the clients evenly over them.
2. It times, --repeat times, on the clients of the first managers (--move clients in all):
   - preview: `segmentation.moves.selectors.preview`, as the move page shows it;
   - move: `segmentation.moves.services.clients_reassign` to one manager, with its statement
     count, inside a transaction that is rolled back, so every repeat moves the same clients;
   - handover: one manager's active clients split over four managers by size class (rolled back).
It prints a Markdown table; the issue's target: a bulk move of 10,000 clients within seconds.
"""

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kam_bench_moves")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings.local")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import Group  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import Client  # noqa: E402
from bench.generate import generate, recreate_database  # noqa: E402
from kam.users import roles  # noqa: E402
from kam.users.models import User  # noqa: E402
from segmentation.models import Policy  # noqa: E402
from segmentation.moves import selectors, services  # noqa: E402
from segmentation.segments.engine import recompute  # noqa: E402

MANAGERS = 200


class Rollback(Exception):
    pass


def prepare(clients: int, reuse: bool) -> list[User]:
    if not reuse:
        recreate_database(BENCH_URL)
        _, today = generate(clients=clients, seed=42)
        recompute(today=today, trigger="bench")
    group, _ = Group.objects.get_or_create(name=roles.ACCOUNT_MANAGER)
    have = User.objects.filter(username__startswith="bench").count()
    for i in range(have, MANAGERS):
        User.objects.create(username=f"bench{i}")
    managers = list(User.objects.filter(username__startswith="bench").order_by("pk")[:MANAGERS])
    group.user_set.add(*managers)
    with connection.cursor() as cursor:  # spread the clients evenly, as the base has them
        cursor.execute(
            "UPDATE accounts_client SET responsible_manager_id = (%s::int[])[1 + id %% %s]",
            [[m.pk for m in managers], len(managers)],
        )
        cursor.execute("ANALYZE accounts_client")
    return managers


def timed_move(selection: Any, to: Any, by: User) -> tuple[float, float, int, int]:
    """Preview seconds, move seconds, statements of the move, clients moved (rolled back)."""
    started = time.perf_counter()
    found = selectors.preview(selection, selectors.targets(to), policy=Policy.current())
    preview_s = time.perf_counter() - started
    moved = 0
    try:
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            reassignment = services.clients_reassign(
                selection=selection, to=to, reason="bench", by=by, token=found.token
            )
            move_s = time.perf_counter() - started
            moved = reassignment.clients
            raise Rollback
    except Rollback:
        pass
    return preview_s, move_s, len(queries), moved


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--move", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()
    managers = prepare(args.clients, args.reuse)
    per_manager = max(1, args.clients // len(managers))
    sources = managers[: max(1, args.move // per_manager)]
    target, by = managers[-1], managers[-2]
    bulk = Client.objects.filter(responsible_manager__in=sources)
    split = dict(zip(["small", "medium", "large", "largest"], managers[-5:-1], strict=True))
    leaving = selectors.leaving_clients(sources[0])
    print(f"{Client.objects.count():,} clients, {len(managers)} managers")
    print()
    print("| run | what | clients | preview s | move s | statements |")
    print("|---:|---|---:|---:|---:|---:|")
    for run in range(1, args.repeat + 1):
        for what, selection, to in [
            ("bulk move to one manager", bulk, target),
            ("handover split by size class", leaving, split),
        ]:
            preview_s, move_s, statements, moved = timed_move(selection, to, by)
            print(f"| {run} | {what} | {moved:,} | {preview_s:.2f} | {move_s:.2f} | {statements} |")


if __name__ == "__main__":
    main()
