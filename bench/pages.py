"""Benchmark of every page of every role, served by gunicorn with the production settings.

    .venv/bin/python bench/pages.py --clients 100000 [--reuse] [--seconds 10] [--concurrency 8]

1. Unless --reuse, it recreates the PostgreSQL database (BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/kam_bench_pages), generates the clients with
   bench/generate.py, runs the nightly job and adds what bench/scene.py adds: the roles, 2,000
   key clients, full cards, a second night, one closed and one open key-list review, and a
   manager of plans (1,000 clients, 5,000 plan steps). With --reuse it migrates the database
   and adds what a database built by an earlier version lacks (bench/scene.py catch_up).
2. It counts each page's SQL queries in-process (django.test.Client), as each role, and marks
   a count that differs from the page's pinned one (bench/page_list.py).
3. It collects the static files and starts gunicorn as docker-compose.yml's web service does
   (kam.wsgi, production settings, 3 workers), and a second gunicorn with the same settings
   serving bench/trivial.py, the baseline: a trivial Django view through the same middleware.
4. For each page, --concurrency threads, each with a session of its own as the page's role,
   request it over and over for --seconds. The baseline runs first, after every
   --baseline-every pages and last; a page's throughput is compared with the mean of the two
   baselines around it (the machine's pace drifts by a quarter within a run: a page measured
   late was compared with a baseline measured at the start).
It prints a Markdown table. --counts-only stops after step 2 (to compare sizes cheaply); --only
keeps the pages whose "role path" holds the text, or is the text before a final "$" (to compare
two versions of a few pages: --only 'director /clients/$' is the director's list alone).
"""

import argparse
import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BENCH_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kam_bench_pages")
os.environ["DATABASE_URL"] = BENCH_URL
# bench/instructions.py's counted processes run with the production settings.
os.environ["DJANGO_SETTINGS_MODULE"] = os.environ.get("BENCH_SETTINGS", "kam.settings.local")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("KAM_DEMO_LOGINS", "false")  # counted as served: production lists no demo logins

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bench import scene  # noqa: E402
from bench.generate import generate, recreate_database  # noqa: E402
from bench.page_list import PAGES, Counted, Page, count_queries, path_for, usernames  # noqa: E402
from segmentation.segments.engine import recompute  # noqa: E402

BIN = ROOT / ".venv" / "bin"
WORKERS = 3  # docker-compose.yml's web service
P95_TARGET_MS = 100
SHARE_TARGET = 0.10
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Load:
    """One page's timings under load."""

    latencies: list[float]
    errors: int
    seconds: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def ms(self, quantile: float) -> float:
        ordered = sorted(self.latencies)
        return 1000 * ordered[min(len(ordered) - 1, int(quantile * len(ordered)))]


# Data


def prepare(clients: int, seed: int) -> None:
    recreate_database(BENCH_URL)
    started = time.perf_counter()
    rows, today = generate(clients=clients, seed=seed)
    print(
        f"  {clients} clients, {rows} sales rows loaded in {time.perf_counter() - started:.0f} s", flush=True
    )
    recompute(today=today, trigger="bench")
    scene.build(today, seed)
    connection.cursor().execute("VACUUM ANALYZE")
    print(f"  scene built: {time.perf_counter() - started:.0f} s in all", flush=True)


