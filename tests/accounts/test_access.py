"""Every accounts URL x every persona x someone else's object (QUALITY: reliability and security).

The cases are built from `accounts.urls.urlpatterns`, so a new URL shows up here
as a failing, unclassified case until its access rules are written down. The outsider's side
of every URL of the project (every app, the admin site), with the whole database compared
before and after, is tests/test_access_matrix.py, which reuses the submissions below.
"""

from typing import Any

import pytest
from django.urls import reverse

from accounts.models import Client, Contact, PointOfPresence, Refusal, TeamMember, Touch
from accounts.urls import urlpatterns
from tests.accounts.conftest import card_state
from tests.factories import (
    ClientFactory,
    ContactFactory,
    PointFactory,
    RefusalFactory,
    TeamMemberFactory,
    TouchFactory,
)

PATTERNS = {pattern.name: pattern for pattern in urlpatterns}
KINDS = ["contacts", "points", "touches", "refusals"]
ENTRY_MODELS: dict[str, Any] = {
    "contacts": Contact,
    "points": PointOfPresence,
    "touches": Touch,
    "refusals": Refusal,
}

READ = {
    "client_detail",
    "client_contacts",
    "client_points",
    "client_touches",
    "client_refusals",
    "client_sales",
    "client_history",
}
WRITE = {"client_edit", "entry_new", "entry_edit", "entry_delete"}
ASSIGN = {"client_assign", "team_add", "team_remove"}
NO_CLIENT = {
    "client_list",
    "client_export",
    "client_list_columns",
    "client_search",
    "client_create",
    "region_options",
}
# The admins' product groups and industries: about no client; their access tests (every persona,
# every method) are in tests/accounts/test_reference.py.
REFERENCE = {
    f"{prefix}_{action}"
    for prefix in ["product_group", "industry"]
    for action in ["list", "create", "edit", "deactivate", "reactivate", "delete"]
}

ALLOWED_METHODS = {
    **{name: ["GET"] for name in READ},
    "client_edit": ["GET", "POST"],
    "entry_new": ["GET", "POST"],
    "entry_edit": ["GET", "POST"],
    "entry_delete": ["POST"],
    "client_assign": ["GET", "POST"],
    "team_add": ["POST"],
    "team_remove": ["POST"],
    "client_list": ["GET"],
    "client_export": ["GET"],
    "client_list_columns": ["POST"],
    "client_search": ["GET"],
    "region_options": ["GET"],
    "client_create": ["GET", "POST"],
}

# What each URL argument is filled with; a pattern with any other argument fails the matrix.
ARGUMENTS = {"pk", "kind", "entry_pk", "member_pk"}

PERSONAS = ["anonymous", "outsider", "director", "admin", "manager", "teammate"]
MAY_ASSIGN = {"director", "admin"}
ON_ACCOUNT = {"manager", "teammate"}


def _converters(name: str) -> set[str]:
    return set(PATTERNS[name].pattern.converters)


def _card_cases() -> list[Any]:
    cases = []
    for pattern in urlpatterns:
        converters = set(pattern.pattern.converters)
        if "pk" not in converters or pattern.name in REFERENCE:
            continue
        kinds: list[str | None] = list(KINDS) if "kind" in converters else [None]
        for kind in kinds:
            for method in ALLOWED_METHODS.get(pattern.name or "", ["GET", "POST"]):
                case_id = "-".join(part for part in [pattern.name, kind, method] if part)
                cases.append(pytest.param(pattern.name, kind, method, id=case_id))
    return cases


CARD_CASES = _card_cases()


def card_url(name: str, kind: str | None, card: Any) -> str:
    converters = _converters(name)
    assert converters <= ARGUMENTS, f"{name} takes {converters - ARGUMENTS}: teach the matrix to fill it"
    kwargs: dict[str, Any] = {"pk": card.client.pk}
    if "kind" in converters:
        kwargs["kind"] = kind
    if "entry_pk" in converters:
        kwargs["entry_pk"] = card.entries[kind].pk
    if "member_pk" in converters:
        kwargs["member_pk"] = card.member.pk
    return reverse(f"accounts:{name}", kwargs=kwargs)


