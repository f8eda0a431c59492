"""The daily e-mail lists the day's birthdays of the user's decision makers and influencers,
with or without notifications."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from accounts.models import Contact
from segmentation.notifications.services import send_digests
from tests.factories import ClientFactory, ContactFactory, ManagerFactory, TeamMemberFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 20, 4, 0, tzinfo=UTC)


def born_today(client, name, role=Contact.DecisionRole.DECISION_MAKER):
    return ContactFactory(
        client=client, name=name, birthday=NOW.date().replace(year=1980), decision_role=role
    )


def test_a_manager_gets_the_day_s_birthdays(manager, client_card, outsider):
    born_today(client_card, "Ivan Kuzmin")
    born_today(client_card, "Olga User", role=Contact.DecisionRole.USER)
    ContactFactory(
        client=client_card, name="Tomorrow", birthday=(NOW + timedelta(days=1)).date().replace(year=1980)
    )
    teamed = ClientFactory(name="Baikal Paper", responsible_manager=ManagerFactory(email=""))
    TeamMemberFactory(client=teamed, user=manager)
    born_today(teamed, "Pyotr Sokolov", role=Contact.DecisionRole.INFLUENCER)

    sent = send_digests(now=NOW)

    assert sent == 1
    assert [(m.to, m.subject) for m in mail.outbox] == [(["manager@example.com"], "KAM: your day")]
    assert mail.outbox[0].body == (
        "Hello, Anna Smirnova.\n"
        "\n"
        "Birthdays today:\n"
        "\n"
        "- Ivan Kuzmin (Decision maker), Siberian Steel\n"
        "- Pyotr Sokolov (Influencer), Baikal Paper\n"
        "\n"
        "The client cards and all notifications are in the app."
    )


def test_nobody_is_written_to_without_anything_to_say(manager, client_card):
    assert send_digests(now=NOW) == 0
    assert mail.outbox == []


def test_overdue_plan_steps_are_in_the_e_mail(manager, client_card):
    from plans.models import PlanStep
    from plans.services import plan_create

    plan = plan_create(client=client_card, kind="development", by=manager, today=NOW.date())
    first, second, *_rest = plan.steps.order_by("position")
    PlanStep.objects.filter(pk=first.pk).update(due=NOW.date() - timedelta(days=3))
    PlanStep.objects.filter(pk=second.pk).update(due=NOW.date() - timedelta(days=1), done_on=NOW.date())

    assert send_digests(now=NOW) == 1
    body = mail.outbox[0].body
    assert "Overdue plan steps:\n\n- Siberian Steel: " in body
    assert body.count("- Siberian Steel: ") == 1
    assert "(due 17 Dec 2026)" in body
