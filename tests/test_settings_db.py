"""The database connection's settings."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_runs_without_jit():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's JIT setting; this run is on " + connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
