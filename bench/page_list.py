"""Every page of every role the pages benchmark drives, with the SQL queries each one runs.

A page's count is pinned: it is the same on any number of clients, rows and steps.
tests/test_bench_pages.py builds the benchmark's scene on a few hundred clients and asserts each
count exactly; bench/pages.py counts them again on 100,000 clients and marks any that differ.
"""

from dataclasses import dataclass

from django.db import connection
from django.test import Client as TestClient
from django.test.utils import CaptureQueriesContext

from bench import scene
from kam.users.models import User


@dataclass(frozen=True)
class Page:
    role: str  # "manager", "planner" (the manager of plans), "director", "admin" or "" (anonymous)
    path: str  # may name {card} (the manager's own key client), {key}, {open}, {closed}, {plans}, {last}
    queries: int  # the SQL queries it runs, the session and the signed-in user's one among them


PAGES = [
    Page("", "/login/", 0),
    *(
        Page("manager", path, queries)
        for path, queries in (
            ("/clients/", 4),
            ("/clients/?tier=gold", 4),
            ("/clients/search/?q=Client+{card}", 3),
            ("/clients/{card}/", 10),
            ("/clients/{card}/contacts/", 5),
            ("/clients/{card}/points/", 3),
            ("/clients/{card}/touches/", 5),
            ("/clients/{card}/sales/", 4),
            ("/clients/{card}/refusals/", 4),
            ("/clients/{card}/history/", 5),
            ("/segments/clients/{card}/potential/", 7),
            ("/segments/todo/", 7),
            ("/segments/reviews/actions/", 3),
            ("/segments/notifications/", 3),
            ("/segments/workload/time/", 5),
        )
    ),
    *(
        Page("planner", path, queries)
        for path, queries in (
            ("/plans/day/", 5),
            ("/plans/win-back/", 5),
            ("/clients/{plans}/", 10),
            ("/plans/clients/{plans}/", 6),
            ("/plans/clients/{plans}/activities/", 7),
            ("/plans/clients/{plans}/questionnaires/", 6),
            ("/plans/clients/{plans}/handover/", 3),
            ("/imports/", 1),
            ("/imports/log/", 2),
        )
    ),
    *(
        Page("director", path, queries)
        for path, queries in (
            ("/clients/", 4),
            ("/clients/?tier=gold", 4),
            ("/clients/?category=A&tier=silver", 4),
            ("/clients/?q=Client+{last}", 4),
            ("/clients/?flag=key_bronze", 2),
            ("/clients/{key}/", 10),
            ("/segments/clients/{key}/key/", 5),
            ("/segments/candidates/", 4),
            ("/segments/radar/", 3),
            ("/segments/dashboard/", 3),
            ("/segments/workload/", 5),
            ("/segments/workload/time/", 5),
            ("/segments/workload/calculator/", 4),
            ("/segments/workload/moves/", 2),
            ("/segments/todo/", 6),
            ("/segments/reviews/", 2),
            ("/segments/reviews/{open}/", 2),
            ("/segments/reviews/{closed}/", 2),
            ("/segments/reviews/{open}/clients/1/", 9),
            ("/segments/reviews/{open}/print/", 2),
            ("/plans/win-back/", 5),
            ("/plans/ladder/", 3),
            ("/exports/", 2),
        )
    ),
    *(
        Page("admin", path, queries)
        for path, queries in (
            ("/segments/policy/", 5),
            ("/segments/runs/", 2),
            ("/segments/locations/", 2),
            ("/users/", 3),
            ("/segments/workload/", 5),
            ("/clients/reference/product-groups/", 2),
            ("/clients/reference/industries/", 2),
            ("/imports/", 1),
        )
    ),
]


@dataclass
class Counted:
    status: int
    queries: int
    sql_ms: float
    slowest_ms: float
    statements: list[str]


def usernames(role: str, the: scene.Scene, concurrency: int) -> list[str]:
    """The user of each thread: managers each their own, otherwise one user in many sessions."""
    if role == "manager":
        return [the.managers[i % len(the.managers)] for i in range(concurrency)]
    if role == "planner":
        return [scene.PLANNER] * concurrency
    return [role or ""] * concurrency


def path_for(path: str, the: scene.Scene, username: str) -> str:
    return path.format(
        card=the.cards.get(username, 0),
        key=the.key_client,
        open=the.open_review,
        closed=the.closed_review,
        plans=the.plan_card,
        last=the.last_client,
    )


def count_queries(page: Page, the: scene.Scene) -> Counted:
    """The page's queries as its role's first user sees it (the second request: the first
    one also fills the process's caches)."""
    client = TestClient()
    username = usernames(page.role, the, 1)[0]
    if username:
        client.force_login(User.objects.get(username=username))
    path = path_for(page.path, the, username)
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    times = [float(q["time"]) * 1000 for q in captured.captured_queries]
    statements = [q["sql"] for q in captured.captured_queries]
    return Counted(response.status_code, len(times), sum(times), max(times, default=0.0), statements)
