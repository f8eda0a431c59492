"""Notifications of segment changes: the list, reading them, the navbar badge and the daily digest."""

import datetime
import io
import zoneinfo
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from segmentation.models import NightlyRun, Notification, SegmentChange
from segmentation.notifications.context_processors import notifications_context
from segmentation.notifications.services import send_digests
from segmentation.segments.engine import recompute
from segmentation.tasks import send_notification_digests
from tests.factories import ClientFactory, ManagerFactory, SaleFactory
from tests.helpers import messages_of

LIST_URL = reverse("segmentation:notification_list")
READ_ALL_URL = reverse("segmentation:notification_read_all")
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
NOW = datetime.datetime(2025, 6, 30, 7, 0, tzinfo=MOSCOW)


def open_url(notification: Notification) -> str:
    return reverse("segmentation:notification_open", args=[notification.pk])


def notify(user: Any, client: Any, kind: str, old: str, new: str, **fields: Any) -> Notification:
    """A notification as the engine writes it: a run, a segment change, and the row for the manager."""
    run = NightlyRun.objects.create(run_on=datetime.date(2025, 6, 30), status=NightlyRun.Status.SUCCESS)
    change = SegmentChange.objects.create(run=run, client=client, kind=kind, old=old, new=new)
    return Notification.objects.create(user=user, change=change, **fields)


@pytest.fixture
def mine(manager, client_card):
    """Three notifications for the manager of Siberian Steel, oldest first; the first one read."""
    return [
        notify(manager, client_card, "category", "C", "B", read_at=timezone.now()),
        notify(manager, client_card, "league", "third", "second"),
        notify(manager, client_card, "lost_status", "active", "at_risk"),
    ]


@pytest.fixture
def theirs(outsider):
    other = ClientFactory(name="Ural Pipes", responsible_manager=outsider)
    return notify(outsider, other, "tier", "bronze", "silver")


MINE_TEXTS = [
    "Siberian Steel: purchase status At risk (was Active)",
    "Siberian Steel: league Second league (was Third league)",
    "Siberian Steel: category B (was C)",
]


# Access: opening a notification marks it read, so it is a POST; a GET writes nothing.


@pytest.mark.django_db
def test_notifications_anonymous_is_sent_to_login(client, mine):
    for method, url in [("get", LIST_URL), ("post", open_url(mine[1])), ("post", READ_ALL_URL)]:
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response.url == f"{reverse('login')}?next={url}"
    assert Notification.objects.filter(read_at__isnull=True).count() == 2


@pytest.mark.parametrize(
    ("method", "url"), [("post", LIST_URL), ("get", READ_ALL_URL), ("get", "open"), ("delete", LIST_URL)]
)
def test_notifications_refuse_the_wrong_method(as_manager, mine, method, url):
    url = open_url(mine[1]) if url == "open" else url

    assert getattr(as_manager, method)(url).status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 2


def test_notification_of_another_user_is_not_found_and_stays_unread(as_outsider, mine):
    response = as_outsider.post(open_url(mine[1]))

    mine[1].refresh_from_db()
    assert response.status_code == 404
    assert mine[1].read_at is None


# The list


def test_notification_list_shows_exactly_my_notifications_newest_first_in_words(as_manager, mine, theirs):
    response = as_manager.get(LIST_URL)

    content = response.content.decode()
    assert response.status_code == 200
    assert [text for _n, text in response.context["rows"]] == MINE_TEXTS
    assert [n.pk for n, _text in response.context["rows"]] == [n.pk for n in reversed(mine)]
    assert "Ural Pipes" not in content
    assert content.count('<span class="badge text-bg-warning">new</span>') == 2
    assert f'formaction="{open_url(mine[0])}"' in content
    assert f'action="{READ_ALL_URL}"' in content


def test_a_notification_row_is_written_whole_and_escaped(as_manager, manager, client_card):
    client_card.name = "Steel <&> Co"
    client_card.save()
    read = notify(manager, client_card, "category", "C", "B", read_at=timezone.now())
    details = {"what": "Call <them>", "due": "2026-03-10", "by": "Boss & Son"}
    action = Notification.objects.create(
        user=manager, kind=Notification.Kind.ACTION_ITEM, client=client_card, details=details
    )
    when = datetime.datetime(2026, 3, 4, 22, 5, tzinfo=datetime.UTC)  # 5 March, 01:05 in Moscow
    Notification.objects.filter(pk__in=[read.pk, action.pk]).update(created_at=when)

    content = as_manager.get(LIST_URL).content.decode()

    button = 'class="list-group-item list-group-item-action d-flex gap-3 align-items-baseline text-start'
    assert (
        f'<button type="submit" formaction="{open_url(action)}" {button}'
        ' list-group-item-warning fw-semibold">'
        '<span class="badge text-bg-danger fw-normal">Action item</span>'
        '<span class="me-auto">Boss &amp; Son gave you an action item on Steel &lt;&amp;&gt; Co:'
        " Call &lt;them&gt; (due 10 Mar 2026).</span>"
        '<span class="badge text-bg-warning">new</span>'
        '<small class="text-muted text-nowrap fw-normal">5 Mar 2026, 01:05</small></button>'
    ) in content
    assert (
        f'<button type="submit" formaction="{open_url(read)}" {button}">'
        '<span class="me-auto">Steel &lt;&amp;&gt; Co: category B (was C)</span>'
        '<small class="text-muted text-nowrap fw-normal">5 Mar 2026, 01:05</small></button>'
    ) in content


