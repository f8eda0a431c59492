"""The demo's story for the sales directors (DOMAIN §4, §8), told after the clients are seeded
and their segments computed: key clients granted with reasons within the cap, the France case,
a closed key-list review with decisions and action items, and an open one.

The France case is the texts' own: the company's biggest client in France had never been
visited by anyone, because the country office and the head office each thought the other
owned it. Here it is a gold client abroad, nobody responsible, nobody ever met.
"""

import datetime
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Client, PointOfPresence, Touch
from kam.demo.content import MANAGERS
from kam.users.models import User
from plans.activities.services import activity_save
from plans.models import Activity, ActivityKind, Plan, PlanKind, Questionnaire, Rung
from plans.questionnaires import selectors as questionnaires
from plans.questionnaires.services import SurveyValues, survey_create
from plans.selectors import suggestion
from plans.services import plan_create, plan_offer_save, plan_step_save
from segmentation.keys import services as keys
from segmentation.keys.selectors import key_cap
from segmentation.models import Decision, KeyReason, KeyStatus, Policy, Review
from segmentation.reviews import services as reviews
from segmentation.segments.engine import recompute

FRANCE_NAME = "Maison Lefèvre SAS"
KEY_CLIENTS = 8  # granted before last month's review, which grants two more: well within the cap
REASONS: list[list[str]] = [
    [KeyReason.POTENTIAL],
    [KeyReason.POTENTIAL, KeyReason.STRATEGIC],
    [KeyReason.STRATEGIC],
    [KeyReason.POTENTIAL, KeyReason.IMAGE],
    [KeyReason.COMPETENCE, KeyReason.POTENTIAL],
]


def tell_story(*, users: dict[str, User], today: datetime.date) -> dict[str, int]:
    """Compute the segments, then write the directors' story; nothing if a review exists."""
    if Review.objects.exists():
        return {}
    director = users["director"]
    with transaction.atomic():
        recompute(today=today, trigger="seed_demo")
        france = _france_case(today)
        recompute(today=today, trigger="seed_demo")
        _grant_key_clients(director, exclude=france)
        actions = _closed_review(director, users, today, france)
        reviews.review_open(by=director, today=today)
        plans = _plans(users, today)
        surveys = _surveys(users["manager1"], today)
        activities = _activities(users, today)
    key_clients = KeyStatus.objects.filter(is_key=True).count()
    return {
        "key_clients": key_clients,
        "reviews": 2,
        "review_actions": actions,
        "plans": plans,
        "surveys": surveys,
        "activities": activities,
    }


def _france_case(today: datetime.date) -> Client | None:
    """The biggest-potential client that is not ours anywhere: moved to France, no one responsible,
    never met. None when the base is too small to have a gold or silver client."""
    client = (
        Client.objects.filter(segment__tier__in=["gold", "silver"])
        .order_by(F("segment__potential").desc(nulls_last=True), "pk")
        .first()
    )
    if client is None:
        return None
    client.points.all().delete()
    PointOfPresence.objects.create(
        client=client, country="FR", region="FR-IDF", city="Paris", is_head_office=True
    )
    PointOfPresence.objects.create(client=client, country="FR", region="FR-ARA", city="Lyon")
    client.touches.filter(kind=Touch.Kind.MEETING).delete()
    Client.objects.filter(pk=client.pk).update(
        name=FRANCE_NAME, legal_name=FRANCE_NAME, responsible_manager=None, version=F("version") + 1
    )
    client.refresh_from_db()
    return client


def _grant_key_clients(director: User, *, exclude: Client | None) -> None:
    """The best candidates by potential, each with a manager, key with reasons; the cap holds."""
    limit = min(KEY_CLIENTS, key_cap(Policy.current()).limit)
    candidates = (
        Client.objects.filter(
            segment__tier__in=["gold", "silver"],
            responsible_manager__isnull=False,
            status=Client.Status.ACTIVE,
        )
        .exclude(pk__in=[exclude.pk] if exclude else [])
        .order_by(F("segment__potential").desc(nulls_last=True), "pk")
    )
    granted = 0
    for client in candidates[: limit * 2]:
        if granted == limit:
            break
        try:
            keys.key_grant(
                client=client,
                reasons=REASONS[granted % len(REASONS)],
                note="Согласовано на обзоре ключевых клиентов",
                by=director,
            )
        except keys.KeyStatusRefused:
            continue
        granted += 1


