"""The run log, "Recompute now", and the scheduled run that follows the policy's nightly time."""

import datetime
import logging
import zoneinfo
from typing import Any
from unittest import mock

import pytest
from celery.schedules import crontab
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from kam.celery import app
from segmentation.models import ClientSegment, NightlyRun, Policy
from segmentation.ops.selectors import abandoned_run_ids
from segmentation.ops.services import nightly_run_due
from segmentation.tasks import recompute_segments, run_nightly_if_due
from tests.factories import ClientFactory, SaleFactory
from tests.helpers import messages_of

LIST_URL = reverse("segmentation:run_list")
START_URL = reverse("segmentation:run_start")
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment in June 2025, Moscow time (the project's TIME_ZONE)."""
    return datetime.datetime(2025, 6, day, hour, minute, tzinfo=MOSCOW)


def make_run(
    started: datetime.datetime, status: str = NightlyRun.Status.SUCCESS, **fields: Any
) -> NightlyRun:
    run = NightlyRun.objects.create(run_on=started.date(), status=status, **fields)
    NightlyRun.objects.filter(pk=run.pk).update(started_at=started)
    run.refresh_from_db()
    return run


# Access


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "method"), [(LIST_URL, "get"), (START_URL, "post")])
def test_runs_anonymous_is_sent_to_login(client, url, method):
    response = getattr(client, method)(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"
    assert NightlyRun.objects.count() == 0


@pytest.mark.parametrize("persona", ["as_manager", "as_director"])
@pytest.mark.parametrize(("url", "method"), [(LIST_URL, "get"), (START_URL, "post")])
def test_runs_are_forbidden_to_managers_and_directors(request, persona, url, method):
    browser = request.getfixturevalue(persona)

    response = getattr(browser, method)(url)

    assert response.status_code == 403
    assert NightlyRun.objects.count() == 0


@pytest.mark.parametrize(("url", "method"), [(LIST_URL, "post"), (START_URL, "get"), (START_URL, "put")])
def test_runs_refuse_the_wrong_method(as_admin, url, method):
    response = getattr(as_admin, method)(url)

    assert response.status_code == 405
    assert NightlyRun.objects.count() == 0


# The log


def test_run_list_shows_runs_newest_first_with_changes_in_words(as_admin):
    old = make_run(
        at(1, 2),
        clients=300,
        changes={"category": 2, "lost_status": 1},
        finished_at=at(1, 2, 1),
        trigger="schedule",
    )
    failed = make_run(at(2, 2), NightlyRun.Status.FAILED, error="OperationalError('disk full')")

    response = as_admin.get(LIST_URL)

    rows = response.context["rows"]
    content = response.content.decode()
    assert [row.run for row in rows] == [failed, old]
    assert [(row.seconds, [(c.label, c.count) for c in row.changes]) for row in rows] == [
        (None, []),
        (60.0, [("Category", 2), ("Purchase status", 1)]),
    ]
    assert f'href="/clients/?run={old.pk}&amp;moved=category"' in content
    assert "Category: 2</a>" in content
    assert "Purchase status: 1</a>" in content
    assert "60.0 s" in content
    assert "Finished" in content
    assert "OperationalError(&#x27;disk full&#x27;)" in content


def test_run_list_rows_carry_the_run_and_its_status_for_the_smoke_test(as_admin):
    finished = make_run(at(1, 2), finished_at=at(1, 2, 1))
    running = make_run(at(2, 2), NightlyRun.Status.RUNNING)

    content = as_admin.get(LIST_URL).content.decode()

    assert f'<tr data-run="{running.pk}" data-status="running">' in content
    assert f'<tr data-run="{finished.pk}" data-status="success">' in content


def test_run_list_shows_the_latest_hundred(as_admin):
    NightlyRun.objects.bulk_create(NightlyRun(run_on=datetime.date(2025, 6, 1)) for _ in range(101))

    response = as_admin.get(LIST_URL)

    newest = list(NightlyRun.objects.values_list("pk", flat=True)[:100])
    assert [row.run.pk for row in response.context["rows"]] == newest


def test_run_list_query_count_does_not_grow_with_runs(as_admin, assert_queries):
    queries = 2  # the session with the user, their roles, permissions and unread badge, the runs
    make_run(at(1, 2), changes={"tier": 1})
    one = assert_queries(queries, lambda: as_admin.get(LIST_URL))
    for day in range(2, 30):
        make_run(at(day, 2), changes={"tier": 1, "league": 2})
        make_run(at(day, 3), NightlyRun.Status.FAILED, error="boom")

    many = assert_queries(queries, lambda: as_admin.get(LIST_URL))

    assert (one.status_code, many.status_code) == (200, 200)
    assert (len(one.context["rows"]), len(many.context["rows"])) == (1, 57)


# Recompute now


@override_settings(CELERY_BROKER_URL="")
def test_run_start_without_a_broker_runs_the_engine_in_the_request(as_admin):
    client = ClientFactory(name="Siberian Steel")
    SaleFactory(client=client, date=timezone.localdate() - datetime.timedelta(days=3), amount=1000)

    response = as_admin.post(START_URL)

    run = NightlyRun.objects.get()
    assert response.status_code == 302
    assert response.url == LIST_URL
    assert (run.status, run.trigger, run.clients) == (NightlyRun.Status.SUCCESS, "Alla Kuznetsova", 1)
    assert run.changes == {"lost_status": 1, "size_class": 1, "tier": 1}
    assert messages_of(response) == ["Recomputation finished: 3 segment changes."]
    assert ClientSegment.objects.get(client=client).lost_status == "active"


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/15")
def test_run_start_with_a_broker_queues_the_task_after_commit(as_admin, django_capture_on_commit_callbacks):
    with mock.patch.object(recompute_segments, "delay") as delay:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = as_admin.post(START_URL)
            delay.assert_not_called()
        delay.assert_called_once_with(trigger="Alla Kuznetsova")

    assert len(callbacks) == 1
    assert response.status_code == 302
    assert messages_of(response) == [
        "The recomputation was queued. It shows in this log as soon as the worker starts it."
    ]
    assert NightlyRun.objects.count() == 0


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/15")
def test_run_start_with_the_broker_down_logs_and_still_answers(
    as_admin, django_capture_on_commit_callbacks, caplog
):
    with (
        mock.patch.object(recompute_segments, "delay", side_effect=BrokerError("refused")),
        django_capture_on_commit_callbacks(execute=True),
        caplog.at_level(logging.ERROR, logger="segmentation.views.ops"),
    ):
        response = as_admin.post(START_URL)

    assert response.status_code == 302
    assert [r.getMessage() for r in caplog.records] == [
        "could not queue recompute_segments for Alla Kuznetsova: the broker is unreachable"
    ]


@pytest.mark.django_db(transaction=True)
@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/15")
def test_run_start_with_the_broker_down_says_it_could_not_be_queued(as_admin, caplog):
    """Outside a test transaction, as in a real request, the enqueue runs before the answer."""
    with (
        mock.patch.object(recompute_segments, "delay", side_effect=BrokerError("refused")) as delay,
        caplog.at_level(logging.ERROR, logger="segmentation.ops.views"),
    ):
        response = as_admin.post(START_URL)

    delay.assert_called_once_with(trigger="Alla Kuznetsova")
    assert response.status_code == 302
    assert response.url == LIST_URL
    assert messages_of(response) == [
        "The recomputation could not be queued: the task queue is unreachable. Try again later."
    ]
    assert [r.getMessage() for r in caplog.records] == [
        "could not queue recompute_segments for Alla Kuznetsova: the broker is unreachable"
    ]
    assert NightlyRun.objects.count() == 0


@pytest.mark.django_db(transaction=True)
@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:6379/15")
def test_run_start_with_the_broker_up_says_queued_once_it_was(as_admin):
    with mock.patch.object(recompute_segments, "delay") as delay:
        response = as_admin.post(START_URL)

    delay.assert_called_once_with(trigger="Alla Kuznetsova")
    assert messages_of(response) == [
        "The recomputation was queued. It shows in this log as soon as the worker starts it."
    ]


# The scheduled run


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("now", "expected"),
    [(at(10, 1, 59), False), (at(10, 2, 0), True), (at(10, 14, 0), True), (at(11, 0, 30), False)],
)
def test_nightly_run_is_due_once_the_policy_time_has_passed(now, expected):
    assert nightly_run_due(now=now) is expected


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("started", "status", "expected"),
    [
        (at(10, 2, 15), NightlyRun.Status.SUCCESS, False),
        (at(10, 2, 15), NightlyRun.Status.RUNNING, False),
        (at(10, 2, 15), NightlyRun.Status.FAILED, True),
        (at(10, 2, 15), NightlyRun.Status.SKIPPED, True),
        (at(10, 1, 30), NightlyRun.Status.SUCCESS, True),
        (at(9, 2, 15), NightlyRun.Status.SUCCESS, True),
    ],
)
def test_nightly_run_is_not_due_after_a_run_since_the_policy_time(request, started, status, expected):
    if status == NightlyRun.Status.RUNNING:
        request.getfixturevalue("run_lock")  # a run that is still running holds the lock
    make_run(started, status)

    assert nightly_run_due(now=at(10, 3)) is expected


