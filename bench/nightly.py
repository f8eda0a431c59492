"""Benchmark of the nightly recomputation against its floor and the plain-Python reference.

    .venv/bin/python bench/nightly.py --clients 10000 --clients 100000

For each size it generates the data into a PostgreSQL database of its own (COPY), with the
contacts and touches the pages benchmark gives every client (`bench.scene.fill_base`: the
radar reads them), then times in the same run:
  - the nightly job (segmentation.segments.engine.recompute, first run on fresh data);
  - the floor: one GROUP BY pass over the same sales and points (the best of three);
  - the reference implementation (tests/segmentation/segments/reference.py) on the same data,
    already loaded into Python (loading is timed apart and not counted);
  - an unchanged night (the same day again: nothing to write), the next night (the windows
    slide by a day onto the 1st of a month, when the monthly totals of a year and of two years
    ago leave them: the busiest day of the month) and the night after it (an ordinary
    mid-month night), each against the floor;
and prints the ratios QUALITY.md asks for. Needs PostgreSQL (BENCH_DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/kam_bench); the database is recreated.
"""

import argparse
import os
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kam_bench")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings.local")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from bench.generate import FLOOR_SQL, generate, load_reference, recreate_database  # noqa: E402
from bench.scene import fill_base  # noqa: E402
from segmentation.segments.engine import recompute  # noqa: E402
from tests.segmentation.segments.reference import Rules, segments  # noqa: E402


def timed(action: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def floor() -> None:
    with connection.cursor() as cursor:
        for sql in FLOOR_SQL:
            cursor.execute(sql)
            cursor.fetchall()


def measure(clients: int, seed: int) -> dict[str, float]:
    recreate_database(BENCH_URL)
    generated, (rows, today) = timed(lambda: generate(clients=clients, seed=seed))
    print(f"  {clients} clients: {rows} sales rows generated and loaded in {generated:.1f} s", flush=True)
    fill_base(today, seed)
    floor()  # warm the cache the same way for everyone
    # The best of three: on a shared machine one pass alone varied twofold from run to run.
    floor_s = min(timed(floor)[0] for _ in range(3))
    nightly_s, run = timed(lambda: recompute(today=today, trigger="bench"))
    load_s, (data, _today) = timed(load_reference)
    reference_s, _ = timed(lambda: segments(data, today, Rules()))
    print(f"  nightly run {run.pk}: {run.status}, changes {run.changes}", flush=True)
    unchanged_s, again = timed(lambda: recompute(today=today, trigger="bench: the same day again"))
    print(f"  unchanged night: {again.written} segment rows written, changes {again.changes}", flush=True)
    next_s, following = timed(
        lambda: recompute(today=today + timedelta(days=1), trigger="bench: the next day")
    )
    print(f"  next night: {following.written} segment rows written, changes {following.changes}", flush=True)
    after_s, after = timed(lambda: recompute(today=today + timedelta(days=2), trigger="bench: the day after"))
    print(f"  night after: {after.written} segment rows written, changes {after.changes}", flush=True)
    return {
        "floor": floor_s,
        "nightly": nightly_s,
        "reference": reference_s,
        "load": load_s,
        "unchanged": unchanged_s,
        "next": next_s,
        "after": after_s,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, action="append", help="repeat for several sizes")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = args.clients or [10_000, 100_000]
    results = {}
    for size in sizes:
        print(f"Measuring {size} clients...", flush=True)
        results[size] = measure(size, args.seed)
    print()
    header = (
        "clients",
        "floor s",
        "nightly s",
        "reference s",
        "(+ load s)",
        "nightly/floor",
        "reference/nightly",
    )
    print("{:>9} {:>9} {:>10} {:>12} {:>11} {:>14} {:>18}".format(*header))
    for size, r in results.items():
        print(
            f"{size:>9} {r['floor']:>9.2f} {r['nightly']:>10.2f} {r['reference']:>12.2f} {r['load']:>11.2f}"
            f" {r['nightly'] / r['floor']:>14.2f} {r['reference'] / r['nightly']:>18.1f}"
        )
    print(
        "\n{:>9} {:>13} {:>17} {:>10} {:>14} {:>11} {:>15}".format(
            "clients", "unchanged s", "unchanged/floor", "next s", "next/floor", "after s", "after/floor"
        )
    )
    for size, r in results.items():
        print(
            f"{size:>9} {r['unchanged']:>13.2f} {r['unchanged'] / r['floor']:>17.2f}"
            f" {r['next']:>10.2f} {r['next'] / r['floor']:>14.2f}"
            f" {r['after']:>11.2f} {r['after'] / r['floor']:>15.2f}"
        )
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        growth = results[large]["nightly"] / results[small]["nightly"]
        print(f"\n{large / small:.0f}x the data cost {growth:.2f}x the nightly time (target: at most 11x)")
    print("Targets: nightly/floor <= 3, reference/nightly >= 20")


if __name__ == "__main__":
    main()
