"""Every write to plans and plan templates. Each function is atomic and keeps the history (who, when).

Plans, their steps and template steps carry a version that every save moves on with one
conditional UPDATE (`accounts.services._claim`): a save made on a version someone else has
moved on is refused with StaleVersionError, which says what they changed.
"""

from datetime import date, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.utils import timezone

from accounts.models import Client
from accounts.services import StaleVersionError, _claim
from kam.users.models import User
from plans.models import Plan, PlanKind, PlanStep, PlanTemplate, TemplateStep
from segmentation.models import ClientSegment, LostStatus, Policy

__all__ = ["ActivePlanExistsError", "NoOwnerError", "PlanClosedError", "StaleVersionError"]

STEP_FIELDS = ["assignee", "due", "done_on", "note", "touch"]


class ActivePlanExistsError(Exception):
    """The client already has an active plan of this kind (made meanwhile, perhaps by someone else)."""


class PlanClosedError(Exception):
    """The plan was closed (perhaps meanwhile): its steps are kept as they were."""

    def __init__(self, plan: Plan) -> None:
        super().__init__(plan.pk)
        self.plan = plan


class NoOwnerError(Exception):
    """Nobody is responsible for the client, so the plan would have no owner."""


# Templates


def template_step_add(*, template: PlanTemplate, values: dict[str, Any], by: User) -> TemplateStep:
    """A new step at the end of the template; plans already running do not get it."""
    with transaction.atomic():
        PlanTemplate.objects.select_for_update().filter(pk=template.pk).first()  # one adder at a time
        last = template.steps.aggregate(last=Max("position"))["last"] or 0
        step = TemplateStep(template=template, position=last + 1, **values)
        step._history_user = by  # type: ignore[attr-defined]
        step.save()
    return step


def template_step_update(
    *, step: TemplateStep, values: dict[str, Any], expected_version: int | None, by: User
) -> TemplateStep:
    """Reword a step or change its offset, if nobody saved it since `expected_version`."""
    with transaction.atomic():
        step.version = _claim(TemplateStep, step.pk, expected_version)
        for name, value in values.items():
            setattr(step, name, value)
        step._history_user = by  # type: ignore[attr-defined]
        step.save(update_fields=[*values, "version"])
    return step


def template_step_retire(*, step: TemplateStep, retire: bool, expected_version: int | None, by: User) -> None:
    """Retire a step (new plans leave it out; its history stays) or put it back in use."""
    template_step_update(
        step=step, values={"is_active": not retire}, expected_version=expected_version, by=by
    )


def template_step_move(*, step: TemplateStep, up: bool, by: User) -> bool:
    """Swap the step with its neighbour above or below among the steps in use (or among the retired
    ones); False when it is already first or last. Positions are renumbered 1..n, so gaps or ties
    left by earlier edits never block a move."""
    with transaction.atomic():
        steps = TemplateStep.objects.select_for_update().filter(template_id=step.template_id)
        return move_among(list(steps), step.pk, up=up, by=by)


def move_among(items: list[Any], pk: int, *, up: bool, by: User) -> bool:
    """Swap item `pk` with its neighbour above or below among the `items` of the same `is_active`,
    renumber the positions 1..n and save those that moved (with their version and history); False
    when it is already first or last. The caller holds the rows locked."""
    items.sort(key=lambda item: (item.position, item.pk))
    index = next(i for i, item in enumerate(items) if item.pk == pk)
    peers = [i for i, item in enumerate(items) if item.is_active == items[index].is_active]
    at = peers.index(index) + (-1 if up else 1)
    if not 0 <= at < len(peers):
        return False
    other = peers[at]
    items[index], items[other] = items[other], items[index]
    for number, each in enumerate(items, start=1):
        if each.position != number:
            each.position = number
            each.version += 1
            each._history_user = by
            each.save(update_fields=["position", "version"])
    return True


# Plans


def plan_create(*, client: Client, kind: str, by: User, today: date | None = None) -> Plan:
    """Start a plan of `kind` from its template, owned by the client's responsible manager.

    1. Refuse when nobody is responsible (NoOwnerError) or an active plan of the kind exists
       (ActivePlanExistsError; the partial unique index also catches one made meanwhile).
    2. Copy the template's steps in use, due `offset_days` after today, assigned to the owner.
    3. A win-back plan keeps the lost criteria the nightly run found.
    """
    today = today or timezone.localdate()
    if client.responsible_manager_id is None:
        raise NoOwnerError
    if Plan.objects.filter(client=client, kind=kind, status=Plan.Status.ACTIVE).exists():
        raise ActivePlanExistsError
    template = PlanTemplate.objects.get(kind=kind)
    owner = client.responsible_manager
    plan = Plan(client=client, kind=kind, owner=owner, started_on=today)
    if kind == PlanKind.WIN_BACK:
        plan.lost_criteria = lost_criteria(client, today)
    plan._history_user = by  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            plan.save()
            _copy_steps(plan, template, today, by)
    except IntegrityError:
        if Plan.objects.filter(client=client, kind=kind, status=Plan.Status.ACTIVE).exists():
            raise ActivePlanExistsError from None
        raise
    return plan