# A run killed half-way


def test_a_run_left_running_without_the_lock_is_shown_abandoned_and_the_schedule_runs_again(as_admin):
    killed = make_run(at(10, 2, 15), NightlyRun.Status.RUNNING)

    response = as_admin.get(LIST_URL)

    content = response.content.decode()
    assert [(row.run, row.abandoned) for row in response.context["rows"]] == [(killed, True)]
    assert "Abandoned: stopped without finishing" in content
    assert "text-bg-info" not in content
    assert nightly_run_due(now=at(10, 9)) is True
    assert NightlyRun.objects.get().status == NightlyRun.Status.RUNNING


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL shows who holds a lock")
def test_a_run_left_running_without_the_lock_is_abandoned_at_once_on_postgresql(as_admin):
    killed = make_run(at(10, 2, 15), NightlyRun.Status.RUNNING)

    assert [row.abandoned for row in as_admin.get(LIST_URL).context["rows"]] == [True]
    assert nightly_run_due(now=at(10, 3)) is True
    assert killed.status == NightlyRun.Status.RUNNING


@pytest.mark.skipif(connection.vendor != "postgresql", reason="only PostgreSQL shows who holds a lock")
def test_a_run_that_holds_the_lock_still_counts_as_running(as_admin, run_lock):
    older = make_run(at(10, 2, 5), NightlyRun.Status.RUNNING)
    live = make_run(at(10, 2, 15), NightlyRun.Status.RUNNING)

    rows = as_admin.get(LIST_URL).context["rows"]

    assert [(row.run, row.abandoned) for row in rows] == [(live, False), (older, True)]
    assert nightly_run_due(now=at(10, 3)) is False