def _closed_review(
    director: User, users: dict[str, User], today: datetime.date, france: Client | None
) -> int:
    """Last month's review: decisions on the first clients, action items (one already overdue),
    the minutes. Dated a month back, so today's open review is compared with it."""
    review = reviews.review_open(by=director, today=today)
    items = list(review.items.select_related("client").order_by("position"))
    actions = 0
    for item in (item for item in items if item.was_key):
        reviews.review_decide(
            item=item, decision=Decision.KEEP, note="Стратегия развития в силе", by=director
        )
    candidates = [item for item in items if not item.was_key and item.client != france]
    granted = 0
    for item in candidates:
        if granted == 2:
            break
        try:
            reviews.review_decide(
                item=item,
                decision=Decision.GRANT,
                reasons=[KeyReason.POTENTIAL, KeyReason.STRATEGIC],
                note="Большой потенциал, растёт вместе с нами",
                by=director,
            )
        except keys.DecisionRefused:
            continue
        granted += 1
    managers = [users[name] for name in ("manager1", "manager2", "manager3")]
    for item in candidates[granted + 1 : granted + 2]:
        manager = next(m for m in managers if m.pk != item.client.responsible_manager_id)
        reviews.review_decide(
            item=item, decision=Decision.REASSIGN, manager=manager, note="Разгрузить менеджера", by=director
        )
    france_item = review.items.filter(client=france).first() if france else None
    if france_item is not None:
        reviews.review_decide(
            item=france_item,
            decision=Decision.WATCH,
            note="Кто отвечает: представительство во Франции или головной офис?",
            by=director,
        )
        reviews.action_add(
            item=france_item,
            what="Назначить ответственного и договориться о первой встрече в Париже",
            owner=director,
            due=today - timedelta(days=23),  # a week after that meeting: overdue now
            by=director,
        )
        actions += 1
    for item in items[:3]:
        owner = item.client.responsible_manager or users["manager1"]
        reviews.action_add(
            item=item,
            what="Обновить таблицу потенциала и группу принятия решений",
            owner=owner,
            due=today + timedelta(days=14),
            by=director,
        )
        actions += 1
    reviews.review_close(
        review=review,
        attendees=[director, users["manager1"], users["manager2"], users["manager3"]],
        guests="Коммерческий директор",
        summary=(
            "Список ключевых клиентов согласован.\n"
            "Клиент во Франции: никто не отвечает и никто не встречался — назначить ответственного.\n"
            "Менеджерам обновить потенциал ключевых клиентов к следующему обзору."
        ),
        by=director,
    )
    month_ago = timezone.now() - timedelta(days=30)
    Review.objects.filter(pk=review.pk).update(opened_at=month_ago, closed_at=month_ago + timedelta(hours=2))
    return actions


PLANS_PER_MANAGER = 4


def _plans(users: dict[str, User], today: datetime.date) -> int:
    """Each manager started the plans the strategy suggests for their biggest clients six weeks
    ago and ticked the first steps, so some steps are done, some due this week, some overdue;
    a win-back plan carries its offer."""
    started = 0
    for name in MANAGERS:
        manager, mine = users[name], 0
        clients = Client.objects.filter(responsible_manager=manager, segment__isnull=False).order_by(
            F("segment__potential").desc(nulls_last=True), "pk"
        )
        for client in clients[: PLANS_PER_MANAGER * 3]:
            found = suggestion(client)
            if found is None:
                continue
            plan = plan_create(client=client, kind=found.kind, by=manager, today=today - timedelta(days=42))
            for step in plan.steps.order_by("position")[:2]:
                done = {"done_on": today - timedelta(days=40 - step.position * 5)}
                plan_step_save(step=step, values=done, expected_version=step.version, by=manager)
            if plan.kind == PlanKind.WIN_BACK:
                plan_offer_save(
                    plan=plan,
                    kind=Plan.Offer.DISCOUNT,
                    text="Скидка 7% на первую отгрузку после перерыва",
                    expected_version=plan.version,
                    by=manager,
                )
            mine += 1
            if mine == PLANS_PER_MANAGER:
                break
        started += mine
    return started