def _copy_steps(plan: Plan, template: PlanTemplate, today: date, by: User) -> None:
    steps = template.steps.filter(is_active=True).order_by("position", "pk")
    for number, step in enumerate(steps, start=1):
        copy = PlanStep(
            plan=plan,
            position=number,
            text_en=step.text_en,
            text_ru=step.text_ru,
            assignee_id=plan.owner_id,
            due=today + timedelta(days=step.offset_days),
        )
        copy._history_user = by  # type: ignore[attr-defined]
        copy.save()


def lost_criteria(client: Client, today: date) -> dict[str, Any]:
    """What the nightly run found about the client's purchases, with the policy's thresholds then:
    the sentence on the plan is written from these figures, so it stays true as they change."""
    segment = ClientSegment.objects.filter(client=client).first()
    if segment is None or segment.last_purchase is None:
        return {}
    policy = Policy.current()
    return {
        "lost_status": segment.lost_status,
        "last_purchase": segment.last_purchase.isoformat(),
        "days_since": (today - segment.last_purchase).days,
        "usual_interval": str(segment.usual_interval) if segment.usual_interval is not None else None,
        "purchase_dates": segment.purchase_dates,
        "lost_factor": str(policy.lost_factor),
        "lost_min_days": policy.lost_min_days,
        "no_rhythm_lost_days": policy.no_rhythm_lost_days,
    }


def plan_step_save(
    *, step: PlanStep, values: dict[str, Any], expected_version: int | None, by: User
) -> PlanStep:
    """Save a step's assignee, due date, done date, note and touch, if nobody saved it since
    `expected_version` was read and its plan is still active (PlanClosedError otherwise)."""
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=step.plan_id)
        if not plan.is_active:
            raise PlanClosedError(plan)
        step.version = _claim(PlanStep, step.pk, expected_version)
        for name in STEP_FIELDS:
            if name in values:
                setattr(step, name, values[name])
        step._history_user = by  # type: ignore[attr-defined]
        step.save(update_fields=[name for name in STEP_FIELDS if name in values] + ["version"])
    return step


def plan_step_add(
    *, plan: Plan, text_en: str, text_ru: str, assignee: User | None, due: date | None, by: User
) -> PlanStep:
    """A new step at the end of a running plan (PlanClosedError if it was closed meanwhile)."""
    with transaction.atomic():
        locked = Plan.objects.select_for_update().get(pk=plan.pk)
        if not locked.is_active:
            raise PlanClosedError(locked)
        last = locked.steps.aggregate(last=Max("position"))["last"] or 0
        step = PlanStep(
            plan=locked, position=last + 1, text_en=text_en, text_ru=text_ru, assignee=assignee, due=due
        )
        step._history_user = by  # type: ignore[attr-defined]
        step.save()
    return step


def plan_offer_save(*, plan: Plan, kind: str, text: str, expected_version: int | None, by: User) -> Plan:
    """Record the offer a win-back plan makes the client."""
    return _plan_save(plan, {"offer_kind": kind, "offer_text": text}, expected_version, by)


def plan_close(
    *, plan: Plan, outcome: str, note: str, expected_version: int | None, by: User, today: date | None = None
) -> Plan:
    """Close the plan with its outcome; the client may then start a new plan of the kind."""
    values = {
        "status": Plan.Status.CLOSED,
        "outcome": outcome,
        "outcome_note": note,
        "closed_on": today or timezone.localdate(),
    }
    return _plan_save(plan, values, expected_version, by)


def _plan_save(plan: Plan, values: dict[str, Any], expected_version: int | None, by: User) -> Plan:
    """Save the plan's fields if it is at `expected_version` (closing moves it on, so a form opened
    before the plan was closed is refused as stale)."""
    with transaction.atomic():
        plan.version = _claim(Plan, plan.pk, expected_version)
        for name, value in values.items():
            setattr(plan, name, value)
        plan._history_user = by  # type: ignore[attr-defined]
        plan.save(update_fields=[*values, "version"])
    return plan


def close_won_back_plans() -> int:
    """Close every active win-back plan whose client the nightly run found won back since the plan
    started, as "won back" on the day it was won back. Set-based and idempotent: a second call
    finds nothing to close.

    Returns how many plans were closed. Each gets a history row, written in bulk (the UPDATE is
    one statement, which django-simple-history's signals do not see).
    """
    won_on = ClientSegment.objects.filter(client=OuterRef("client")).values("won_back_on")[:1]
    due = Plan.objects.filter(
        kind=PlanKind.WIN_BACK,
        status=Plan.Status.ACTIVE,
        client__segment__lost_status=LostStatus.WON_BACK,
        client__segment__won_back_on__gte=F("started_on"),
    )
    with transaction.atomic():
        ids = list(due.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        Plan.objects.filter(pk__in=ids).update(
            status=Plan.Status.CLOSED,
            outcome=Plan.Outcome.WON_BACK,
            closed_on=Subquery(won_on),
            version=F("version") + 1,
        )
        closed = list(Plan.objects.filter(pk__in=ids))
        Plan.history.bulk_history_create(closed, update=True)
    return len(closed)
