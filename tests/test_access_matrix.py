"""Every URL of the project, from Django's resolver, against an outsider (QUALITY: security).

The outsider is an account manager who is not on the client's account. Every URL pattern that
takes an id is requested with the objects of a small world around another manager's client,
by GET and POST, plain and as htmx, and must refuse (404 for the object gate: the object is
not disclosed; the few other answers are justified where they are listed) and write nothing:
the whole database is compared before and after.

A pattern that takes an id needs a case in OBJECT_URLS (how to fill its arguments from the
world, the methods its view answers, what the outsider gets); a pattern without one is listed
in NOT_OBJECT_URLS. A new URL in neither list fails `test_every_url_pattern_is_classified`
with its name, so no URL can be added without deciding who may open it.

tests/accounts/test_access.py holds the accounts URLs' full persona matrix (anonymous,
director, admin, manager, teammate); its valid submissions are reused here.
"""

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.test import Client as Browser
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.models import Client, Industry, ProductGroup
from kam.exports.models import ExportRun
from kam.imports.models import ImportRun
from kam.users import roles
from plans.models import (
    Activity,
    ActivityKind,
    Answer,
    HandoverNote,
    Plan,
    PlanKind,
    Question,
    Questionnaire,
    Rung,
    Survey,
    TemplateStep,
)
from plans.questionnaires import selectors as questionnaires
from segmentation.locations.services import location_version
from segmentation.models import (
    DRouteBatch,
    OwnLocation,
    Policy,
    Reassignment,
    Tier,
)
from segmentation.moves import selectors as moves
from segmentation.potential.services import fingerprint
from tests.access_world import World, build_world, database
from tests.accounts.test_access import KINDS, post_data

# The resolver, walked


@dataclass(frozen=True)
class Found:
    """One URL pattern: `key` is its namespaced name; the admin site's per-model pages share one
    key per page ("admin:<model>:<route>"), and an unnamed pattern is keyed by its route."""

    key: str
    route: str
    arguments: tuple[str, ...]  # named groups; unnamed ones as "#1", "#2", ...
    callback: Callable[..., Any]
    model: type[Model] | None = None  # the model of an admin per-model page


ADMIN_MODELS = {f"{model._meta.app_label}/{model._meta.model_name}/": model for model in admin.site._registry}


def walk(
    patterns: Sequence[URLPattern | URLResolver],
    namespaces: tuple[str, ...] = (),
    prefix: str = "",
    model: type[Model] | None = None,
) -> Iterator[Found]:
    for pattern in patterns:
        route = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            inner_model = ADMIN_MODELS.get(route) if inner == ("admin",) else model
            yield from walk(pattern.url_patterns, inner, prefix + route, inner_model)
            continue
        regex = pattern.pattern.regex
        named = tuple(regex.groupindex)
        unnamed = tuple(f"#{number}" for number in range(1, regex.groups - len(named) + 1))
        if model is not None:
            key = f"admin:<model>:{route}"
        elif pattern.name:
            key = ":".join((*namespaces, pattern.name))
        else:
            key = ":".join((*namespaces, route))
        yield Found(key, prefix + route, named + unnamed, pattern.callback, model)


FOUND = list(walk(get_resolver().url_patterns))
KEYS = {found.key for found in FOUND}


def takes_an_id(argument: str) -> bool:
    return argument in {"pk", "id"} or argument.endswith(("_pk", "_id")) or argument.startswith("#")


def fill(route: str, arguments: dict[str, Any]) -> str:
    """The path of `route` with its arguments: `<conv:name>` by name, regex groups in order."""
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(arguments[match.group(1)]), route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda match: str(arguments[match.group(1)]), path)
    for number in range(1, path.count("([^/]+)") + 1):
        path = path.replace("([^/]+)", str(arguments[f"#{number}"]), 1)
    return "/" + path.replace("^", "").replace("$", "")


# The world (tests/access_world.py): another manager's client with something of every kind


@pytest.fixture
def world(manager, outsider, client_card) -> World:
    return build_world(manager, outsider, client_card)