# (questionnaire, days ago, a score per seeded question, comments by question number)
SURVEYS = [
    ("ideal_supplier", 120, [4, 4, 3, 4, 3, 4, 3, 3], {}),
    ("ideal_service", 35, [5, 4, 4, 3, 4, 3, 4, 4], {4: "Акты сверки приходят с опозданием"}),
    (
        "ideal_supplier",
        10,
        [5, 4, 2, 4, 4, 5, 3, 4],
        {3: "Кабель ВВГ у конкурента дешевле примерно на 8%", 5: "Стало лучше после смены перевозчика"},
    ),
]


def _surveys(manager: User, today: datetime.date) -> int:
    """The manager's biggest client answered "Ideal supplier" twice (better overall, but one low
    score on prices) and "Ideal service" once; the next biggest answered "Ideal supplier" once."""
    clients = Client.objects.filter(
        responsible_manager=manager, segment__isnull=False, contacts__is_active=True
    ).distinct()
    biggest = list(clients.order_by(F("segment__potential").desc(nulls_last=True), "pk")[:2])
    taken = 0
    for client, surveys in zip(biggest, [SURVEYS, SURVEYS[:1]], strict=False):
        respondent = client.contacts.filter(is_active=True).order_by("-influence", "pk")[0]
        for kind, days, scores, comments in surveys:
            found = Questionnaire.objects.get(kind=kind)
            asked = questionnaires.active_questions(found)
            answers = {
                q.pk: (score, comments.get(n, ""))
                for n, (q, score) in enumerate(zip(asked, scores, strict=True), 1)
            }
            values = SurveyValues(today - timedelta(days=days), respondent, answers)
            survey_create(client=client, questionnaire=found, values=values, by=manager)
            taken += 1
    return taken


# The loyalty ladder, lowest rung first: (kind, rung, days ago, title)
LADDER_STEPS = [
    (ActivityKind.TRAINING, Rung.PRODUCT_USE, 150, "Вебинар для инженеров: как применять нашу продукцию"),
    (ActivityKind.TRAINING, Rung.STAFF, 95, "Курс для мастеров смен по бережливому производству"),
    (
        ActivityKind.PROJECT_GROUP,
        Rung.PROCESSES,
        60,
        "Совместная проектная группа: сократить складские запасы",
    ),
    (ActivityKind.CONSULTING, Rung.BUSINESS, 33, "Стратегическая сессия с коммерческим директором"),
    (ActivityKind.CONSULTING, Rung.TOP_MANAGERS, 12, "Семинар для топ-менеджеров по управлению изменениями"),
    (ActivityKind.VIP_EVENT, Rung.THEIR_CLIENTS, 4, "VIP-клуб: встреча с ключевыми покупателями клиента"),
]
PLANNED = (
    ActivityKind.VIP_EVENT,
    Rung.THEIR_CLIENTS,
    -21,
    "VIP-вечер для руководства клиента и его партнёров",
)
ACTIVITY_CLIENTS = 5


def _activities(users: dict[str, User], today: datetime.date) -> int:
    """Each manager has worked up the loyalty ladder with their biggest clients, each client to a
    different height (one of them to the top), with the client's decision makers and the
    development plan where one runs; the biggest client also has a VIP event planned."""
    written = 0
    for offset, name in enumerate(MANAGERS):
        manager = users[name]
        clients = Client.objects.filter(responsible_manager=manager, segment__isnull=False).order_by(
            F("segment__potential").desc(nulls_last=True), "pk"
        )
        for number, client in enumerate(clients[:ACTIVITY_CLIENTS]):
            steps = LADDER_STEPS[: len(LADDER_STEPS) - (number + offset * 2) % len(LADDER_STEPS)]
            for step in [*steps, PLANNED] if number == 0 else steps:
                _activity(client, manager, today, *step)
                written += 1
    return written


def _activity(
    client: Client, manager: User, today: datetime.date, kind: str, rung: int, days_ago: int, title: str
) -> None:
    plan = Plan.objects.filter(client=client, kind=PlanKind.DEVELOPMENT, status=Plan.Status.ACTIVE).first()
    their = client.contacts.filter(is_active=True).order_by("-influence", "pk")[:2]
    activity = Activity(kind=kind, rung=rung, date=today - timedelta(days=days_ago), title=title, plan=plan)
    activity.duration_minutes = 240 if kind == ActivityKind.VIP_EVENT else 120
    activity_save(
        activity=activity,
        client=client,
        many_to_many={"our_people": [manager], "their_people": list(their)},
        expected_version=None,
        by=manager,
    )
