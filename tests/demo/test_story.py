"""The demo's story for the directors: key clients within the cap, the France case on top of the
radar, a closed review with decisions, an overdue action item and the minutes, and an open one."""

import datetime

import pytest

from accounts.models import Client, Touch
from kam.demo.seed import seed_demo
from kam.demo.story import FRANCE_NAME, tell_story
from kam.users.models import User
from segmentation.keys.selectors import key_cap
from segmentation.models import ActionItem, KeyStatus, Policy, Review
from segmentation.radar.flags import flag_q
from segmentation.reviews.selectors import difference

TODAY = datetime.date(2026, 3, 18)


@pytest.fixture
def story(db):
    seed_demo(clients=60, seed=3, today=TODAY)
    users = {user.username: user for user in User.objects.all()}
    return tell_story(users=users, today=TODAY)


def flagged(name):
    return set(Client.objects.filter(flag_q(name, TODAY, Policy.current())).values_list("name", flat=True))


def test_key_clients_are_granted_with_reasons_within_the_cap(story):
    cap = key_cap(Policy.current())
    keys = KeyStatus.objects.filter(is_key=True)
    assert story["key_clients"] == keys.count() == min(10, cap.limit)
    assert cap.count <= cap.limit
    assert all(status.reasons for status in keys)
    assert {r for status in keys for r in status.reasons} == {"potential", "strategic", "image", "competence"}


def test_the_france_case_is_gold_abroad_nobody_responsible_never_met(story):
    france = Client.objects.select_related("segment").get(name=FRANCE_NAME)
    assert france.responsible_manager is None
    assert set(france.points.values_list("country", flat=True)) == {"FR"}
    assert not france.touches.filter(kind=Touch.Kind.MEETING).exists()
    assert france.segment.tier == "gold"
    assert FRANCE_NAME in flagged("no_manager") & flagged("never_met")


def test_one_closed_review_with_decisions_and_actions_and_one_open(story):
    closed, opened = Review.objects.order_by("opened_at")
    assert (closed.is_open, opened.is_open) == (False, True)
    assert opened.previous == closed
    assert "Франции" in closed.summary
    assert closed.attendees.count() == 4
    decisions = list(closed.items.exclude(decision="").values_list("decision", flat=True))
    assert sorted(set(decisions)) == ["grant", "keep", "reassign", "watch"]
    overdue = ActionItem.objects.filter(due__lt=TODAY, status="open")
    assert [a.item.client.name for a in overdue] == [FRANCE_NAME]
    assert opened.items.filter(was_key=True).count() == story["key_clients"]
    diff = difference(opened)
    assert (diff.entered.count, diff.left.count, diff.manager_changed.count) == (2, 0, 1)


def test_the_story_is_told_once(story):
    users = {user.username: user for user in User.objects.all()}
    assert tell_story(users=users, today=TODAY) == {}
    assert Review.objects.count() == 2


def test_managers_have_plans_with_steps_done_due_and_overdue(story):
    from plans.models import Plan, PlanStep

    assert story["plans"] == Plan.objects.count() > 0
    assert set(Plan.objects.values_list("owner__username", flat=True)) <= {"manager1", "manager2", "manager3"}
    steps = PlanStep.objects.filter(plan__status="active")
    assert steps.filter(done_on__isnull=False).count() == 2 * story["plans"]
    assert steps.filter(done_on__isnull=True, due__lt=TODAY).exists()


def test_the_biggest_client_of_manager1_answered_the_questionnaires_with_one_low_score(story):
    from plans.models import Answer, Survey

    surveys = Survey.objects.filter(client__responsible_manager__username="manager1")
    assert story["surveys"] == surveys.count() == 4
    assert surveys.values("client").distinct().count() == 2
    low = Answer.objects.filter(score__lte=2)
    assert [a.question.text_en for a in low] == ["Our prices are fair for what you get"]
    assert all(s.respondent.client_id == s.client_id for s in surveys)


def test_managers_climbed_the_loyalty_ladder_to_different_heights(story):
    from plans.activities.selectors import ladder_summary
    from plans.models import Activity

    assert story["activities"] == Activity.objects.count() > 0
    tops = {
        ladder_summary(client, today=TODAY).top
        for client in Client.objects.filter(activities__isnull=False).distinct()
    }
    assert len(tops) >= 4
    assert Activity.objects.filter(date__gt=TODAY).exists()
    assert Activity.objects.filter(plan__isnull=False).exists()
    assert set(Activity.objects.values_list("duration_minutes", flat=True)) == {120, 240}
    assert set(Activity.objects.values_list("created_by__username", flat=True)) <= {
        "manager1",
        "manager2",
        "manager3",
    }
