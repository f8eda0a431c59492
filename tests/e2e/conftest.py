"""Browser tests: the system Chromium driven by pytest-playwright against pytest-django's live_server.

Every page's base URL is the live server, so each browser test also gets a transactional database.
"""

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.factories import ClientFactory

# Playwright's sync API keeps an asyncio loop running in the test thread, so Django
# would refuse the test's own ORM calls (factories, refresh_from_db) as async-unsafe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
HERE = Path(__file__).parent
PASSWORD = "secret-pass-1"  # what tests.factories.UserFactory sets
LOCALES = {"en": "en-US", "ru": "ru-RU"}

# A shared CI machine can be slow to render a page; nothing here waits on purpose.
expect.set_options(timeout=10_000)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    reason = f"browser tests need the system Chromium at {CHROMIUM} (apt-get install chromium)"
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    """Pages open paths ("/clients/") on the live server; to_have_url takes paths too."""
    return live_server.url


def log_in(page: Page, user, password: str = PASSWORD) -> None:
    """Log in through the real form; django-axes counts failures, so only correct passwords."""
    page.goto("/login/")
    form = page.locator("form").filter(has=page.locator("[name=password]"))
    form.locator("[name=username]").fill(user.username)
    form.locator("[name=password]").fill(password)
    form.get_by_role("button").click()
    expect(page.get_by_role("button", name=str(user), exact=True)).to_be_visible()


@pytest.fixture
def page_in(new_context) -> Callable[[str], Page]:
    """A page whose browser speaks `language` ("ru" or "en"), as a Russian or English desktop would."""

    def make(language: str) -> Page:
        context = new_context(locale=LOCALES[language], extra_http_headers={"Accept-Language": language})
        return context.new_page()

    return make


@pytest.fixture
def account(manager):
    """The manager's client, with a website to change and no notes yet."""
    return ClientFactory(
        name="Siberian Steel", website="https://old.example.com", notes="", responsible_manager=manager
    )


@pytest.fixture
def plan_templates(db):
    """The plan templates the migration seeds: a browser test's database is flushed after each test,
    seeded rows included, so a test that starts plans seeds them again if they are gone."""
    import importlib

    from django.apps import apps

    from plans.models import PlanTemplate

    if not PlanTemplate.objects.exists():
        importlib.import_module("plans.migrations.0002_plans_and_templates").seed_templates(apps, None)
