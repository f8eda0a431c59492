"""kam/links.py: addresses reversed once, then filled with a row's pk or written as they are."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.template import engines
from django.urls import NoReverseMatch, clear_script_prefix, reverse, set_script_prefix
from django.utils import translation

from kam.links import _menu, around_last, pk_url, pk_urls, plain_url, row_url

NAMES = ["accounts:client_detail", "accounts:client_touches", "segmentation:potential"]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("pk", [1, 7, 2_147_483_647, 10**12])
def test_an_address_is_what_reverse_gives(name, pk):
    assert pk_url(name, pk) == reverse(name, args=[pk])


def test_an_address_follows_the_script_prefix():
    set_script_prefix("/crm/")
    try:
        assert pk_url("accounts:client_detail", 5) == reverse("accounts:client_detail", args=[5])
        assert pk_url("accounts:client_detail", 5).startswith("/crm/")
    finally:
        clear_script_prefix()
    assert not pk_url("accounts:client_detail", 5).startswith("/crm/")


def test_what_reverse_refuses_is_still_refused():
    with pytest.raises(NoReverseMatch):
        pk_url("accounts:client_detail", None)


@pytest.mark.parametrize("name", NAMES)
def test_a_table_s_addresses_are_what_reverse_gives_each_row(name):
    url = pk_urls(name)

    assert [url(pk) for pk in (1, 7, 2_147_483_647, 10**12)] == [
        reverse(name, args=[pk]) for pk in (1, 7, 2_147_483_647, 10**12)
    ]
    with pytest.raises(NoReverseMatch):
        url(None)


def test_a_table_s_addresses_follow_the_script_prefix_they_were_found_under():
    set_script_prefix("/crm/")
    try:
        assert pk_urls("accounts:client_detail")(5) == reverse("accounts:client_detail", args=[5])
    finally:
        clear_script_prefix()
    assert pk_urls("accounts:client_detail")(5) == reverse("accounts:client_detail", args=[5])


@pytest.mark.parametrize("position", [1, 49, 2049])
def test_an_address_around_its_last_argument_is_what_reverse_gives(position):
    before, after = around_last("segmentation:review_client", 12)

    assert f"{before}{position}{after}" == reverse("segmentation:review_client", args=[12, position])


def test_an_address_around_its_last_argument_follows_the_script_prefix():
    around_last("segmentation:review_client", 12)  # kept for the root prefix
    set_script_prefix("/crm/")
    try:
        before, after = around_last("segmentation:review_client", 12)
        assert f"{before}7{after}" == reverse("segmentation:review_client", args=[12, 7])
        assert before.startswith("/crm/")
    finally:
        clear_script_prefix()


def test_an_argument_holding_the_stand_in_is_reversed_as_it_is():
    before, after = around_last("segmentation:review_client", 2_147_483_647)
    assert f"{before}3{after}" == reverse("segmentation:review_client", args=[2_147_483_647, 3])


# {% plain_url %}: the navigation's addresses without arguments ------------------------------

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
BASE_TEMPLATE = (TEMPLATES / "base.html").read_text() + (
    TEMPLATES / "partials" / "main_menu.html"
).read_text()
NAVIGATION = sorted(set(re.findall(r"\{% plain_url '([^']+)' %\}", BASE_TEMPLATE)))


def test_the_base_template_names_its_addresses_through_plain_url():
    assert len(NAVIGATION) > 20
    assert "{% url " not in BASE_TEMPLATE


@pytest.mark.parametrize("name", NAVIGATION)
def test_a_plain_address_is_what_the_url_tag_writes(name):
    template = engines["django"].from_string(
        f'{{% load kam_links %}}{{% plain_url "{name}" %}}|{{% url "{name}" %}}'
    )

    plain, url = template.render({}).split("|")

    assert plain == url == reverse(name)


def test_a_plain_address_follows_the_script_prefix():
    set_script_prefix("/crm/")
    try:
        assert plain_url("plans:day") == "/crm/plans/day/"
    finally:
        clear_script_prefix()
    assert plain_url("plans:day") == "/plans/day/"


def test_a_plain_address_reverse_refuses_is_still_refused():
    with pytest.raises(NoReverseMatch):
        plain_url("accounts:client_detail")


# {% row_url %}: a list's rows, whose addresses differ only in their last argument -----------


@pytest.mark.parametrize("kind", ["contacts", "points", "touches", "refusals"])
@pytest.mark.parametrize(("client", "pk"), [(1, 1), (7, 1234), (2_147_483_647, 10**12)])
def test_a_row_address_is_what_the_url_tag_writes(kind, client, pk):
    template = engines["django"].from_string(
        "{% load kam_links %}{% row_url 'accounts:entry_edit' client kind pk as edit %}{{ edit }}"
        "|{% url 'accounts:entry_edit' client kind pk %}"
    )

    row, url = template.render({"client": client, "kind": kind, "pk": pk}).split("|")

    assert row == url == reverse("accounts:entry_edit", args=[client, kind, pk])


def test_a_row_address_follows_the_script_prefix():
    set_script_prefix("/crm/")
    try:
        assert row_url("accounts:entry_edit", 3, "touches", 9) == "/crm/clients/3/touches/9/edit/"
    finally:
        clear_script_prefix()
    assert row_url("accounts:entry_edit", 3, "touches", 9) == "/clients/3/touches/9/edit/"


def test_a_row_address_reverse_refuses_is_still_refused():
    with pytest.raises(NoReverseMatch):
        row_url("accounts:entry_edit", "x", "touches", 9)
    with pytest.raises(NoReverseMatch):
        row_url("accounts:entry_edit", 3, "touches", "x")


# {% main_menu %}: the navigation's menu, rendered once per roles, page and language ----------

MENU = engines["django"].from_string("{% load kam_links %}{% main_menu %}")
DIRECTOR = {"is_sales_director": True, "is_admin_role": False}
MANAGER = {"is_sales_director": False, "is_admin_role": False}
ADMIN = {"is_sales_director": False, "is_admin_role": True}


def _active(menu: str) -> list[str]:
    return re.findall(r'(?:nav-link|dropdown-item|dropdown-toggle) active" href="([^"]+)"', menu)


@pytest.mark.parametrize("roles", [DIRECTOR, MANAGER, ADMIN])
@pytest.mark.parametrize("nav", ["", "clients", "radar", "policy", "day", "reference"])
@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_kept_menu_is_the_template_rendered_now(roles, nav, language):
    """Asked again, the menu is the one kept; it is what the template renders for that user."""
    _menu.cache_clear()
    context = {**roles, "nav": nav, "kind": SimpleNamespace(url_prefix="industry")}
    with translation.override(language):
        fresh = _menu.__wrapped__(*roles.values(), nav, "industry", language, "/", None)
        first, again = MENU.render(context), MENU.render(context)

    assert first == again == fresh
    assert _menu.cache_info().hits == 1


def test_the_menu_is_kept_for_each_role_apart():
    """A director's menu, kept first, is never what a manager or an admin sees."""
    _menu.cache_clear()
    director = MENU.render({**DIRECTOR, "nav": "clients"})
    manager = MENU.render({**MANAGER, "nav": "clients"})
    admin = MENU.render({**ADMIN, "nav": "clients"})

    assert 'id="nav-key-accounts"' in director
    assert 'id="nav-key-accounts"' not in manager
    assert 'id="nav-admin"' in admin
    assert 'id="nav-admin"' not in director
    assert 'id="nav-admin"' not in manager
    assert reverse("segmentation:radar") in director
    assert reverse("segmentation:radar") not in manager


