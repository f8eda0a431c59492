"""The unread badge is read with the signed-in user (`kam.users.extensions.register_read_with`)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from kam.users.backends import RoleBackend
from kam.users.models import User
from segmentation.models import NightlyRun, Notification, SegmentChange
from segmentation.notifications.selectors import unread_count
from tests.factories import ClientFactory


def notify(user: User, read: bool = False) -> Notification:
    run = NightlyRun.objects.create(run_on=datetime.date(2025, 6, 30), status=NightlyRun.Status.SUCCESS)
    client = ClientFactory()
    change = SegmentChange.objects.create(run=run, client=client, kind="tier", old="bronze", new="silver")
    return Notification.objects.create(user=user, change=change, read_at=timezone.now() if read else None)


def test_the_signed_in_users_unread_count_comes_with_them(manager, outsider, assert_queries):
    notify(manager), notify(manager), notify(manager, read=True), notify(outsider)

    signed_in = assert_queries(1, lambda: RoleBackend().get_user(manager.pk))

    assert assert_queries(0, lambda: unread_count(signed_in)) == 2


def test_a_user_read_otherwise_counts_their_unread_in_a_query_of_its_own(manager, assert_queries):
    notify(manager), notify(manager, read=True)
    user = User.objects.get(pk=manager.pk)

    assert assert_queries(1, lambda: unread_count(user)) == 1


def test_none_unread_reads_zero(manager, outsider, assert_queries):
    notify(manager, read=True), notify(outsider)

    signed_in = RoleBackend().get_user(manager.pk)

    assert assert_queries(0, lambda: unread_count(signed_in)) == 0


def _unread(user: User, count: int) -> None:
    first = notify(user)
    more = [Notification(user=user, change=first.change) for _ in range(count - 1)]
    Notification.objects.bulk_create(more)


def test_the_count_stops_past_the_badge_s_most(manager, outsider, assert_queries):
    """A user who never reads them costs every page no more than a hundred index entries: the
    badge counts to 99 and says "99+" beyond."""
    _unread(manager, 99)
    _unread(outsider, 150)
    user = User.objects.get(pk=outsider.pk)

    assert unread_count(RoleBackend().get_user(manager.pk)) == 99
    assert unread_count(RoleBackend().get_user(outsider.pk)) == 100
    assert assert_queries(1, lambda: unread_count(user)) == 100


def test_the_badge_says_99_plus_beyond_99(manager, outsider, signed_in):
    _unread(manager, 99)
    _unread(outsider, 100)

    mine = signed_in(manager).get(reverse("accounts:client_list")).content.decode()
    theirs = signed_in(outsider).get(reverse("accounts:client_list")).content.decode()

    assert '<span class="badge rounded-pill text-bg-danger">99<span class="visually-hidden">' in mine
    assert '<span class="badge rounded-pill text-bg-danger">99+<span class="visually-hidden">' in theirs