# The table

Arguments = dict[str, Any]


@dataclass(frozen=True)
class Case:
    """How to fill a pattern's arguments from the world (one dict per object to try), the
    methods its view answers (None: whatever the method, the gate answers first; otherwise the
    gate is inside the view and other methods get 405, which discloses nothing either), what the
    outsider gets, who may rightfully post there, and a valid submission, so that a missing gate
    would show up as a write."""

    arguments: Callable[[World, Found], list[Arguments]]
    methods: frozenset[str] | None
    status: int
    rightful: str = "manager"
    data: Callable[[World, Arguments], dict[str, Any]] = lambda world, arguments: {}


READ = frozenset({"GET"})
READ_WRITE = frozenset({"GET", "POST"})
WRITE = frozenset({"POST"})


def client_only(world: World, found: Found) -> list[Arguments]:
    return [{"pk": world.client.pk}]


def every_kind(world: World, found: Found) -> list[Arguments]:
    return [{"pk": world.client.pk, "kind": kind} for kind in KINDS]


def every_entry(world: World, found: Found) -> list[Arguments]:
    return [{"pk": world.client.pk, "kind": kind, "entry_pk": world.card.entries[kind].pk} for kind in KINDS]


def card_post(name: str) -> Callable[[World, Arguments], dict[str, Any]]:
    """The accounts matrix's valid submission for the URL `name`."""
    return lambda world, arguments: post_data(name, arguments.get("kind"), world.card, world.outsider)


def estimate_post(world: World, arguments: Arguments) -> dict[str, Any]:
    """A new figure for the world's estimate, made on the version the form showed."""
    return {
        "amount": "1200000.50",
        "source": "service",
        "estimated_on": "2026-05-04",
        "seen": fingerprint(world.estimate),
    }


def handover_post(world: World, arguments: Arguments) -> dict[str, Any]:
    """The world's manager leaves: all their active clients to the outsider, on the current preview."""
    clients = moves.leaving_clients(world.manager)
    token = moves.preview(clients, moves.targets(world.outsider), policy=Policy.current()).token
    return {"to": world.outsider.pk, "reason": "Anna leaves", "token": token}


def review_item(world: World, found: Found) -> list[Arguments]:
    return [{"pk": world.review.pk, "position": 1}]


def note_of_world(world: World, found: Found) -> list[Arguments]:
    return [{"pk": world.client.pk, "note_pk": HandoverNote.objects.get(client=world.client).pk}]


def plan_of_world(world: World, found: Found) -> list[Arguments]:
    return [{"pk": world.client.pk, "plan_pk": Plan.objects.get(client=world.client).pk}]


def plan_step(world: World, found: Found) -> list[Arguments]:
    step = Plan.objects.get(client=world.client).steps.order_by("position").first()
    return [{"pk": world.client.pk, "step_pk": step.pk}]


def activity_of_world(world: World, found: Found) -> list[Arguments]:
    return [{"pk": world.client.pk, "activity_pk": Activity.objects.get(client=world.client).pk}]


def activity_post(world: World, arguments: Arguments) -> dict[str, Any]:
    """A valid activity, on the version the form showed when it edits one."""
    return {
        "kind": ActivityKind.VIP_EVENT,
        "date": "2026-05-04",
        "rung": Rung.TOP_MANAGERS,
        "title": "Plant tour for the board",
        "version": 1,
    }


def template_step(world: World, found: Found) -> list[Arguments]:
    return [{"pk": TemplateStep.objects.order_by("pk").first().pk}]


def survey_of_world(world: World, found: Found) -> list[Arguments]:
    return [{"pk": world.client.pk, "survey_pk": Survey.objects.get(client=world.client).pk}]


def answer_of_world(world: World, found: Found) -> list[Arguments]:
    return [
        {"pk": world.client.pk, "answer_pk": Answer.objects.filter(survey__client=world.client).first().pk}
    ]


def question(world: World, found: Found) -> list[Arguments]:
    return [{"pk": Question.objects.order_by("pk").first().pk}]