def post_data(name: str, kind: str | None, card: Any, other_manager: Any) -> dict[str, Any]:
    """A valid submission, so a missing access check would show up as a write."""
    client = card.client
    if name == "client_edit":
        return {
            "name": "Renamed by the request",
            "inn": client.inn,
            "status": Client.Status.ACTIVE,
            "version": client.version,
        }
    if name == "client_assign":
        # Saving the manager the card has writes here (the version moves on); another manager is
        # chosen on the move page, which the card sends to (tests/segmentation/moves).
        return {"responsible_manager": card.client.responsible_manager_id}
    if name == "team_add":
        return {"user": other_manager.pk, "role": TeamMember.Role.LOGISTICS}
    if name in {"entry_delete", "team_remove"}:
        return {"version": 1}  # the version the page showed (every card part starts at 1)
    if name in {"entry_new", "entry_edit"}:
        return {"version": 1} | {
            "contacts": {
                "name": "Written",
                "decision_role": "other",
                "influence": "5",
                "attitude": "neutral",
            },
            "points": {"country": "RU", "region": "RU-SPE", "city": "Written", "status": "open"},
            "touches": {"kind": "call", "date": "2024-05-06", "summary": "Written"},
            "refusals": {"date": "2024-05-06", "reason": "quality", "note": "Written"},
        }[kind or ""]
    return {}


def success_location(name: str, kind: str | None, client: Client) -> str:
    if name in {"client_edit", "client_assign"}:
        return reverse("accounts:client_detail", args=[client.pk])
    if name in {"team_add", "team_remove"}:
        return reverse("accounts:client_assign", args=[client.pk])
    return reverse(f"accounts:client_{kind}", args=[client.pk])


def expected_outcome(persona: str, name: str, method: str) -> str:
    """'login', 'denied-404', 'denied-403', 'page' (200 on this card) or 'saved' (302 and a write)."""
    if name not in READ | WRITE | ASSIGN:
        pytest.fail(f"{name} is not classified as a read, write or assign page in this matrix")
    if persona == "anonymous":
        return "login"
    if persona == "outsider":
        return "denied-404"
    allowed = (
        name in READ
        or (name in WRITE and persona in ON_ACCOUNT)
        or (name in ASSIGN and persona in MAY_ASSIGN)
    )
    if not allowed:
        return "denied-403"
    return "page" if method == "GET" else "saved"


@pytest.fixture
def personas(manager, outsider, director, admin_user, teammate):
    return {
        "anonymous": None,
        "outsider": outsider,
        "director": director,
        "admin": admin_user,
        "manager": manager,
        "teammate": teammate,
    }


def test_matrix_classifies_every_accounts_url():
    assert {pattern.name for pattern in urlpatterns} == READ | WRITE | ASSIGN | NO_CLIENT | REFERENCE
    assert set(ALLOWED_METHODS) == READ | WRITE | ASSIGN | NO_CLIENT
    for name in READ | WRITE | ASSIGN:
        assert "pk" in _converters(name), name
    for name in NO_CLIENT:
        assert "pk" not in _converters(name), name


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "kind", "method"), CARD_CASES)
def test_card_url_access(persona, name, kind, method, card, personas, browser_for, outsider):
    url = card_url(name, kind, card)
    browser = browser_for(personas[persona])
    before = card_state(card.client)
    data = post_data(name, kind, card, outsider)

    response = browser.get(url) if method == "GET" else browser.post(url, data)

    outcome = expected_outcome(persona, name, method)
    if outcome == "login":
        assert response.status_code == 302
        assert response.url == f"/login/?next={url}"
    elif outcome.startswith("denied"):
        assert response.status_code == int(outcome[-3:])
        assert card.client.name not in response.content.decode()
    elif outcome == "page":
        assert response.status_code == 200
        assert response.context["client"] == card.client
        assert card.client.name in response.content.decode()
    else:
        assert response.status_code == 302
        assert response.url == success_location(name, kind, card.client)
        assert card_state(card.client) != before
        return
    assert card_state(card.client) == before


@pytest.mark.parametrize(("name", "kind", "method"), CARD_CASES)
def test_card_url_htmx_fragments_are_closed_to_the_outsider(name, kind, method, card, as_outsider, outsider):
    url = card_url(name, kind, card)
    before = card_state(card.client)
    data = post_data(name, kind, card, outsider)

    response = getattr(as_outsider, method.lower())(url, data, HTTP_HX_REQUEST="true")

    assert response.status_code == 404
    assert card.client.name not in response.content.decode()
    assert card_state(card.client) == before


@pytest.mark.parametrize(("name", "kind"), sorted({(p.values[0], p.values[1]) for p in CARD_CASES}, key=str))
def test_card_url_wrong_method_is_405(name, kind, card, as_manager):
    url = card_url(name, kind, card)
    before = card_state(card.client)

    wrong = [m for m in ["GET", "POST", "PUT", "DELETE"] if m not in ALLOWED_METHODS[name]]

    responses = {m: getattr(as_manager, m.lower())(url) for m in wrong}

    assert {m: r.status_code for m, r in responses.items()} == dict.fromkeys(wrong, 405)
    for response in responses.values():
        assert sorted(response["Allow"].split(", ")) == sorted(ALLOWED_METHODS[name])
    assert card_state(card.client) == before


