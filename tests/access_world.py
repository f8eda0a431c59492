"""The world of the access matrix (tests/test_access_matrix.py): another manager's client with
something of every kind, and a snapshot of the whole database."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model

from accounts.models import Client, Industry, ProductGroup, TeamMember
from kam.exports.models import ExportRun
from kam.imports.models import ImportRun
from kam.imports.services import import_upload
from kam.users.models import User
from plans import services as plans
from plans.handover.services import handover_notes_generate
from plans.models import (
    Activity,
    ActivityKind,
    PlanKind,
    Questionnaire,
    Rung,
)
from plans.questionnaires import selectors as questionnaires
from plans.questionnaires import services as surveys
from segmentation.models import (
    ActionItem,
    ClientSegment,
    DRouteBatch,
    DRouteKind,
    KeyReason,
    KeyStatus,
    NightlyRun,
    Notification,
    Policy,
    PotentialEstimate,
    Reassignment,
    ReassignmentItem,
    Review,
    ReviewItem,
    SegmentChange,
    Tier,
    TierOverride,
)
from tests.accounts.conftest import Card
from tests.factories import (
    ContactFactory,
    ManagerFactory,
    OwnLocationFactory,
    PointFactory,
    ProductGroupFactory,
    RefusalFactory,
    SaleFactory,
    TeamMemberFactory,
    TouchFactory,
)

# The resolver, walked


@dataclass
class World:
    manager: User
    outsider: User
    card: Card
    group: ProductGroup
    estimate: PotentialEstimate
    notification: Notification
    review: Review
    action: ActionItem
    objects: dict[type[Model], Model] = field(default_factory=dict)

    @property
    def client(self) -> Client:
        return self.card.client

    def object_of(self, model: type[Model] | None) -> Model:
        if model not in self.objects:
            pytest.fail(f"the admin has pages for {model}: add one of them to the world")
        return self.objects[model]


def build_world(manager: User, outsider: User, client_card: Client) -> World:
    teammate = ManagerFactory(username="teammate")
    member = TeamMemberFactory(client=client_card, user=teammate, role=TeamMember.Role.TECHNICAL)
    entries = {
        "contacts": ContactFactory(client=client_card, name="Ivan Kuzmin", influence=60),
        "points": PointFactory(client=client_card, region="RU-KYA", city="Krasnoyarsk"),
        "touches": TouchFactory(client=client_card, summary="Agreed on a trial batch"),
        "refusals": RefusalFactory(client=client_card),
    }
    group = ProductGroupFactory(name="Cables")
    sale = SaleFactory(client=client_card, product_group=group, amount=25000)
    estimate = PotentialEstimate.objects.create(
        client=client_card,
        product_group=group,
        amount=Decimal("500000"),
        source=PotentialEstimate.Source.SURVEY,
        estimated_on=datetime.date(2026, 1, 15),
        author=manager,
    )
    run = NightlyRun.objects.create(run_on=datetime.date(2026, 6, 30), status=NightlyRun.Status.SUCCESS)
    change = SegmentChange.objects.create(run=run, client=client_card, kind="category", old="C", new="B")
    notification = Notification.objects.create(user=manager, change=change)
    segment = ClientSegment.objects.create(client=client_card, tier=Tier.GOLD)
    key_status = KeyStatus.objects.create(client=client_card, is_key=True, reasons=[KeyReason.STRATEGIC])
    override = TierOverride.objects.create(client=client_card, tier=Tier.SILVER, reason="Opens doors")
    review = Review.objects.create(opened_by=teammate)
    item = ReviewItem.objects.create(review=review, client=client_card, position=1, was_key=True)
    action = ActionItem.objects.create(
        item=item, what="Visit", owner=manager, due=datetime.date(2026, 12, 1), created_by=teammate
    )
    moved = Reassignment.objects.create(
        reason="Balance",
        clients=0,
        applied_by=teammate,
        applied_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC),
    )
    routing = DRouteBatch.objects.create(
        route=DRouteKind.WEB,
        clients=0,
        applied_by=teammate,
        applied_at=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC),
    )
    login = {"user_agent": "pytest", "ip_address": "10.0.0.1", "username": "manager", "http_accept": "*/*"}
    objects: list[Model] = [
        manager,
        Group.objects.create(name="Auditors"),
        AccessAttempt.objects.create(**login, get_data="", post_data="", failures_since_start=1),
        AccessLog.objects.create(**login),
        AccessFailureLog.objects.create(**login),
        client_card.industry or Industry.objects.create(name="Metals"),
        group,
        client_card,
        *entries.values(),
        sale,
        Policy.current(),
        OwnLocationFactory(name="Krasnoyarsk branch"),
        routing,
        moved,
        run,
        change,
        notification,
        estimate,
        key_status,
        override,
        segment,
    ]
    plans.plan_create(client=client_card, kind=PlanKind.WIN_BACK, by=manager)
    take_survey(client_card, entries["contacts"], manager)
    Activity.objects.create(
        client=client_card,
        kind=ActivityKind.TRAINING,
        date=datetime.date(2026, 5, 20),
        title="Cable laying course",
        rung=Rung.STAFF,
        created_by=manager,
    )
    handed = Reassignment.objects.create(
        reason="Teammate leaves",
        clients=1,
        applied_by=teammate,
        applied_at=datetime.datetime(2026, 6, 2, tzinfo=datetime.UTC),
    )
    ReassignmentItem.objects.create(
        reassignment=handed, client=client_card, previous_manager=teammate, new_manager=manager
    )
    handover_notes_generate(reassignment=handed)
    card = Card(client=client_card, entries=entries, member=member)
    objects.append(estimates_import(client_card, group, manager))
    objects.append(
        ExportRun.objects.create(
            created_by=manager,
            url_name="accounts:client_export",
            language="en",
            file_name="My clients 2026-06-30.xlsx",
            status=ExportRun.Status.DONE,
        )
    )
    return World(
        manager=manager,
        outsider=outsider,
        card=card,
        group=group,
        estimate=estimate,
        notification=notification,
        review=review,
        action=action,
        objects={type(instance): instance for instance in objects},
    )


def estimates_import(client: Client, group: ProductGroup, by: User) -> ImportRun:
    """The manager's checked, not yet committed, import of an estimate for their client."""
    header = "INN;Product group;Amount;Source;Estimated on"
    content = f"{header}\r\n{client.inn};{group.name};700000;survey;01.03.2026\r\n"
    return import_upload(
        kind="estimates",
        upload=SimpleUploadedFile("estimates.csv", content.encode()),
        file_name="estimates.csv",
        source="",
        monthly=False,
        by=by,
    )


def take_survey(client: Client, respondent: Any, by: User) -> None:
    """An "Ideal supplier" survey of the client, every question scored 2 (a shortcoming)."""
    found = Questionnaire.objects.get(kind="ideal_supplier")
    scores = {question.pk: (2, "") for question in questionnaires.active_questions(found)}
    values = surveys.SurveyValues(datetime.date(2026, 6, 1), respondent, scores)
    surveys.survey_create(client=client, questionnaire=found, values=values, by=by)


def database() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table (history included), to prove a refused request wrote nothing."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values()) for model in apps.get_models()
    }