def survey_post(world: World, arguments: Arguments) -> dict[str, Any]:
    """A complete survey: every question in use scored 4, as the form posts it (a new one says which
    questions it asked, a correction the version it corrects)."""
    found = Questionnaire.objects.get(kind="ideal_supplier")
    asked = questionnaires.active_questions(found)
    data = {
        "taken_on": "2026-06-02",
        "respondent": world.card.entries["contacts"].pk,
        "asked": ",".join(str(q.pk) for q in asked),
        "version": 1,
    }
    return data | {f"score_{q.pk}": 4 for q in asked}


def admin_object(world: World, found: Found) -> list[Arguments]:
    return [{"object_id": world.object_of(found.model).pk}]


def admin_version(world: World, found: Found) -> list[Arguments]:
    instance: Any = world.object_of(found.model)
    return [{"#1": instance.pk, "#2": instance.history.latest("history_date").history_id}]


# Django's admin site lets in only active staff (AdminSite.has_permission) before it looks at
# any object: an account manager is sent to the admin's login page for every object, existing
# or not, which discloses nothing. Its pages are for superusers only (see test_admin_site.py).
ADMIN_LOGIN = Case(admin_object, None, 302, rightful="")

OBJECT_URLS: dict[str, Case] = {
    # The card: get_client_for_user is the gate, so another manager's client is not found.
    "accounts:client_detail": Case(client_only, READ, 404),
    "accounts:client_contacts": Case(client_only, READ, 404),
    "accounts:client_points": Case(client_only, READ, 404),
    "accounts:client_touches": Case(client_only, READ, 404),
    "accounts:client_refusals": Case(client_only, READ, 404),
    "accounts:client_sales": Case(client_only, READ, 404),
    "accounts:client_history": Case(client_only, READ, 404),
    "accounts:client_edit": Case(client_only, READ_WRITE, 404, data=card_post("client_edit")),
    "accounts:client_assign": Case(
        client_only, READ_WRITE, 404, rightful="director", data=card_post("client_assign")
    ),
    "accounts:team_add": Case(client_only, WRITE, 404, rightful="director", data=card_post("team_add")),
    "accounts:team_remove": Case(
        lambda world, found: [{"pk": world.client.pk, "member_pk": world.card.member.pk}],
        WRITE,
        404,
        rightful="director",
        data=card_post("team_remove"),
    ),
    "accounts:entry_new": Case(every_kind, READ_WRITE, 404, data=card_post("entry_new")),
    "accounts:entry_edit": Case(every_entry, READ_WRITE, 404, data=card_post("entry_edit")),
    "accounts:entry_delete": Case(every_entry, WRITE, 404, data=card_post("entry_delete")),
    # Segmentation's pages about one client go through the same gate.
    "segmentation:potential": Case(client_only, READ, 404, rightful=""),
    "segmentation:estimate_new": Case(
        lambda world, found: [{"pk": world.client.pk, "group_pk": world.group.pk}],
        READ_WRITE,
        404,
        data=estimate_post,
    ),
    "segmentation:estimate_edit": Case(
        lambda world, found: [{"pk": world.client.pk, "estimate_pk": world.estimate.pk}],
        READ_WRITE,
        404,
        data=estimate_post,
    ),
    "segmentation:estimate_delete": Case(
        lambda world, found: [{"pk": world.client.pk, "estimate_pk": world.estimate.pk}], WRITE, 404
    ),
    "segmentation:key_decide": Case(
        client_only,
        READ_WRITE,
        404,
        rightful="director",
        data=lambda world, arguments: {"action": "revoke", "revoke-note": "Written"},
    ),
    "segmentation:tier_override": Case(
        client_only,
        READ_WRITE,
        404,
        rightful="director",
        data=lambda world, arguments: {"action": "set", "set-tier": Tier.GOLD, "set-reason": "Written"},
    ),
    # Plans on the card: the card's gate again.
    "plans:client_plans": Case(client_only, READ, 404, rightful=""),
    "plans:plan_start": Case(
        lambda world, found: [{"pk": world.client.pk, "kind": PlanKind.RETENTION}], WRITE, 404
    ),
    "plans:step_edit": Case(
        plan_step, READ_WRITE, 404, data=lambda world, arguments: {"note": "Written", "version": 1}
    ),
    "plans:step_tick": Case(
        plan_step, WRITE, 404, data=lambda world, arguments: {"done": "on", "version": 1}
    ),
    "plans:plan_close": Case(
        plan_of_world, READ_WRITE, 404, data=lambda world, arguments: {"outcome": "abandoned", "version": 1}
    ),
    "plans:plan_offer": Case(
        plan_of_world,
        READ_WRITE,
        404,
        data=lambda world, arguments: {"offer_kind": "gift", "offer_text": "A calendar", "version": 1},
    ),
    # The card's Questionnaires tab: the card's gate again.
    "plans:client_surveys": Case(client_only, READ, 404, rightful=""),
    "plans:survey_new": Case(
        lambda world, found: [{"pk": world.client.pk, "kind": "ideal_supplier"}],
        READ_WRITE,
        404,
        data=survey_post,
    ),
    "plans:survey_edit": Case(survey_of_world, READ_WRITE, 404, data=survey_post),
    "plans:answer_step": Case(answer_of_world, WRITE, 404),
    # The questions are the admins' (the policy's permission): 403 before any lookup.
    "plans:question_edit": Case(
        question,
        None,
        403,
        rightful="admin",
        data=lambda world, arguments: {"text_en": "Written", "version": 1},
    ),
    "plans:question_move": Case(
        question, None, 403, rightful="admin", data=lambda world, arguments: {"direction": "down"}
    ),
    "plans:question_retire": Case(
        question, None, 403, rightful="admin", data=lambda world, arguments: {"retire": "on", "version": 1}
    ),
    # Development activities on the card: the card's gate.
    "plans:client_activities": Case(client_only, READ, 404, rightful=""),
    "plans:activity_new": Case(client_only, READ_WRITE, 404, data=activity_post),
    "plans:activity_edit": Case(activity_of_world, READ_WRITE, 404, data=activity_post),
    "plans:activity_delete": Case(
        activity_of_world, WRITE, 404, data=lambda world, arguments: {"version": 1}
    ),
    # Handover notes on the card: the card's gate, then the note among the client's.
    "plans:client_handover": Case(client_only, READ, 404, rightful=""),
    "plans:handover_edit": Case(
        note_of_world, READ_WRITE, 404, data=lambda world, arguments: {"text": "Written", "version": 1}
    ),
    # Plan templates are the admins' (the policy's permission): 403 before any lookup.
    "plans:template_step_edit": Case(
        template_step,
        None,
        403,
        rightful="admin",
        data=lambda world, arguments: {"text_en": "Written", "offset_days": 3, "version": 1},
    ),
    "plans:template_step_move": Case(
        template_step, None, 403, rightful="admin", data=lambda world, arguments: {"direction": "down"}
    ),
    "plans:template_step_retire": Case(
        template_step,
        None,
        403,
        rightful="admin",
        data=lambda world, arguments: {"retire": "on", "version": 1},
    ),
    # Only the user's own notifications are looked up: another user's is not found.
    "segmentation:notification_open": Case(lambda world, found: [{"pk": world.notification.pk}], WRITE, 404),
    # The key-list review: permission_or_403 answers 403 to a manager before any review is
    # looked up; an action item is looked up among the user's own (or by a director).
    "segmentation:review_detail": Case(
        lambda world, found: [{"pk": world.review.pk}], None, 403, rightful=""
    ),
    "segmentation:review_close": Case(
        lambda world, found: [{"pk": world.review.pk}],
        None,
        403,
        rightful="director",
        data=lambda world, arguments: {"attendees": [world.manager.pk], "summary": "Agreed"},
    ),
    "segmentation:review_client": Case(review_item, None, 403, rightful=""),
    "segmentation:review_print": Case(lambda world, found: [{"pk": world.review.pk}], None, 403, rightful=""),
    "segmentation:review_export": Case(
        lambda world, found: [{"pk": world.review.pk}], None, 403, rightful=""
    ),
    "segmentation:review_decide": Case(
        review_item, None, 403, rightful="director", data=lambda world, arguments: {"decision": "watch"}
    ),
    "segmentation:action_add": Case(
        review_item,
        None,
        403,
        rightful="director",
        data=lambda world, arguments: {"what": "Call", "owner": world.manager.pk, "due": "2099-01-01"},
    ),
    "segmentation:action_status": Case(
        lambda world, found: [{"pk": world.action.pk}],
        WRITE,
        404,
        data=lambda world, arguments: {"status": "done"},
    ),
    # The manager's day: a congratulation goes through the card's gate (EDIT).
    "plans:congratulate": Case(
        lambda world, found: [{"pk": world.client.pk, "contact_pk": world.card.entries["contacts"].pk}],
        WRITE,
        404,
    ),
    # Users are managed by admins only: permission_or_403 answers 403 to everyone else before
    # any user is looked up, for every id, existing or not, so nothing is disclosed; the rule
    # there is the permission, not who the user is.
    "users:user_edit": Case(
        lambda world, found: [{"pk": world.manager.pk}],
        None,
        403,
        rightful="admin",
        data=lambda world, arguments: {
            "username": "renamed",
            "first_name": "Written",
            "last_name": "Written",
            "email": "written@example.com",
            "roles": [roles.ACCOUNT_MANAGER],
            "is_active": "on",
            "language": "",
        },
    ),
    # Our own locations are the admins' (the policy's permission): 403 before any lookup.
    "segmentation:location_edit": Case(
        lambda world, found: [{"pk": world.objects[OwnLocation].pk}],
        None,
        403,
        rightful="admin",
        data=lambda world, arguments: {
            "name": "Irkutsk branch",
            "kind": "branch",
            "country": "RU",
            "region": "RU-IRK",
            "is_active": "on",
            "version": location_version(world.objects[OwnLocation]),
        },
    ),
    "segmentation:location_retire": Case(
        lambda world, found: [{"pk": world.objects[OwnLocation].pk}], None, 403, rightful="admin"
    ),
    # Product groups and industries are the admins' (accounts.manage_reference_data): 403 before
    # any lookup. Reactivating an active one or deleting one in use writes nothing by design,
    # so those have no rightful write here (tests/accounts/test_reference.py has their writes).
    **{
        f"accounts:{prefix}_{action}": Case(
            lambda world, found, model=model: [{"pk": world.objects[model].pk}],
            None,
            403,
            rightful="admin" if action in {"edit", "deactivate"} else "",
            data=lambda world, arguments, model=model: {
                "name": "Renamed by the request",
                "is_active": "on",
                "version": str(world.objects[model].version),
            },
        )
        for prefix, model in [("product_group", ProductGroup), ("industry", Industry)]
        for action in ["edit", "deactivate", "reactivate", "delete"]
    },
    # D-group routing is for those who assign clients: permission_or_403 answers 403 to a
    # manager before any routing is looked up.
    "segmentation:d_route_batch": Case(
        lambda world, found: [{"pk": world.objects[DRouteBatch].pk}], None, 403, rightful=""
    ),
    "segmentation:d_route_reverse": Case(
        lambda world, found: [{"pk": world.objects[DRouteBatch].pk}], None, 403, rightful="director"
    ),
    # Moves between managers are for those who assign clients: permission_or_403 answers 403 to
    # a manager before any move or user is looked up.
    "segmentation:reassignment": Case(
        lambda world, found: [{"pk": world.objects[Reassignment].pk}], None, 403, rightful=""
    ),
    "segmentation:manager_leave": Case(
        lambda world, found: [{"pk": world.manager.pk}], None, 403, rightful="director", data=handover_post
    ),
    # Imports: a manager opens and posts to their own imports only (404 for another's); undoing
    # is for those who import sales (permission_or_403: 403 before any import is looked up).
    "imports:run": Case(lambda world, found: [{"pk": world.objects[ImportRun].pk}], READ, 404),
    "imports:progress": Case(lambda world, found: [{"pk": world.objects[ImportRun].pk}], READ, 404),
    "imports:mapping": Case(
        lambda world, found: [{"pk": world.objects[ImportRun].pk}],
        WRITE,
        404,
        data=lambda world, arguments: {
            "column_0": "inn",
            "column_1": "product_group",
            "column_2": "amount",
            "column_3": "source",
            "column_4": "estimated_on",
        },
    ),
    "imports:commit": Case(lambda world, found: [{"pk": world.objects[ImportRun].pk}], WRITE, 404),
    "imports:undo": Case(lambda world, found: [{"pk": world.objects[ImportRun].pk}], None, 403, rightful=""),
    # Exports built on the worker: only the user who asked opens one (404 for anyone else's).
    "exports:run": Case(lambda world, found: [{"pk": world.objects[ExportRun].pk}], READ, 404),
    "exports:progress": Case(lambda world, found: [{"pk": world.objects[ExportRun].pk}], READ, 404),
    "exports:download": Case(lambda world, found: [{"pk": world.objects[ExportRun].pk}], READ, 404),
    # The Django admin site's per-model pages (every registered model) and its shortcut.
    "admin:<model>:<path:object_id>/change/": ADMIN_LOGIN,
    "admin:<model>:<path:object_id>/delete/": ADMIN_LOGIN,
    "admin:<model>:<path:object_id>/history/": ADMIN_LOGIN,
    "admin:<model>:<path:object_id>/": ADMIN_LOGIN,
    "admin:<model>:^([^/]+)/history/([^/]+)/$": Case(admin_version, None, 302, rightful=""),
    "admin:<model>:<id>/password/": Case(
        lambda world, found: [{"id": world.object_of(found.model).pk}], None, 302, rightful=""
    ),
    "admin:view_on_site": Case(
        lambda world, found: [
            {"content_type_id": ContentType.objects.get_for_model(Client).pk, "object_id": world.client.pk}
        ],
        None,
        302,
        rightful="",
    ),
}

