"""The database connection's settings."""

import ast
import os
import subprocess
import sys

import pytest
from django.db import connection


@pytest.mark.django_db
def test_postgresql_runs_without_jit():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's JIT setting; this run is on " + connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def test_production_connects_with_the_same_options():
    """The production settings build their database as every environment does (they once
    replaced it whole, and served with JIT on)."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kam.settings.production",
        "SECRET_KEY": "s" * 50,
        "ALLOWED_HOSTS": "crm.example.com",
        "DATABASE_URL": "postgres://kam@db.example.com:5432/kam",
    }
    read = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES)"

    found = subprocess.run([sys.executable, "-c", read], env=env, capture_output=True, text=True, check=True)

    database = ast.literal_eval(found.stdout.strip())["default"]
    assert database["OPTIONS"] == {"options": "-c jit=off -c random_page_cost=1.1"}
    assert (database["HOST"], database["CONN_MAX_AGE"], database["ATOMIC_REQUESTS"]) == (
        "db.example.com",
        60,
        False,
    )
    assert (database["ENGINE"], database["CONN_HEALTH_CHECKS"]) == ("kam.postgresql", True)


@pytest.mark.django_db
def test_the_models_pass_the_database_checks_on_either_database():
    """The covering indexes' carried columns warn on SQLite (models.W040), which makes the index
    on its keys alone: silenced, and nothing else warns on this run's database."""
    from django.core.management import call_command

    call_command("check", databases=["default"], fail_level="WARNING", verbosity=0)