def test_the_first_page_comes_from_a_prepared_query_and_the_next_from_the_cursor(
    as_manager, manager, monkeypatch
):
    """The page the list opens on is read by a query compiled once per process; a page after a
    cursor by the pager's own."""
    from segmentation.notifications import selectors

    prepared, asked = selectors._FIRST, []

    def spied(*args):
        asked.append(args)
        return prepared(*args)

    monkeypatch.setattr(selectors, "_FIRST", spied)
    made = [
        notify(manager, ClientFactory(responsible_manager=manager), "tier", "bronze", "silver")
        for _ in range(52)
    ]
    newest_first = [n.pk for n in sorted(made, key=lambda n: (n.created_at, n.pk), reverse=True)]

    first = as_manager.get(LIST_URL)
    second = as_manager.get(LIST_URL, {"after": first.context["page"].next_cursor})

    assert [n.pk for n, _text in first.context["rows"]] == newest_first[:50]
    assert [n.pk for n, _text in second.context["rows"]] == newest_first[50:]
    assert (first.context["page"].total, second.context["page"].total) == (52, 52)
    assert asked == [(manager.pk,)]


def test_notification_list_in_russian_uses_the_russian_segment_names(as_manager, manager, mine):
    manager.language = "ru"
    manager.save()

    response = as_manager.get(LIST_URL)

    texts = [text for _n, text in response.context["rows"]]
    assert "В зоне риска" in texts[0]
    assert "Активный" in texts[0]
    assert "Вторая лига" in texts[1]
    assert "Третья лига" in texts[1]


def test_notification_list_of_a_user_without_notifications_says_so(as_director, mine):
    response = as_director.get(LIST_URL)

    content = response.content.decode()
    assert response.context["rows"] == []
    assert "No notifications yet." in content
    assert f'action="{READ_ALL_URL}"' not in content


def test_notification_list_query_count_does_not_grow_with_notifications(as_manager, manager, assert_queries):
    # the session with the user, their role names and unread badge, the total, the page; no
    # permission is checked
    queries = 3
    notify(manager, ClientFactory(responsible_manager=manager), "tier", "bronze", "silver")
    one = assert_queries(queries, lambda: as_manager.get(LIST_URL))
    for _ in range(49):
        notify(manager, ClientFactory(responsible_manager=manager), "category", "D", "C")

    fifty = assert_queries(queries, lambda: as_manager.get(LIST_URL))

    assert (one.status_code, fifty.status_code) == (200, 200)
    assert (len(one.context["rows"]), len(fifty.context["rows"])) == (1, 50)


def test_notification_list_pages_by_fifty(as_manager, manager, client_card):
    created = [notify(manager, client_card, "tier", "bronze", "silver") for _ in range(55)]

    first = as_manager.get(LIST_URL)
    second = as_manager.get(LIST_URL, {"after": first.context["page"].next_cursor})
    broken = as_manager.get(LIST_URL, {"after": "not-a-cursor"})

    newest_first = [n.pk for n in reversed(created)]
    assert [n.pk for n, _t in first.context["rows"]] == newest_first[:50]
    assert [n.pk for n, _t in second.context["rows"]] == newest_first[50:]
    assert [n.pk for n, _t in broken.context["rows"]] == newest_first[:50]


# Reading


def test_opening_a_notification_marks_it_read_and_opens_the_client_card(as_manager, mine, client_card):
    response = as_manager.post(open_url(mine[1]))

    mine[1].refresh_from_db()
    first_read = mine[1].read_at
    again = as_manager.post(open_url(mine[1]))
    mine[1].refresh_from_db()
    assert response.status_code == 302
    assert response.url == reverse("accounts:client_detail", args=[client_card.pk])
    assert first_read is not None
    assert again.status_code == 302
    assert mine[1].read_at == first_read


def test_mark_all_read_marks_only_my_unread_notifications(as_manager, mine, theirs):
    read_before = Notification.objects.get(pk=mine[0].pk).read_at

    response = as_manager.post(READ_ALL_URL)

    assert response.status_code == 302
    assert response.url == LIST_URL
    assert messages_of(response) == ["2 notifications were marked read."]
    assert Notification.objects.filter(user=mine[0].user, read_at__isnull=True).count() == 0
    assert Notification.objects.get(pk=mine[0].pk).read_at == read_before
    assert Notification.objects.get(pk=theirs.pk).read_at is None