NOT_OBJECT_URLS = {
    "home",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "set_language",
    "accounts:client_list",
    "accounts:client_export",  # the list's own rows: only the clients the user sees
    "accounts:client_list_columns",  # the user's own column choice: no one else's object
    "accounts:client_search",
    "accounts:client_create",
    "accounts:region_options",
    "accounts:product_group_list",
    "accounts:product_group_create",
    "accounts:industry_list",
    "accounts:industry_create",
    "users:user_list",
    "users:user_create",
    "segmentation:policy",
    "segmentation:run_list",
    "segmentation:run_start",
    "segmentation:location_list",
    "segmentation:location_create",
    "segmentation:radar",
    "segmentation:radar_export",
    "segmentation:review_list",
    "plans:day",
    "plans:win_back",
    "plans:win_back_export",
    "plans:ladder",
    "segmentation:review_open",
    "segmentation:action_list",
    "segmentation:dashboard",
    "segmentation:calculator",
    "segmentation:workload",
    "segmentation:workload_export",
    "segmentation:notification_list",
    "segmentation:notification_read_all",
    "segmentation:todo",
    "segmentation:candidates",
    "segmentation:candidates_export",
    "segmentation:d_route_batches",
    "segmentation:d_route_preview",
    "segmentation:d_route_apply",
    "segmentation:time_split",  # a manager's id is a choice in the query string: another's is refused
    "segmentation:reassign",
    "segmentation:reassignments",
    "imports:upload",
    "imports:log",
    "imports:template",  # its arguments are a kind, a language and a format: no one's object
    "exports:log",  # the user's own exports only
    "plans:template_list",
    "plans:template_detail",  # its argument is a template's kind, and the page is the admins'
    "plans:questionnaire_list",
    "plans:questionnaire_detail",  # its argument is a questionnaire's kind, and the page is the admins'
    "admin:index",
    "admin:login",
    "admin:logout",
    "admin:password_change",
    "admin:password_change_done",
    "admin:autocomplete",
    "admin:jsi18n",
    "admin:app_list",  # its argument is an app's label
    "admin:(?P<url>.*)$",  # the admin's catch-all: a 404 (or the login page) for any other path
    "admin:<model>:",  # a model's change list
    "admin:<model>:add/",
}


