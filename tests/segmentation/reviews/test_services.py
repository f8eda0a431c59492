"""The key-list review (DOMAIN §8): the snapshot, decisions through the card's rules, action
items, closing with the minutes, and the difference from the previous closed review."""

from datetime import date, timedelta

import pytest
from django.utils import formats, timezone

from accounts.models import Client
from segmentation.keys.services import DecisionRefused
from segmentation.models import (
    ActionItem,
    ClientSegment,
    KeyStatus,
    NightlyRun,
    Notification,
    Policy,
    Reassignment,
    Review,
    ReviewItem,
    SegmentChange,
)
from segmentation.radar.flags import flag_q
from segmentation.reviews import services
from tests.factories import ClientFactory, ManagerFactory
from tests.segmentation.reviews.conftest import make_key, tiered

pytestmark = pytest.mark.django_db
TODAY = date.today()


def snapshot(review):
    return list(
        review.items.order_by("position").values_list("client__name", "was_key", "tier", "manager_id")
    )


def test_opening_snapshots_key_clients_first_then_the_ranked_candidates(review, base, manager):
    assert snapshot(review) == [
        ("Alfa Key", True, "gold", manager.pk),
        ("Beta Key", True, "silver", manager.pk),
        ("Gamma Candidate", False, "silver", manager.pk),
        ("Delta Candidate", False, "silver", None),
    ]
    item = review.items.get(client=base["candidate_small"])
    assert {"no_manager", "never_met"} <= set(item.flags)
    assert review.items.get(client=base["key_gold"]).reasons == ["strategic"]


def test_the_snapshot_keeps_what_was_when_the_client_changes_later(review, base, director):
    services.review_decide(
        item=review.items.get(client=base["key_silver"]),
        decision="revoke",
        note="Buys elsewhere",
        by=director,
    )
    item = review.items.get(client=base["key_silver"])
    assert (item.was_key, item.decision, item.note) == (True, "revoke", "Buys elsewhere")
    assert KeyStatus.objects.get(client=base["key_silver"]).is_key is False


def test_only_one_review_is_open_at_a_time(review, director):
    with pytest.raises(services.ReviewRefused) as refused:
        services.review_open(by=director, today=TODAY)
    assert refused.value.message == "A review is already open: close it before opening another."
    assert Review.objects.count() == 1


def test_a_grant_applies_through_the_key_rules_and_is_recorded(review, base, director):
    item = review.items.get(client=base["candidate_big"])

    warnings = services.review_decide(
        item=item, decision="grant", note="Opens doors", reasons=["image"], by=director
    )

    # three sized small, and the fifteen plain clients the nightly run has not sized yet, which
    # count as small as they do on the workload board
    assert warnings == [
        "Anna Smirnova also carries 18 small clients; a key account manager should not carry small clients."
    ]
    status = KeyStatus.objects.get(client=base["candidate_big"])
    assert (status.is_key, status.reasons, status.decided_by) == (True, ["image"], director)
    item.refresh_from_db()
    assert (item.decision, item.decided_by) == ("grant", director)


def test_a_grant_the_cap_refuses_is_not_recorded(review, base, director):
    make_key(base["bronze"])  # four key clients now: the cap of 20 active clients
    make_key(Client.objects.exclude(review_items__isnull=False).exclude(pk=base["bronze"].pk).first())
    item = review.items.get(client=base["candidate_big"])

    with pytest.raises(DecisionRefused) as refused:
        services.review_decide(item=item, decision="grant", note="", reasons=["potential"], by=director)

    assert refused.value.message.startswith(
        "Refused: key clients may not exceed 20% of the 20 active clients (4)."
    )
    item.refresh_from_db()
    assert (item.decision, item.decided_by) == ("", None)
    assert not KeyStatus.objects.filter(client=base["candidate_big"], is_key=True).exists()


def test_a_grant_to_a_client_without_a_manager_is_refused(review, base, director):
    item = review.items.get(client=base["candidate_small"])
    with pytest.raises(DecisionRefused) as refused:
        services.review_decide(item=item, decision="grant", note="", reasons=["potential"], by=director)
    assert refused.value.message == "Refused: a key client needs its responsible manager. Assign one first."
    assert ReviewItem.objects.get(pk=item.pk).decision == ""


