"""Benchmark of the Excel exports: each list's download as its role asks for it, on the pages
benchmark's database (read-only).

    .venv/bin/python bench/exports.py [--repeat 1] [--only clients] [--without-lxml] [--profile NAME]

1. It reuses the database bench/pages.py built (BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/kam_bench_pages: 100,000 clients, 2,000 key clients, the
   reviews, the manager of plans) and writes nothing to it: the connection is read-only, the
   session is a signed cookie and logging in records nothing.
2. Each export runs in a process of its own (so that its peak memory is its own) through
   django.test.Client with the production's middleware, as the role that has the list: the
   director's whole client base and his candidates, radar, workload and reviews, a manager's own
   clients, the manager of plans' win-back list. A --without-lxml run also times each export with
   openpyxl's own XML writer (OPENPYXL_LXML=False), in the same run.
3. The floor: the client base's query alone (the director's list, every row read as the export
   reads it, nothing written), also in a process of its own.
It prints a Markdown table: rows, file size, wall and CPU seconds (the best of --repeat runs) and
the process's peak memory; --profile NAME prints the top of that export's cProfile instead.
"""

import argparse
import cProfile
import importlib.util
import json
import os
import pstats
import resource
import subprocess
import sys
import time
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kam_bench_pages")
os.environ["DATABASE_URL"] = BENCH_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings.local")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

django.setup()
settings.ALLOWED_HOSTS = ["testserver"]
settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
settings.DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c default_transaction_read_only=on"

from django.contrib.auth.signals import user_logged_in  # noqa: E402
from django.test import Client as TestClient  # noqa: E402
from django.test import RequestFactory  # noqa: E402

from bench import scene  # noqa: E402
from kam.users.models import User  # noqa: E402

# name -> (username, path); "{manager}", "{open}" and "{closed}" come from the scene
EXPORTS = {
    "clients": ("director", "/clients/export/"),
    "clients, a manager's own": ("{manager}", "/clients/export/"),
    "key candidates": ("director", "/segments/candidates/export/"),
    "radar": ("director", "/segments/radar/export/"),
    "workload": ("director", "/segments/workload/export/"),
    "review, open": ("director", "/segments/reviews/{open}/export/"),
    "review, closed": ("director", "/segments/reviews/{closed}/export/"),
    "win-back": (scene.PLANNER, "/plans/win-back/export/"),
}
FLOOR = "floor: the client base's query alone"


def rows_in(body: bytes) -> int:
    """Data rows in every sheet of the workbook (its header rows left out)."""
    with zipfile.ZipFile(BytesIO(body)) as book:
        sheets = [name for name in book.namelist() if name.startswith("xl/worksheets/sheet")]
        return sum(book.read(name).count(b"<row ") - 1 for name in sheets)


def export_once(name: str, profile: bool) -> dict[str, Any]:
    """One export as its user downloads it: wall and CPU seconds, rows and bytes."""
    the = scene.scene()
    username, path = EXPORTS[name]
    username = username.format(manager=the.managers[0])
    path = path.format(open=the.open_review, closed=the.closed_review)
    user_logged_in.receivers = []  # no last_login written: the database is read-only
    client = TestClient()
    client.force_login(User.objects.get(username=username))
    profiler = cProfile.Profile() if profile else None
    wall, cpu = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    response = client.get(path)
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    if profiler:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(40)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak = peak_mb()  # before the file is opened to count its rows
    assert response.status_code == 200, (name, response.status_code)
    return {"wall": wall, "cpu": cpu, "peak_mb": peak, "rows": rows_in(body), "bytes": len(body)}


def floor_once() -> dict[str, Any]:
    """The director's client list read as its export reads it (model instances, in chunks)."""
    from accounts.views.clients import Listed
    from kam import excel

    request = RequestFactory().get("/clients/export/")
    request.user = User.objects.get(username="director")
    wall, cpu = time.perf_counter(), time.process_time()
    listed = Listed(request)  # type: ignore[arg-type]
    rows = sum(1 for _ in listed.rows.order_by(*listed.order).iterator(chunk_size=excel.CHUNK))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"wall": wall, "cpu": cpu, "peak_mb": peak_mb(), "rows": rows, "bytes": 0}


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(name: str, profile: bool) -> None:
    print(json.dumps(floor_once() if name == FLOOR else export_once(name, profile)))


def measure(name: str, lxml: bool, repeat: int) -> dict[str, Any]:
    """The best of `repeat` runs, each in a fresh process."""
    env = dict(os.environ, OPENPYXL_LXML="True" if lxml else "False")
    runs = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, __file__, "--child", name], env=env, capture_output=True, text=True, check=True
        )
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return min(runs, key=lambda run: run["cpu"])


def lxml_installed() -> bool:
    return importlib.util.find_spec("lxml") is not None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=1, help="runs of each export; the best is shown")
    parser.add_argument("--only", action="append", choices=sorted(EXPORTS), help="these exports only")
    parser.add_argument("--without-lxml", action="store_true", help="also time openpyxl's own XML writer")
    parser.add_argument("--profile", choices=sorted(EXPORTS), help="profile one export, in this process")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, profile=False)
        return
    if args.profile:
        print(export_once(args.profile, profile=True))
        return
    writers = [("lxml", True)] if lxml_installed() else [("openpyxl's own", False)]
    if args.without_lxml and lxml_installed():
        writers.append(("openpyxl's own", False))
    load = os.getloadavg()[0]
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"{now}; {os.cpu_count()} cores; load average {load:.1f}")
    print()
    print("| export | XML writer | rows | MB | wall s | CPU s | peak MB |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name in [FLOOR, *(args.only or EXPORTS)]:
        for writer, lxml in writers[: 1 if name == FLOOR else None]:
            run = measure(name, lxml, args.repeat)
            size = f"{run['bytes'] / 1e6:.1f}" if run["bytes"] else ""
            print(
                f"| {name} | {writer if name != FLOOR else ''} | {run['rows']:,} | {size} | "
                f"{run['wall']:.2f} | {run['cpu']:.2f} | {run['peak_mb']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
