"""Fixtures shared by the segmentation tests of several packages: the lists' URLs, a browser
signed in as anyone, the current policy, and English for the sentences."""

import psycopg2
import pytest
from django.db import connection
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation

from segmentation.models import Policy
from segmentation.segments.engine import ADVISORY_LOCK_KEY

CANDIDATES_URL = reverse("segmentation:candidates")
TODO_URL = reverse("segmentation:todo")


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def signed_in(db):
    """An independent browser (own cookies) signed in as `user`."""

    def make(user):
        browser = Browser()
        browser.force_login(user)
        return browser

    return make


@pytest.fixture
def policy(db):
    return Policy.current()


@pytest.fixture
def run_lock(db):
    """On PostgreSQL, the run lock held by a second session, as a live run holds it.

    Elsewhere nothing: SQLite has no lock another session can be seen holding.
    """
    if connection.vendor != "postgresql":
        yield None
        return
    settings_dict = connection.settings_dict
    other = psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        password=settings_dict["PASSWORD"] or None,
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
        yield other
    finally:
        other.close()
