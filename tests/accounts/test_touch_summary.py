"""Each client's touch summary (latest touch, next step of the latest that set one), kept by
triggers whatever writes the touches."""

from datetime import date

from accounts.models import Client, Touch
from tests.factories import ClientFactory, TouchFactory

JAN, FEB, MAR = date(2026, 1, 10), date(2026, 2, 10), date(2026, 3, 10)


def summary(client):
    fresh = Client.objects.get(pk=client.pk)
    return fresh.last_touch_on, fresh.next_step, fresh.next_step_due


def test_a_client_never_touched_has_an_empty_summary(client_card):
    assert summary(client_card) == (None, "", None)


def test_the_latest_touch_and_the_latest_step_are_summed_up_as_touches_come(client_card):
    TouchFactory(client=client_card, date=FEB, next_step="Send the offer", next_step_date=MAR)
    TouchFactory(client=client_card, date=MAR, next_step="")
    TouchFactory(client=client_card, date=JAN, next_step="An older step", next_step_date=FEB)

    assert summary(client_card) == (MAR, "Send the offer", MAR)


def test_editing_and_deleting_touches_sums_the_client_up_again(client_card):
    older = TouchFactory(client=client_card, date=JAN, next_step="Call back", next_step_date=FEB)
    latest = Touch.objects.get(
        pk=TouchFactory(client=client_card, date=FEB, next_step="Meet the buyer", next_step_date=None).pk
    )

    latest.next_step = ""
    latest.save()
    assert summary(client_card) == (FEB, "Call back", FEB)

    latest.date = date(2025, 12, 1)
    latest.save()
    assert summary(client_card) == (JAN, "Call back", FEB)

    older.delete()
    assert summary(client_card) == (date(2025, 12, 1), "", None)

    latest.delete()
    assert summary(client_card) == (None, "", None)


def test_a_touch_moved_to_another_client_sums_up_both(client_card):
    other = ClientFactory()
    moving = TouchFactory(client=client_card, date=FEB, next_step="Step", next_step_date=MAR)

    Touch.objects.filter(pk=moving.pk).update(client=other)

    assert summary(client_card) == (None, "", None)
    assert summary(other) == (FEB, "Step", MAR)


def test_many_touches_written_by_one_statement_sum_up_every_client(client_card):
    others = ClientFactory.create_batch(3)
    Touch.objects.bulk_create(
        [
            Touch(
                client=client, date=day, summary="Call", next_step=step, next_step_date=MAR if step else None
            )
            for client in [client_card, *others]
            for day, step in ((JAN, "First"), (FEB, ""))
        ]
    )
    assert {summary(c) for c in [client_card, *others]} == {(FEB, "First", MAR)}

    Touch.objects.filter(client__in=others[:2]).delete()

    assert [summary(c) for c in others] == [(None, "", None), (None, "", None), (FEB, "First", MAR)]


def test_saving_a_card_read_before_a_touch_keeps_the_summary(client_card):
    stale = Client.objects.get(pk=client_card.pk)
    TouchFactory(client=client_card, date=FEB, next_step="Send the offer", next_step_date=MAR)

    stale.notes = "Edited meanwhile"
    stale.save()

    assert summary(client_card) == (FEB, "Send the offer", MAR)
    assert Client.objects.get(pk=client_card.pk).notes == "Edited meanwhile"


def test_the_card_history_does_not_record_the_summary(client_card):
    TouchFactory(client=client_card, date=FEB, next_step="Send the offer", next_step_date=MAR)

    fields = {field.name for field in Client.history.model._meta.fields}

    assert not fields & {"last_touch_on", "next_step", "next_step_due"}