def test_every_url_pattern_is_classified():
    unclassified = sorted(KEYS - OBJECT_URLS.keys() - NOT_OBJECT_URLS)
    assert not unclassified, (
        f"URL patterns without a case: {unclassified}. Add each to OBJECT_URLS (it takes an id: "
        "how to fill it from the world, what an outsider gets) or to NOT_OBJECT_URLS."
    )
    assert not OBJECT_URLS.keys() & NOT_OBJECT_URLS
    assert sorted((OBJECT_URLS.keys() | NOT_OBJECT_URLS) - KEYS) == [], "the table lists URLs that are gone"


def test_object_urls_take_an_id_and_the_others_do_not():
    for found in FOUND:
        ids = [argument for argument in found.arguments if takes_an_id(argument)]
        if found.key in NOT_OBJECT_URLS:
            assert ids == [], f"{found.key} ({found.route}) takes {ids}: it belongs in OBJECT_URLS"
        else:
            assert ids, f"{found.key} ({found.route}) takes no id: it belongs in NOT_OBJECT_URLS"


def test_the_walk_finds_the_object_pages_of_every_admin_model():
    models = {found.model for found in FOUND if found.key == "admin:<model>:<path:object_id>/change/"}

    assert models == set(admin.site._registry)


def requests_of(key: str, world: World) -> Iterator[tuple[Found, str]]:
    """Every URL of `key`'s patterns filled from the world; each is checked to resolve to its pattern."""
    case = OBJECT_URLS[key]
    for found in (found for found in FOUND if found.key == key):
        for arguments in case.arguments(world, found):
            url = fill(found.route, arguments)
            assert resolve(url).func == found.callback, f"{url} does not reach {key}"
            yield found, url


