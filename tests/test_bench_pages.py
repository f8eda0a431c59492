"""Every page the pages benchmark drives runs exactly its pinned number of SQL queries.

The benchmark's own scene (bench/scene.py: roles, key clients, full cards, two nights, two
reviews, a manager of plans) is built here on 3,000 clients; bench/pages.py counts the same
pages on 100,000 clients and marks any count that differs from the pin, so a count that grows
with clients or rows fails one or the other.

The list pager counts up to `COUNT_CAP` rows and takes another way past it; two managers of
1,500 clients each are past it here as fifty managers of 2,000 are there.
"""

import pytest
from django.db import connection
from django.db.models import Count

from accounts.models import ChoicesVersion, Client
from kam.pagination import COUNT_CAP
from segmentation.models import PolicyVersion

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the benchmark loads by PostgreSQL's COPY"),
    pytest.mark.django_db(transaction=True),  # the generator ends with VACUUM, which no transaction may hold
]


def test_every_page_of_every_role_runs_its_pinned_queries():
    from bench import scene
    from bench.generate import generate
    from bench.page_list import PAGES, count_queries
    from segmentation.segments.engine import recompute

    ChoicesVersion.objects.get_or_create(pk=1)  # a flushed database (a transactional test's) lacks it
    PolicyVersion.objects.get_or_create(pk=1)
    _sales, today = generate(clients=3_000, seed=1, managers=2)
    recompute(today=today, trigger="bench")
    scene.build(today, seed=1)
    the = scene.scene()
    held = Client.objects.filter(responsible_manager__username__in=the.managers[:1]).aggregate(n=Count("pk"))
    assert held["n"] > COUNT_CAP  # the pages' first manager, as on 100,000 clients

    counted = {page: count_queries(page, the) for page in PAGES}

    off = {
        f"{page.role or 'anonymous'} {page.path}": f"{c.status}, {c.queries} queries (pinned {page.queries})"
        for page, c in counted.items()
        if (c.status, c.queries) != (200, page.queries)
    }
    for page, c in counted.items():  # shown when the test fails
        if f"{page.role or 'anonymous'} {page.path}" in off:
            print(page.role, page.path, *(f"  {sql[:300]}" for sql in c.statements), sep="\n")
    assert off == {}
    assert len(counted) == 56  # every page once