# Serving


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def production_env() -> dict[str, str]:
    """The environment docker-compose.yml gives the web service, with plain HTTP behind where the
    TLS proxy would be, as .ci/production-smoke runs it. Its Redis (BENCH_REDIS_URL) keeps the
    cached fragments of pages, as in production; without one each worker keeps its own. No broker:
    no page the benchmark drives queues a task."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL", "LOG_LEVEL")}
    env.update(REDIS_URL=_redis_url(), CELERY_BROKER_URL="")
    env.update(
        DJANGO_SETTINGS_MODULE="kam.settings.production",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        CSRF_TRUSTED_ORIGINS="",
        DATABASE_URL=BENCH_URL,
        SECURE_SSL_REDIRECT="false",
    )
    return env


def _redis_url() -> str:
    """BENCH_REDIS_URL if a Redis answers there, else "" (and the pages cache in each worker)."""
    url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError:
        print(f"  no Redis at {url}: each worker caches for itself", flush=True)
        return ""
    return url


def collectstatic(env: dict[str, str], workdir: str) -> None:
    """The image's build step: the static manifest the production settings need, gathered into
    the run's own directory (`env` then points there), not the checkout's `staticfiles/`, which a
    test run beside the benchmark may be serving."""
    env["STATIC_ROOT"] = f"{workdir}/static"
    build = dict(
        env, SECRET_KEY="build", ALLOWED_HOSTS="build", DATABASE_URL=f"sqlite:///{workdir}/build.sqlite3"
    )
    subprocess.run(
        [BIN / "python", "manage.py", "collectstatic", "--noinput", "-v0"], env=build, cwd=ROOT, check=True
    )


def gunicorn(app: str, env: dict[str, str], log: IO[str]) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    command = [str(BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS)]
    process = subprocess.Popen([*command, "--access-logfile", "-"], env=env, cwd=ROOT, stdout=log, stderr=log)
    for _ in range(120):
        try:
            request(port, "/", {}, method="HEAD")
            return process, port
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"{app} did not start:\n{Path(log.name).read_text()[-3000:]}")


def request(
    port: int, path: str, headers: dict[str, str], *, method: str = "GET", body: str = ""
) -> tuple[int, dict[str, str], str]:
    """One request as the browser behind the TLS proxy sends it."""
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        base = {"X-Forwarded-Proto": "https", "Accept-Language": "ru"}
        connection_.request(method, path, body=body or None, headers={**base, **headers})
        response = connection_.getresponse()
        text = response.read().decode("utf-8", "replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text
    finally:
        connection_.close()


def status(port: int, path: str, headers: dict[str, str]) -> int:
    """The answer's status; 0 when there was none (gunicorn killed a worker past its timeout)."""
    try:
        return request(port, path, headers)[0]
    except (OSError, http.client.HTTPException):
        return 0


def cookies_of(headers: list[tuple[str, str]]) -> dict[str, str]:
    return dict(
        value.split(";", 1)[0].split("=", 1) for name, value in headers if name.lower() == "set-cookie"
    )


def log_in(port: int, username: str) -> dict[str, str]:
    """The headers of a session of `username`, logged in through the form as a browser does."""
    if not username:
        return {}
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection_.request("GET", "/login/", headers={"X-Forwarded-Proto": "https"})
    response = connection_.getresponse()
    csrf = CSRF_INPUT.search(response.read().decode())
    cookies = cookies_of(response.getheaders())
    connection_.close()
    assert csrf, "no CSRF token on the login page"
    origin = f"https://127.0.0.1:{port}"
    form = f"username={username}&password={scene.PASSWORD}&csrfmiddlewaretoken={csrf.group(1)}"
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {
        "X-Forwarded-Proto": "https",
        "Cookie": f"csrftoken={cookies['csrftoken']}",
        "Origin": origin,
        "Referer": f"{origin}/login/",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    connection_.request("POST", "/login/", body=form, headers=headers)
    response = connection_.getresponse()
    response.read()
    cookies.update(cookies_of(response.getheaders()))
    connection_.close()
    assert response.status == 302, f"{username} could not log in"
    assert "sessionid" in cookies, f"{username} got no session"
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}


# Load