def test_reassign_changes_the_responsible_manager(review, base, director):
    newcomer = ManagerFactory(first_name="Ivan", last_name="Orlov")
    item = review.items.get(client=base["candidate_small"])

    services.review_decide(item=item, decision="reassign", note="", manager=newcomer, by=director)

    assert Client.objects.get(pk=base["candidate_small"].pk).responsible_manager == newcomer
    assert ReviewItem.objects.get(pk=item.pk).decision == "reassign"
    move = Reassignment.objects.get()
    opened = formats.date_format(timezone.localtime(review.opened_at).date(), "SHORT_DATE_FORMAT")
    assert (move.reason, move.clients, move.applied_by) == (f"Key-list review of {opened}", 1, director)
    assert Notification.objects.filter(user=newcomer, kind=Notification.Kind.REASSIGNED).count() == 1
    assert Client.history.filter(id=base["candidate_small"].pk).latest().history_change_reason == move.reason


def test_reassign_under_forbid_is_refused_with_the_rule_and_not_recorded(review, base, director):
    Policy.objects.filter(pk=Policy.current().pk).update(kam_small_clients="forbid")
    kam = ManagerFactory(first_name="Ivan", last_name="Orlov")
    make_key(
        tiered(ClientFactory(name="Kam's key", responsible_manager=kam), "gold", 100, size_class="largest")
    )
    item = review.items.get(client=base["candidate_small"])
    ClientSegment.objects.filter(client=base["candidate_small"]).update(size_class="small")

    with pytest.raises(services.ReviewRefused, match="Ivan Orlov also carries 1 small client"):
        services.review_decide(item=item, decision="reassign", note="", manager=kam, by=director)

    assert Client.objects.get(pk=base["candidate_small"].pk).responsible_manager != kam
    assert (ReviewItem.objects.get(pk=item.pk).decision, Reassignment.objects.count()) == ("", 0)


def test_reassign_to_the_same_manager_or_nobody_is_refused(review, base, director, manager):
    item = review.items.get(client=base["key_gold"])
    with pytest.raises(services.ReviewRefused, match="is already responsible for Alfa Key"):
        services.review_decide(item=item, decision="reassign", note="", manager=manager, by=director)
    with pytest.raises(services.ReviewRefused, match="Choose the new responsible manager"):
        services.review_decide(item=item, decision="reassign", note="", manager=None, by=director)
    assert ReviewItem.objects.get(pk=item.pk).decision == ""


def test_keep_and_watch_are_recorded_without_changing_the_client(review, base, director):
    keep = review.items.get(client=base["key_gold"])
    watch = review.items.get(client=base["candidate_small"])
    services.review_decide(item=keep, decision="keep", note="", by=director)
    services.review_decide(item=watch, decision="watch", note="Ask the country office", by=director)
    assert list(review.items.exclude(decision="").values_list("client__name", "decision", "note")) == [
        ("Alfa Key", "keep", ""),
        ("Delta Candidate", "watch", "Ask the country office"),
    ]
    assert KeyStatus.objects.filter(is_key=True).count() == 2


def test_an_unknown_decision_is_refused(review, director):
    with pytest.raises(services.ReviewRefused, match="Unknown decision: fire"):
        services.review_decide(item=review.items.first(), decision="fire", note="", by=director)


def close(review, director, **extra):
    values = {"attendees": [director], "guests": "CEO", "summary": "Agreed the list."} | extra
    return services.review_close(review=review, by=director, **values)


def test_closing_records_attendees_and_minutes_and_makes_it_read_only(review, base, director):
    close(review, director)

    review.refresh_from_db()
    assert (review.closed_by, review.guests, review.summary) == (director, "CEO", "Agreed the list.")
    assert list(review.attendees.all()) == [director]
    item = review.items.first()
    with pytest.raises(services.ReviewRefused, match="This review is closed"):
        services.review_decide(item=item, decision="keep", note="", by=director)
    with pytest.raises(services.ReviewRefused, match="This review is closed"):
        services.action_add(item=item, what="Visit", owner=director, due=TODAY, by=director)
    with pytest.raises(services.ReviewRefused, match="closed already"):
        close(review, director)


@pytest.mark.parametrize(
    ("extra", "message"),
    [({"summary": "  "}, "Write the minutes"), ({"attendees": []}, "Name at least one attendee")],
)
def test_closing_without_minutes_or_attendees_is_refused(review, director, extra, message):
    with pytest.raises(services.ReviewRefused, match=message):
        close(review, director, **extra)
    assert Review.objects.get(pk=review.pk).closed_at is None


