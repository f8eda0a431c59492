"""Instructions a request of each page costs, counted by callgrind: exact where timings drift.

    .venv/bin/python bench/instructions.py [--only TEXT] [--requests 5] [--gc]

On a shared machine the same page's CPU time drifts by up to 40% between runs minutes apart;
the instructions a request executes do not. This counts them for the pages of bench/pages.py
(the same `--only`), on the database that benchmark built (run it once first), each page in a
process of its own with the production settings, as its role: the process runs under valgrind's
callgrind with counting off, makes three requests (the process's caches, the prepared queries),
then counts `--requests` requests of the page. The garbage collector is off while they are
counted: a collection's cost falls on whichever request sets it off, so two versions' counts
would differ by where collections fall rather than by their code (`--gc` counts with it on). It
counts what this process executes, not PostgreSQL's work, nor the network's. Needs valgrind
(Debian's package `valgrind`); about half a minute a page.

To compare two versions of the code, run it from each one's checkout, on the same database.
"""

import argparse
import gc
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORKER = "--worker"


def count(role: str, path: str, requests: int, keep_gc: bool, env: dict[str, str]) -> float:
    """Millions of instructions a request of `path` as `role` executes."""
    with tempfile.TemporaryDirectory(prefix="kam-instructions-") as workdir:
        out = f"{workdir}/callgrind.out"
        command = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            WORKER,
            role,
            path,
            str(requests),
            "gc" if keep_gc else "no-gc",
        ]
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{role} {path}:\n{done.stderr[-3000:]}")
        totals = re.search(r"^totals: (\d+)", Path(out).read_text(), re.MULTILINE)
        assert totals, "callgrind wrote no totals"
        return int(totals.group(1)) / requests / 1e6


def worker(role: str, page_path: str, requests: int, keep_gc: bool) -> None:
    """In the counted process: three requests, then `requests` counted."""
    from django.test import Client

    from bench import scene
    from bench.page_list import path_for, usernames
    from kam.users.models import User

    the = scene.scene()
    username = usernames(role, the, 1)[0]
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    if username:
        client.force_login(User.objects.get(username=username))
    path = path_for(page_path, the, username)
    for _ in range(3):
        status = client.get(path).status_code
        assert status == 200, f"{path}: {status}"
    gc.collect()
    if not keep_gc:
        gc.disable()
    control = ["callgrind_control", "--instr"]
    subprocess.run([*control, "on", str(os.getpid())], check=True, capture_output=True)
    for _ in range(requests):
        client.get(path)
    subprocess.run([*control, "off", str(os.getpid())], check=True, capture_output=True)


def main() -> None:
    from bench import pages  # sets Django up (its settings, or the worker's production ones)
    from bench.page_list import PAGES

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=5, help="counted per page")
    parser.add_argument("--gc", action="store_true", help="count with the garbage collector on")
    parser.add_argument("--only", action="append", default=[], help="as bench/pages.py's --only")
    args = parser.parse_args()
    chosen = [
        p for p in PAGES if not args.only or any(pages.picked(o, f"{p.role} {p.path}") for o in args.only)
    ]
    with tempfile.TemporaryDirectory(prefix="kam-instructions-") as workdir:
        env = pages.production_env()
        pages.collectstatic(env, workdir)
        env.update(ALLOWED_HOSTS="127.0.0.1", BENCH_SETTINGS="kam.settings.production")
        print("| role | page | million instructions a request |\n|---|---|---:|", flush=True)
        for page in chosen:
            millions = count(page.role, page.path, args.requests, args.gc, env)
            print(f"| {page.role or 'anonymous'} | `{page.path}` | {millions:.1f} |", flush=True)


if __name__ == "__main__":
    if sys.argv[1:2] == [WORKER]:
        from bench import pages  # noqa: F401  (sets Django up with the production settings given)

        role, path, requests, collector = sys.argv[2:6]
        worker(role, path, int(requests), collector == "gc")
    else:
        main()