@pytest.mark.django_db
def test_a_run_just_started_counts_as_running_before_it_takes_the_lock():
    make_run(timezone.now() - datetime.timedelta(seconds=20), NightlyRun.Status.RUNNING)

    assert abandoned_run_ids(list(NightlyRun.objects.all())) == set()


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor == "postgresql", reason="the time bound is SQLite's rule")
def test_on_sqlite_a_run_is_abandoned_only_after_the_generous_bound():
    recent = make_run(timezone.now() - datetime.timedelta(hours=5), NightlyRun.Status.RUNNING)
    old = make_run(timezone.now() - datetime.timedelta(hours=7), NightlyRun.Status.RUNNING)

    assert abandoned_run_ids(list(NightlyRun.objects.all())) == {old.pk}
    assert NightlyRun.objects.get(pk=recent.pk).status == NightlyRun.Status.RUNNING


@pytest.mark.django_db
def test_nightly_run_follows_the_time_set_in_the_policy():
    policy = Policy.current()
    policy.nightly_run_at = datetime.time(23, 30)
    policy.save()

    due = [nightly_run_due(now=at(10, hour, minute)) for hour, minute in [(2, 0), (23, 29), (23, 30)]]

    assert due == [False, False, True]


@pytest.mark.django_db
def test_run_nightly_if_due_runs_once_a_day_by_the_frozen_clock():
    SaleFactory(client=ClientFactory(), date=datetime.date(2025, 6, 1), amount=500)

    def tick(now: datetime.datetime) -> int | None:
        with mock.patch("django.utils.timezone.now", return_value=now):
            return run_nightly_if_due()

    results = [tick(at(10, 1, 45)), tick(at(10, 2, 0)), tick(at(10, 2, 15)), tick(at(11, 1, 45))]

    run = NightlyRun.objects.get()
    assert results == [None, run.pk, None, None]
    assert (run.run_on, run.started_at, run.trigger) == (datetime.date(2025, 6, 10), at(10, 2, 0), "schedule")
    assert run.status == NightlyRun.Status.SUCCESS
    assert tick(at(11, 2, 0)) == NightlyRun.objects.latest("started_at").pk
    assert NightlyRun.objects.count() == 2


@pytest.mark.django_db
def test_recompute_segments_task_returns_the_run_id():
    ClientFactory()

    run_id = recompute_segments("test")

    run = NightlyRun.objects.get()
    assert (run_id, run.trigger, run.status) == (run.pk, "test", NightlyRun.Status.SUCCESS)


def test_beat_schedule_checks_the_nightly_run_every_15_minutes_and_sends_digests_at_seven():
    schedule = {name: (entry["task"], entry["schedule"]) for name, entry in app.conf.beat_schedule.items()}

    assert schedule == {
        "recompute-segments-when-due": ("segmentation.tasks.run_nightly_if_due", crontab(minute="*/15")),
        "send-notification-digests": (
            "segmentation.tasks.send_notification_digests",
            crontab(hour=7, minute=0),
        ),
        "clean-up-imports": ("kam.imports.tasks.clean_up_imports", crontab(hour=3, minute=30)),
        "clean-up-exports": ("kam.exports.tasks.clean_up_exports", crontab(minute=45)),
        "clear-expired-sessions": ("kam.users.tasks.clear_expired_sessions", crontab(hour=4, minute=15)),
    }
    app.loader.import_default_modules()  # what a worker and beat import as they start: every app's tasks
    assert {task for task, _schedule in schedule.values()} <= set(app.tasks)
    assert recompute_segments.acks_late is True
