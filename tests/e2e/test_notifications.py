"""A manager opens a notification in a real browser: the card opens and the notification is read."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from segmentation.models import NightlyRun, Notification, SegmentChange
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.browser


def test_opening_a_notification_shows_the_card_and_marks_it_read(page: Page, manager, account):
    run = NightlyRun.objects.create(run_on=datetime.date(2025, 6, 30), status=NightlyRun.Status.SUCCESS)
    change = SegmentChange.objects.create(run=run, client=account, kind="tier", old="silver", new="gold")
    notification = Notification.objects.create(user=manager, change=change)
    log_in(page, manager)

    page.goto("/segments/notifications/")
    expect(page.locator("#nav-notifications .badge")).to_have_text("1 unread")
    page.get_by_role("button", name="Siberian Steel: tier Gold (was Silver)").click()

    expect(page).to_have_url(f"/clients/{account.pk}/")
    expect(page.get_by_role("heading", name="Siberian Steel")).to_be_visible()
    notification.refresh_from_db()
    assert notification.read_at is not None
    page.goto("/segments/notifications/")
    expect(page.locator("#nav-notifications .badge")).to_have_count(0)
