"""Fixtures shared by the segmentation tests of several packages: the lists' URLs, a browser
signed in as anyone, the current policy, and English for the sentences."""

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import translation

from segmentation.models import Policy

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
