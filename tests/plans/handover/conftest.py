"""Fixtures of the handover tests: a key client with something in every part of its note, the
manager it moves to, and a move made by hand (the move service is not needed to test the notes)."""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Contact, Touch
from plans.handover import services
from plans.models import Plan, PlanKind, PlanStep
from segmentation.models import (
    ActionItem,
    ClientSegment,
    KeyStatus,
    PotentialEstimate,
    Reassignment,
    ReassignmentItem,
    Review,
    ReviewItem,
)
from tests.factories import ContactFactory, ManagerFactory, ProductGroupFactory, SaleFactory, TouchFactory

TODAY = datetime.date(2026, 6, 15)
APPLIED = datetime.datetime(2026, 6, 15, 9, 30, tzinfo=datetime.UTC)


@pytest.fixture
def successor(db):
    """The manager the client moves to."""
    return ManagerFactory(username="successor", first_name="Boris", last_name="Orlov")


def move(clients, to, *, by, previous=None, reason="Anna leaves the company"):
    """A reassignment of `clients` from `previous` (else their responsible manager) to `to`, as the
    move service records it (the card itself is not touched: the notes read only the items)."""
    reassignment = Reassignment.objects.create(
        reason=reason, clients=len(clients), applied_by=by, applied_at=APPLIED
    )
    ReassignmentItem.objects.bulk_create(
        ReassignmentItem(
            reassignment=reassignment,
            client=client,
            previous_manager=previous or client.responsible_manager,
            new_manager=to,
        )
        for client in clients
    )
    return reassignment


def make_key(client):
    KeyStatus.objects.create(client=client, is_key=True)


def make_tier(client, tier):
    ClientSegment.objects.update_or_create(client=client, defaults={"tier": tier})


def fill_card(client, manager, director):
    """Two contacts, an open and a done plan step, an open and a done action item, four touches
    and two estimates (one whitespace)."""
    ivan = ContactFactory(
        client=client,
        name="Ivan Kuzmin",
        position="Chief engineer",
        decision_role=Contact.DecisionRole.DECISION_MAKER,
        influence=60,
        attitude=Contact.Attitude.SUPPORTER,
    )
    ivan.known_by.add(manager, director)
    ContactFactory(client=client, name="Olga Lebedeva", position="", influence=10)
    ContactFactory(client=client, name="Gone Person", influence=90, is_active=False)
    plan = Plan.objects.create(client=client, kind=PlanKind.RETENTION, owner=manager, started_on=TODAY)
    PlanStep.objects.create(
        plan=plan, position=1, text_en="Meet the board", text_ru="Встретиться с правлением", done_on=TODAY
    )
    PlanStep.objects.create(
        plan=plan,
        position=2,
        text_en="Call the buyer",
        text_ru="Позвонить закупщику",
        due=datetime.date(2026, 7, 1),
    )
    review = Review.objects.create(opened_by=director)
    item = ReviewItem.objects.create(review=review, client=client, position=1)
    ActionItem.objects.create(
        item=item, what="Visit the plant", owner=manager, due=datetime.date(2026, 7, 15), created_by=director
    )
    ActionItem.objects.create(
        item=item,
        what="Send the contract",
        owner=manager,
        due=datetime.date(2026, 6, 1),
        status=ActionItem.Status.DONE,
        created_by=director,
    )
    TouchFactory(client=client, date=datetime.date(2026, 3, 1), summary="Too old to show")
    TouchFactory(
        client=client, date=datetime.date(2026, 5, 10), kind=Touch.Kind.CALL, summary="Asked about prices"
    )
    TouchFactory(
        client=client,
        date=datetime.date(2026, 6, 1),
        kind=Touch.Kind.MEETING,
        summary="Agreed on a trial batch.\n\nThey want it in July.",
        next_step="Send the price list",
        next_step_date=datetime.date(2026, 6, 20),
    )
    TouchFactory(
        client=client, date=datetime.date(2026, 6, 10), kind=Touch.Kind.EMAIL, summary="Sent the offer"
    )
    cables = ProductGroupFactory(name="Cables")
    pipes = ProductGroupFactory(name="Pipes")
    for group, amount in [(cables, Decimal("500000")), (pipes, Decimal("100000"))]:
        PotentialEstimate.objects.create(
            client=client,
            product_group=group,
            amount=amount,
            source=PotentialEstimate.Source.SURVEY,
            estimated_on=datetime.date(2026, 1, 15),
        )
    SaleFactory(client=client, product_group=cables, date=datetime.date(2026, 3, 1), amount=Decimal("25000"))
    SaleFactory(client=client, product_group=pipes, date=datetime.date(2026, 4, 1), amount=Decimal("90000"))
    SaleFactory(client=client, product_group=cables, date=datetime.date(2025, 6, 1), amount=Decimal("400000"))


@pytest.fixture
def note(client_card, manager, successor, director):
    """The generated note of the key client moved from the manager to the successor."""
    make_key(client_card)
    reassignment = move([client_card], successor, by=director, previous=manager)
    return services.handover_notes_generate(reassignment=reassignment, today=TODAY)[0]