def hammer(port: int, jobs: list[tuple[str, dict[str, str]]], seconds: float) -> Load:
    """Each job (path, headers) in a thread of its own, requesting its path for `seconds`
    after one untimed request; every answer but 200 counts as an error."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    start = threading.Barrier(len(jobs) + 1)

    def work(path: str, headers: dict[str, str]) -> None:
        status(port, path, headers)
        start.wait()
        deadline = time.perf_counter() + seconds
        mine, failed = [], 0
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            ok = status(port, path, headers) == 200
            mine.append(time.perf_counter() - began)
            failed += not ok
        with lock:
            latencies.extend(mine)
            errors[0] += failed

    threads = [threading.Thread(target=work, args=job) for job in jobs]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return Load(latencies, errors[0], time.perf_counter() - began)


# The run


def measure(the: scene.Scene, args: argparse.Namespace, counts: dict[Page, Counted]) -> None:
    with tempfile.TemporaryDirectory(prefix="kam-pages-") as workdir, open(f"{workdir}/web.log", "w") as log:
        env = production_env()
        collectstatic(env, workdir)
        web, port = gunicorn("kam.wsgi:application", env, log)
        baseline, base_port = gunicorn("bench.trivial:application", env, log)
        try:
            run(the, args, counts, port, base_port)
        finally:
            for process in (web, baseline):
                process.terminate()
                process.wait(timeout=60)


def run(
    the: scene.Scene, args: argparse.Namespace, counts: dict[Page, Counted], port: int, base_port: int
) -> None:
    def trivial() -> Load:
        return hammer(base_port, [("/", {})] * args.concurrency, args.seconds)

    def baseline() -> Load:
        load = trivial()
        print(f"  trivial view: {load.rate:.0f} req/s, p95 {load.ms(0.95):.1f} ms", flush=True)
        return load

    baselines = [baseline()]
    sessions = {
        name: log_in(port, name)
        for name in {"", "director", "admin", scene.PLANNER, *the.managers[: args.concurrency]}
    }
    loads: dict[Page, tuple[Load, float]] = {}
    pending: list[tuple[Page, Load]] = []  # measured since the last baseline
    pages = list(counts)
    for index, page in enumerate(pages, start=1):
        names = usernames(page.role, the, args.concurrency)
        load = hammer(port, [(path_for(page.path, the, n), sessions[n]) for n in names], args.seconds)
        pending.append((page, load))
        print(f"  {page.role or 'anonymous'} {page.path}: {load.rate:.0f} req/s", flush=True)
        if index % args.baseline_every == 0 or index == len(pages):
            baselines.append(baseline())
            around = (baselines[-2].rate + baselines[-1].rate) / 2
            loads |= {measured: (load, around) for measured, load in pending}
            pending = []
    table(loads, counts, baselines)


def table(loads: dict[Page, tuple[Load, float]], counts: dict[Page, Counted], baselines: list[Load]) -> None:
    """Each page's figures, its throughput as a share of the baselines' around it."""
    columns = ["role", "page", "queries", "SQL ms", "p50 ms", "p95 ms", "max ms", "req/s", "of trivial"]
    print("| " + " | ".join([*columns, "errors", "targets"]) + " |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for number, base in enumerate(baselines, start=1):
        print(f"| | trivial view (baseline {number}) | 0 | 0 | {_timings(base)} | 100% | {base.errors} | |")
    for page, (load, base_rate) in loads.items():
        c = counts[page]
        met = load.ms(0.95) < P95_TARGET_MS and load.rate >= SHARE_TARGET * base_rate and not load.errors
        print(
            f"| {page.role or 'anonymous'} | `{page.path}` | {_queries(page, c)} | {c.sql_ms:.0f}"
            f" | {_timings(load)}"
            f" | {load.rate / base_rate:.0%} | {load.errors} | {'met' if met else '**missed**'} |"
        )


def _queries(page: Page, counted: Counted) -> str:
    """The count, marked where it differs from the page's pinned count (on a few hundred clients)."""
    return (
        str(counted.queries)
        if counted.queries == page.queries
        else f"**{counted.queries} (pinned {page.queries})**"
    )


def _timings(load: Load) -> str:
    return f"{load.ms(0.5):.0f} | {load.ms(0.95):.0f} | {max(load.latencies) * 1000:.0f} | {load.rate:.0f}"


def picked(only: str, label: str) -> bool:
    return only[:-1] == label if only.endswith("$") else only in label


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep the database a previous run built")
    parser.add_argument("--seconds", type=float, default=10.0, help="of load per page")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--baseline-every", type=int, default=8, help="pages between two measures of the trivial view"
    )
    parser.add_argument("--counts-only", action="store_true", help="only count each page's queries")
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        help="the pages whose 'role path' holds this, or is this before a final $ (repeatable)",
    )
    args = parser.parse_args()
    if args.baseline_every < 1:
        parser.error("--baseline-every takes a number of pages, 1 or more.")
    if not args.reuse:
        print(f"Building {args.clients} clients into {BENCH_URL}...", flush=True)
        prepare(args.clients, args.seed)
    else:
        call_command("migrate", verbosity=0)
        if scene.catch_up():
            # As autovacuum would have by the time the pages are used: the few rows moved do not
            # wake it, and until a vacuum marks the tables' pages all-visible the lists read
            # clients from the heap instead of their indexes alone.
            connection.cursor().execute("VACUUM ANALYZE")
    the = scene.scene()
    pages = [p for p in PAGES if not args.only or any(picked(o, f"{p.role} {p.path}") for o in args.only)]
    counts = {page: count_queries(page, the) for page in pages}
    print("| role | page | status | queries | SQL ms | slowest ms |\n|---|---|---:|---:|---:|---:|")
    for page, c in counts.items():
        row = f"{c.status} | {_queries(page, c)} | {c.sql_ms:.1f} | {c.slowest_ms:.1f}"
        print(f"| {page.role} | `{page.path}` | {row} |")
    connection.close()
    if not args.counts_only:
        print(f"\nLoad: {args.concurrency} concurrent users, {args.seconds:.0f} s per page...", flush=True)
        measure(the, args, counts)


if __name__ == "__main__":
    main()