def test_the_menu_marks_the_page_it_is_on():
    assert _active(MENU.render({**DIRECTOR, "nav": "radar"})) == ["#", reverse("segmentation:radar")]
    assert _active(MENU.render({**DIRECTOR, "nav": "clients"})) == [reverse("accounts:client_list")]
    assert _active(MENU.render({**MANAGER, "nav": "day"})) == [reverse("plans:day")]
    assert _active(
        MENU.render({**ADMIN, "nav": "reference", "kind": SimpleNamespace(url_prefix="industry")})
    ) == [
        "#",
        reverse("accounts:industry_list"),
    ]
    assert _active(
        MENU.render({**ADMIN, "nav": "reference", "kind": SimpleNamespace(url_prefix="product_group")})
    ) == [
        "#",
        reverse("accounts:product_group_list"),
    ]


def test_the_menu_speaks_the_active_language():
    with translation.override("en"):
        english = MENU.render({**DIRECTOR, "nav": ""})
    with translation.override("ru"):
        russian = MENU.render({**DIRECTOR, "nav": ""})

    assert ">My day<" in english
    assert ">Мой день<" in russian


def test_the_menu_follows_the_script_prefix():
    set_script_prefix("/crm/")
    try:
        menu = MENU.render({**MANAGER, "nav": ""})
    finally:
        clear_script_prefix()

    assert 'href="/crm/plans/day/"' in menu
    assert 'href="/plans/day/"' in MENU.render({**MANAGER, "nav": ""})


@pytest.mark.django_db
def test_a_page_shows_each_user_the_menu_of_their_roles(client, director, manager):
    """Through the whole page: the director's list first, then the manager's."""
    _menu.cache_clear()
    client.force_login(director)
    director_page = client.get(reverse("accounts:client_list")).content.decode()
    client.force_login(manager)
    manager_page = client.get(reverse("accounts:client_list")).content.decode()

    assert 'id="nav-key-accounts"' in director_page
    assert 'id="nav-key-accounts"' not in manager_page
    assert _active(manager_page) == [reverse("accounts:client_list")]
