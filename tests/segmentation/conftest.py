"""Fixtures shared by the segmentation tests of several packages: the lists' URLs, a browser
signed in as anyone, the current policy, and English for the sentences."""

import pytest
from django.db import connection
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation

from segmentation.models import Policy
from segmentation.segments.engine import ADVISORY_LOCK_KEY
from tests.helpers import second_session

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
    other = second_session()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
        yield other
    finally:
        other.close()