@pytest.mark.parametrize(
    ("name", "method"),
    [("client_detail", "post"), ("client_history", "post"), ("entry_delete", "get"), ("team_add", "get")],
)
def test_wrong_method_is_405_for_the_outsider_too(name, method, card, as_outsider):
    url = card_url(name, "contacts", card)

    response = getattr(as_outsider, method)(url)

    assert response.status_code == 405


@pytest.fixture
def foreign(outsider):
    """Another manager's client with one entry of each kind and a team member."""
    other = ClientFactory(name="Ural Copper", responsible_manager=outsider)
    return {
        "client": other,
        "contacts": ContactFactory(client=other, name="Foreign Contact"),
        "points": PointFactory(client=other, city="Yekaterinburg", region="RU-SVE"),
        "touches": TouchFactory(client=other, summary="Foreign touch"),
        "refusals": RefusalFactory(client=other, note="Foreign refusal"),
        "member": TeamMemberFactory(client=other),
    }


@pytest.mark.parametrize("kind", KINDS)
def test_entry_of_another_client_under_my_url_is_404(kind, card, foreign, as_manager):
    mine = card.client.pk
    theirs = foreign[kind]
    before = card_state(foreign["client"])

    edit_get = as_manager.get(reverse("accounts:entry_edit", args=[mine, kind, theirs.pk]))
    edit_post = as_manager.post(
        reverse("accounts:entry_edit", args=[mine, kind, theirs.pk]),
        post_data("entry_edit", kind, card, card.client.responsible_manager),
    )
    delete = as_manager.post(reverse("accounts:entry_delete", args=[mine, kind, theirs.pk]))

    assert [edit_get.status_code, edit_post.status_code, delete.status_code] == [404, 404, 404]
    assert card_state(foreign["client"]) == before
    assert ENTRY_MODELS[kind].objects.get(pk=theirs.pk).client == foreign["client"]


def test_team_member_of_another_client_cannot_be_removed_through_my_card(card, foreign, as_director):
    response = as_director.post(reverse("accounts:team_remove", args=[card.client.pk, foreign["member"].pk]))

    assert response.status_code == 404
    assert TeamMember.objects.filter(pk=foreign["member"].pk).exists()


def test_unknown_entry_kind_is_404(card, as_manager):
    responses = [
        as_manager.get(f"/clients/{card.client.pk}/sales/new/"),
        as_manager.post(f"/clients/{card.client.pk}/team/{card.member.pk}/delete/"),
        as_manager.get(f"/clients/{card.client.pk}/plans/1/edit/"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404]


def test_missing_client_is_404_for_everyone(as_director):
    assert as_director.get(reverse("accounts:client_detail", args=[999_999])).status_code == 404


@pytest.mark.parametrize("name", sorted(NO_CLIENT))
def test_pages_without_a_client_send_anonymous_users_to_login(name, client):
    url = reverse(f"accounts:{name}")

    responses = [getattr(client, method.lower())(url) for method in ALLOWED_METHODS[name]]

    for response in responses:
        assert response.status_code == 302
        assert response.url == f"/login/?next={url}"


@pytest.mark.parametrize("name", sorted(NO_CLIENT))
def test_pages_without_a_client_refuse_wrong_methods(name, as_manager):
    url = reverse(f"accounts:{name}")
    wrong = [m for m in ["GET", "POST", "PUT", "DELETE"] if m not in ALLOWED_METHODS[name]]

    responses = [getattr(as_manager, method.lower())(url) for method in wrong]

    assert [r.status_code for r in responses] == [405] * len(wrong)


@pytest.mark.parametrize("persona", ["as_director", "as_admin"])
def test_read_only_roles_may_not_create_clients(persona, request):
    browser = request.getfixturevalue(persona)

    page = browser.get(reverse("accounts:client_create"))
    post = browser.post(reverse("accounts:client_create"), {"name": "Written", "status": "active"})

    assert [page.status_code, post.status_code] == [403, 403]
    assert not Client.objects.filter(name="Written").exists()


def test_region_options_list_the_regions_of_the_country(as_manager):
    response = as_manager.get(reverse("accounts:region_options"), {"country": "kz"})

    regions = response.context["regions"]
    assert response.status_code == 200
    assert {code.split("-")[0] for code, _name in regions} == {"KZ"}
    assert ("KZ-75", "Almaty") in regions
    assert '<option value="RU-MOW">' not in response.content.decode()