def send(browser: Browser, method: str, url: str, data: dict[str, Any], htmx: bool) -> Any:
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    if method == "GET":
        return browser.get(url, **headers)
    return browser.post(url, data, **headers)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("key", sorted(OBJECT_URLS.keys() & KEYS))
def test_outsider_gets_nothing_from_another_managers_object(key, method, htmx, world, browser_for):
    case = OBJECT_URLS[key]
    browser = browser_for(world.outsider)
    expected = case.status if case.methods is None or method in case.methods else 405
    before = database()

    for found, url in requests_of(key, world):
        data = case.data(world, arguments_of(found, url))
        response = send(browser, method, url, data, htmx)

        assert response.status_code == expected, f"{method} {url}"
        if expected == 302:
            assert response.url == f"{reverse('admin:login')}?next={url}"
        else:
            assert world.client.name not in response.content.decode(), f"{method} {url}"
    assert database() == before


def arguments_of(found: Found, url: str) -> Arguments:
    """The arguments a request's URL was filled with, as the table's submissions take them."""
    match = resolve(url)
    return {**match.kwargs, **{f"#{number}": value for number, value in enumerate(match.args, 1)}}


@pytest.mark.parametrize(
    "key", sorted(key for key, case in OBJECT_URLS.items() if case.rightful and case.methods != READ)
)
def test_the_matrix_submissions_write_for_the_rightful_user(key, world, browser_for, director, admin_user):
    """The same submissions do write for someone allowed to make them: the outsider's empty
    database diff above is the gate's doing, not an inert request."""
    case = OBJECT_URLS[key]
    rightful = {"manager": world.manager, "director": director, "admin": admin_user}[case.rightful]
    browser = browser_for(rightful)

    for found, url in requests_of(key, world):
        before = database()

        response = browser.post(url, case.data(world, arguments_of(found, url)))

        assert response.status_code == 302, f"POST {url}"
        assert database() != before, f"POST {url} wrote nothing"