def test_action_items_are_added_and_done_by_their_owner(review, base, director, manager):
    item = review.items.get(client=base["key_gold"])
    action = services.action_add(
        item=item, what="  Visit the Paris office ", owner=manager, due=TODAY + timedelta(days=7), by=director
    )
    assert (action.what, action.owner, action.status, action.created_by) == (
        "Visit the Paris office",
        manager,
        "open",
        director,
    )

    services.action_set_status(action=action, status="done", by=manager)
    action.refresh_from_db()
    assert action.status == "done"
    assert action.done_at is not None
    services.action_set_status(action=action, status="open", by=manager)
    action.refresh_from_db()
    assert (action.status, action.done_at) == ("open", None)
    assert ActionItem.history.filter(id=action.pk).count() == 3
    with pytest.raises(services.ReviewRefused, match="Unknown status"):
        services.action_set_status(action=action, status="later", by=manager)


def test_the_difference_from_the_previous_closed_review(review, base, director):
    newcomer = ManagerFactory()
    services.review_decide(
        item=review.items.get(client=base["candidate_big"]),
        decision="grant",
        note="",
        reasons=["potential"],
        by=director,
    )
    services.review_decide(
        item=review.items.get(client=base["key_silver"]), decision="revoke", note="Gone", by=director
    )
    services.review_decide(
        item=review.items.get(client=base["candidate_small"]),
        decision="reassign",
        note="",
        manager=newcomer,
        by=director,
    )
    close(review, director)

    second = services.review_open(by=director, today=TODAY)
    from segmentation.reviews.selectors import difference

    diff = difference(second)
    assert second.previous == review
    assert [n for _pk, n in diff.entered.names] == ["Gamma Candidate"]
    assert [n for _pk, n in diff.left.names] == ["Beta Key"]
    assert [n for _pk, n in diff.manager_changed.names] == ["Delta Candidate"]
    resolved = {f.flag.name: [n for _pk, n in f.resolved.names] for f in diff.flags}
    assert resolved["no_manager"] == ["Delta Candidate"]
    assert diff.entered.names == [(base["candidate_big"].get_absolute_url(), "Gamma Candidate")]


def test_the_difference_is_kept_when_the_review_opens_and_read_without_a_query(
    base, director, django_assert_num_queries
):
    from segmentation.reviews.selectors import changes, difference

    first = services.review_open(by=director, today=TODAY)
    services.review_decide(
        item=first.items.get(client=base["key_silver"]), decision="revoke", note="Gone", by=director
    )
    close(first, director)
    second = services.review_open(by=director, today=TODAY)
    second.refresh_from_db()
    second.previous  # noqa: B018 (loaded, as the page's view loads it)

    assert second.difference == changes(second)
    assert second.difference["left"] == [1, [[base["key_silver"].pk, "Beta Key"]]]
    with django_assert_num_queries(0):
        diff = difference(second)
    assert [name for _url, name in diff.left.names] == ["Beta Key"]


def test_the_first_review_has_no_difference(review):
    from segmentation.reviews.selectors import difference

    assert difference(review) is None


def league_change(client, started_at, old="third"):
    run = NightlyRun.objects.create(run_on=started_at.date(), status=NightlyRun.Status.SUCCESS)
    NightlyRun.objects.filter(pk=run.pk).update(started_at=started_at)
    SegmentChange.objects.create(run=run, client=client, kind="league", old=old, new="second")


def league_flagged():
    return list(
        Client.objects.filter(flag_q("league_changed", TODAY, Policy.current())).values_list(
            "name", flat=True
        )
    )


def test_league_changed_counts_changes_after_the_last_closed_review(review, base, director):
    now = timezone.now()
    league_change(base["key_gold"], now - timedelta(days=3))
    assert league_flagged() == []  # no closed review yet

    close(review, director)
    Review.objects.filter(pk=review.pk).update(opened_at=now - timedelta(days=1))
    league_change(base["key_silver"], now)
    league_change(base["candidate_big"], now, old="")  # its first computation

    assert league_flagged() == ["Beta Key"]


def test_the_owner_of_an_action_item_is_notified(review, base, director, manager, as_manager):
    from segmentation.models import Notification
    from segmentation.notifications.words import notification_target, notification_text

    item = review.items.get(client=base["key_gold"])
    due = date(2030, 1, 15)
    services.action_add(item=item, what="Visit Paris", owner=manager, due=due, by=director)
    services.action_add(item=item, what="My own", owner=director, due=due, by=director)

    told = Notification.objects.get()
    assert (told.user, told.kind, told.client) == (manager, "action_item", base["key_gold"])
    assert (
        notification_text(told)
        == "Dmitry Volkov gave you an action item on Alfa Key: Visit Paris (due 15 Jan 2030)."
    )
    assert notification_target(told) == "/segments/reviews/actions/"
    page = as_manager.get("/segments/notifications/").content.decode()
    assert "Dmitry Volkov gave you an action item on Alfa Key: Visit Paris (due 15 Jan 2030)." in page