# The badge


def test_navbar_badge_shows_my_unread_count(as_manager, mine, theirs):
    response = as_manager.get(reverse("accounts:client_list"))

    content = response.content.decode()
    assert (
        '<span class="badge rounded-pill text-bg-danger">2<span class="visually-hidden"> unread</span>'
        in content
    )


def test_navbar_has_no_badge_without_unread_notifications(as_outsider, mine):
    response = as_outsider.get(reverse("accounts:client_list"))

    content = response.content.decode()
    assert f'href="{LIST_URL}">Notifications</a>' in content
    assert "text-bg-danger" not in content


@pytest.mark.django_db
def test_unread_count_costs_no_query_for_anonymous_users(assert_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    assert assert_queries(0, lambda: notifications_context(request)) == {}


def test_unread_count_is_one_query_run_once_and_only_when_shown(manager, mine, assert_queries):
    request = RequestFactory().get("/")
    request.user = manager

    context = assert_queries(0, lambda: notifications_context(request))
    unread = context["unread_notification_count"]

    assert assert_queries(1, lambda: (unread(), unread())) == (2, 2)


def test_admin_sees_policy_and_runs_links_and_a_manager_does_not(as_admin, client, manager):
    admin_page = as_admin.get(LIST_URL).content.decode()
    client.force_login(manager)
    manager_page = client.get(LIST_URL).content.decode()

    for link in [reverse("segmentation:policy"), reverse("segmentation:run_list")]:
        assert f'href="{link}"' in admin_page
        assert f'href="{link}"' not in manager_page


# The engine writes them


def test_engine_notifies_the_responsible_manager_of_a_client_at_risk(as_manager, client_card):
    today = timezone.localdate()
    SaleFactory(client=client_card, date=today - datetime.timedelta(days=80), amount=1000)
    recompute(today=today)
    assert as_manager.get(LIST_URL).context["rows"] == []  # a first computation is not news

    recompute(today=today + datetime.timedelta(days=20))
    response = as_manager.get(LIST_URL)

    assert [text for _n, text in response.context["rows"]] == [
        "Siberian Steel: purchase status At risk (was Active)"
    ]


# The digest


@pytest.fixture
def digest_people(manager, outsider, mine, theirs):
    nomail = ManagerFactory(username="nomail", email="")
    gone = ManagerFactory(username="gone", is_active=False)
    client = ClientFactory(name="Baikal Paper")
    return {
        "nomail": notify(nomail, client, "tier", "silver", "gold"),
        "gone": notify(gone, client, "tier", "silver", "gold"),
    }


def test_send_digests_sends_each_user_one_email_with_their_changes(digest_people, manager, outsider):
    sent = send_digests(now=NOW)

    assert sent == 2
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["manager@example.com"], "KAM: 3 new notifications"),
        (["outsider@example.com"], "KAM: 1 new notification"),
    ]
    assert mail.outbox[0].from_email == "kam@localhost"
    assert mail.outbox[0].body == (
        "Hello, Anna Smirnova.\n"
        "\n"
        "New since the last e-mail:\n"
        "\n"
        "- Siberian Steel: category B (was C)\n"
        "- Siberian Steel: league Second league (was Third league)\n"
        "- Siberian Steel: purchase status At risk (was Active)\n"
        "\n"
        "The client cards and all notifications are in the app."
    )
    assert "- Ural Pipes: tier Silver (was Bronze)\n" in mail.outbox[1].body


def test_send_digests_marks_sent_notifications_and_leaves_users_without_an_address(digest_people):
    send_digests(now=NOW)

    emailed = dict(
        Notification.objects.values_list("user__username", "emailed_at").order_by("user__username")
    )
    again = send_digests(now=NOW)

    assert emailed == {"gone": None, "manager": NOW, "nomail": None, "outsider": NOW}
    assert again == 0
    assert len(mail.outbox) == 2


def test_send_digests_writes_in_the_users_language(manager, mine):
    manager.language = "ru"
    manager.save()
    language = translation.get_language()

    send_digests(now=NOW)

    body = mail.outbox[0].body
    assert "Siberian Steel" in body
    assert "В зоне риска" in body
    assert "Вторая лига" in body
    assert translation.get_language() == language


def test_send_digests_command_and_task_report_the_emails_sent(manager, mine, outsider, theirs):
    out = io.StringIO()
    call_command("send_digests", stdout=out)

    assert out.getvalue() == "Sent 2 digest e-mail(s).\n"
    notify(manager, ClientFactory(name="Angara Timber"), "tier", "bronze", "gold")
    assert send_notification_digests() == 1
    assert mail.outbox[-1].subject == "KAM: 1 new notification"
