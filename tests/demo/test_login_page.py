"""The login page lists the demo logins while they exist, only where the settings allow it."""

import importlib
import sys

import pytest
from django.urls import reverse
from django.utils import translation

from tests.factories import DirectorFactory, ManagerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_users():
    ManagerFactory(username="manager1")
    DirectorFactory(username="director")
    ManagerFactory(username="someone-real")


def demo_rows(response) -> list[tuple[str, str]]:
    return list(response.context["demo_logins"]()) if "demo-logins" in response.content.decode() else []


def test_the_demo_login_page_lists_the_demo_logins_and_their_password(client, settings, demo_users):
    settings.KAM_DEMO_LOGINS = True

    with translation.override("en"):
        response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")

    content = response.content.decode()
    assert demo_rows(response) == [("account manager", "manager1"), ("sales director", "director")]
    assert "Every demo login has the password <code>demo</code>." in content
    assert "<td>account manager</td><td><code>manager1</code></td>" in content
    assert "someone-real" not in content


def test_no_demo_logins_are_shown_where_the_settings_forbid_it(client, settings, demo_users):
    settings.KAM_DEMO_LOGINS = False

    response = client.get(reverse("login"))

    assert response.status_code == 200
    assert "demo-logins" not in response.content.decode()
    assert "manager1" not in response.content.decode()


def test_no_demo_logins_are_shown_without_demo_data(client, settings):
    settings.KAM_DEMO_LOGINS = True
    ManagerFactory(username="anna")

    response = client.get(reverse("login"))

    assert "demo-logins" not in response.content.decode()


def test_production_settings_never_show_the_demo_logins(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    monkeypatch.setenv("ALLOWED_HOSTS", "kam.example.com")
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/unused")
    monkeypatch.setenv("KAM_DEMO_LOGINS", "true")
    monkeypatch.delitem(sys.modules, "kam.settings.production", raising=False)

    production = importlib.import_module("kam.settings.production")

    assert production.KAM_DEMO_LOGINS is False
    assert production.DEBUG is False
