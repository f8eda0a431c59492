import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from kam.users import extensions as users_extensions
from kam.users import roles
from kam.users.models import User
from tests.factories import AdminFactory, ClientFactory, DirectorFactory, ManagerFactory, UserFactory
from tests.helpers import messages_of
from tests.users.conftest import login

NEW_PASSWORD = "Tundra-Falcon-93"


def user_form_data(**overrides):
    data = {
        "username": "ivanov",
        "first_name": "Ivan",
        "last_name": "Ivanov",
        "email": "ivanov@example.com",
        "roles": [roles.ACCOUNT_MANAGER],
        "is_active": "on",
        "language": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def create_data(**overrides):
    return user_form_data(**{"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, **overrides})


def edit_data(user, **overrides):
    """The edit form as the page shows it for `user`, with some fields changed."""
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "roles": list(user.groups.values_list("name", flat=True)),
        "is_active": "on" if user.is_active else None,
        "language": user.language,
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def listed(response):
    return [(user.username, labels) for user, labels in response.context["rows"]]


# Access: anonymous -> login, manager/director -> 403, wrong method -> 405.

PAGES = [
    ("users:user_list", {}),
    ("users:user_create", {}),
    ("users:user_edit", {"pk": 0}),
]


def page_url(name, kwargs, target):
    return reverse(name, kwargs={"pk": target.pk} if kwargs else None)


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
def test_user_pages_send_anonymous_users_to_login(client, manager, name, kwargs):
    url = page_url(name, kwargs, manager)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"/login/?next={url}"


@pytest.mark.parametrize(("name", "kwargs"), PAGES)
@pytest.mark.parametrize("persona", ["manager", "director"])
def test_user_pages_are_forbidden_to_non_admins(client, request, manager, name, kwargs, persona):
    client.force_login(request.getfixturevalue(persona))

    get = client.get(page_url(name, kwargs, manager))
    post = client.post(page_url(name, kwargs, manager), create_data(username="sneaky"))

    assert (get.status_code, post.status_code) == (403, 403)
    assert not User.objects.filter(username="sneaky").exists()


def test_user_list_refuses_post(as_admin):
    assert as_admin.post(reverse("users:user_list")).status_code == 405


@pytest.mark.parametrize(("name", "kwargs"), PAGES[1:])
def test_user_forms_refuse_other_methods(as_admin, manager, name, kwargs):
    url = page_url(name, kwargs, manager)

    assert (as_admin.put(url).status_code, as_admin.delete(url).status_code) == (405, 405)


def test_user_edit_of_unknown_user_is_404(as_admin):
    assert as_admin.get(reverse("users:user_edit", args=[987654])).status_code == 404


def test_admin_may_not_edit_a_superuser(as_admin):
    root = UserFactory.create(username="root", is_superuser=True)

    response = as_admin.post(reverse("users:user_edit", args=[root.pk]), edit_data(root, is_active=None))

    assert response.status_code == 403
    root.refresh_from_db()
    assert root.is_active is True


def test_superuser_without_groups_manages_users(client, manager):
    client.force_login(UserFactory.create(username="root", last_name="Zzz", is_superuser=True))

    response = client.get(reverse("users:user_list"))

    assert response.status_code == 200
    assert listed(response) == [("manager", ["Account manager"]), ("root", [])]


# The list.


def test_user_list_shows_every_user_with_roles_and_active_client_counts(as_admin, manager, director):
    ClientFactory.create_batch(2, responsible_manager=manager)
    ClientFactory.create(responsible_manager=manager, status="inactive")
    both = ManagerFactory.create(username="both", first_name="Boris", last_name="Orlov")
    both.groups.add(Group.objects.get(name=roles.SALES_DIRECTOR))

    response = as_admin.get(reverse("users:user_list"))

    assert response.status_code == 200
    assert response.context["nav"] == "users"
    assert listed(response) == [
        ("admin", ["Admin"]),
        ("both", ["Account manager", "Sales director"]),
        ("manager", ["Account manager"]),
        ("director", ["Sales director"]),
    ]
    counts = {user.username: user.client_count for user, _labels in response.context["rows"]}
    assert counts == {"admin": 0, "both": 0, "manager": 2, "director": 0}
    assert "Kuznetsova" in response.content.decode()


def test_user_list_puts_users_without_a_name_after_the_named_by_username(as_admin, admin_user):
    admin_user.first_name, admin_user.last_name = "Anna", "Zorina"
    admin_user.save()
    ManagerFactory.create(username="mgr2", first_name="", last_name="")
    ManagerFactory.create(username="mgr1", first_name="", last_name="")
    ManagerFactory.create(username="zed", first_name="Boris", last_name="Abramov")
    ManagerFactory.create(username="first", first_name="Yana", last_name="")

    response = as_admin.get(reverse("users:user_list"))

    assert [username for username, _roles in listed(response)] == ["first", "zed", "admin", "mgr1", "mgr2"]


def test_a_user_row_writes_each_cell_escaped(as_admin, admin_user, manager):
    ClientFactory.create_batch(2, responsible_manager=manager)
    odd = ManagerFactory.create(
        username="o'neil",
        first_name="<b>Ann</b>",
        last_name="& Co",
        email="ann+1@example.com",
        is_active=False,
    )
    UserFactory.create(username="root", last_name="Zzz", is_superuser=True)
    User.objects.filter(pk=manager.pk).update(last_login=datetime(2026, 3, 4, 22, 5, tzinfo=UTC))

    rows = row_cells(as_admin.get(reverse("users:user_list")).content.decode())

    assert rows["admin"][0] == 'admin <span class="text-muted">(you)</span>'
    assert rows["o&#x27;neil"][1:4] == [
        "&lt;b&gt;Ann&lt;/b&gt; &amp; Co",
        "ann+1@example.com",
        "Account manager",
    ]
    assert rows["o&#x27;neil"][5:7] == [
        '<span class="badge text-bg-secondary">Inactive</span>',
        '<span class="text-muted">never</span>',
    ]
    assert (
        rows["o&#x27;neil"][7]
        == f'<a class="btn btn-outline-primary btn-sm" href="/users/{odd.pk}/edit/">Edit</a>'
    )
    # the last login in the installation's time zone (Moscow)
    assert rows["manager"][4:7] == [
        "2",
        '<span class="badge text-bg-success">Active</span>',
        "5 Mar 2026, 01:05",
    ]
    assert rows["root"][1].endswith(" Zzz")
    assert rows["root"][7] == ""  # only a superuser edits a superuser


def row_cells(page):
    """Each <tr> of the users list by its username's cell: its cells' inner HTML."""
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in body.split("<tr>")[1:]]
    return {cells[0].split(" ")[0]: cells for cells in rows}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "anna smir"}, ["manager"]),
        ({"q": "DIRECTOR"}, ["director"]),
        ({"q": "nobody"}, []),
        ({"role": roles.SALES_DIRECTOR}, ["director"]),
        ({"role": roles.ACCOUNT_MANAGER, "active": "no"}, ["gone"]),
        ({"active": "yes"}, ["admin", "manager", "director"]),
        ({"role": "emperor"}, ["admin", "gone", "manager", "director"]),
    ],
)
def test_user_list_filters(as_admin, manager, director, query, expected):
    ManagerFactory.create(username="gone", last_name="Mironov", is_active=False)

    response = as_admin.get(reverse("users:user_list"), query)

    assert response.status_code == 200
    assert [username for username, _labels in listed(response)] == expected


def test_user_list_rejects_an_unknown_role_filter_with_a_message(as_admin):
    response = as_admin.get(reverse("users:user_list"), {"role": "emperor"})

    assert response.context["filter"].form.errors == {
        "role": ["Select a valid choice. emperor is not one of the available choices."]
    }


def test_user_list_htmx_request_gets_only_the_rows(as_admin, manager):
    response = as_admin.get(reverse("users:user_list"), {"q": "anna"}, HTTP_HX_REQUEST="true")

    content = response.content.decode()
    assert response.status_code == 200
    assert content.lstrip().startswith('<div id="user-rows">')
    assert "<nav" not in content
    assert "Smirnova" in content


def test_user_list_query_count_does_not_grow_with_users(as_admin, assert_queries):
    # the session with the user, their roles, permissions and unread badge, the users with the
    # names of their role groups, the kept loads (their active clients); each time after a first
    # request has counted the loads
    queries = 3
    as_admin.get(reverse("users:user_list"))
    one = assert_queries(queries, lambda: as_admin.get(reverse("users:user_list")))
    for manager in ManagerFactory.create_batch(49):
        ClientFactory(responsible_manager=manager)
    as_admin.get(reverse("users:user_list"))

    fifty = assert_queries(queries, lambda: as_admin.get(reverse("users:user_list")))

    assert (one.status_code, fifty.status_code) == (200, 200)
    assert (len(one.context["rows"]), len(fifty.context["rows"])) == (1, 50)


# Create.


def test_admin_creates_a_user_with_roles(as_admin):
    data = create_data(roles=[roles.ACCOUNT_MANAGER, roles.SALES_DIRECTOR], language="ru")

    response = as_admin.post(reverse("users:user_create"), data)

    assert response.status_code == 302
    assert response.url == "/users/"
    user = User.objects.get(username="ivanov")
    assert (user.first_name, user.last_name, user.email, user.is_active, user.language) == (
        "Ivan",
        "Ivanov",
        "ivanov@example.com",
        True,
        "ru",
    )
    assert set(user.groups.values_list("name", flat=True)) == {roles.ACCOUNT_MANAGER, roles.SALES_DIRECTOR}
    assert user.check_password(NEW_PASSWORD)
    assert messages_of(response) == ["User Ivan Ivanov was created."]


def test_new_user_can_log_in(as_admin, browser):
    as_admin.post(reverse("users:user_create"), create_data())

    response = login(browser, "ivanov", NEW_PASSWORD)

    assert response.status_code == 302
    assert browser.session["_auth_user_id"] == str(User.objects.get(username="ivanov").pk)


def test_create_form_renders_roles_as_checkboxes(as_admin):
    response = as_admin.get(reverse("users:user_create"))

    content = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'<input type="checkbox"[^>]* name="roles" value="(\w+)"', content) == [
        roles.ACCOUNT_MANAGER,
        roles.SALES_DIRECTOR,
        roles.ADMIN,
    ]
    assert 'name="password1"' in content
    assert response.context["form"].initial == {}
    assert response.context["form"].fields["is_active"].initial is True


LONG = "x" * 151


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"username": ""}, {"username": ["This field is required."]}),
        ({"username": "Manager"}, {"username": ["A user with that username already exists."]}),
        (
            {"username": "has space"},
            {
                "username": [
                    "Enter a valid username. This value may contain only letters, numbers, "
                    "and @/./+/-/_ characters."
                ]
            },
        ),
        ({"username": LONG}, {"username": ["Ensure this value has at most 150 characters (it has 151)."]}),
        (
            {"first_name": LONG},
            {"first_name": ["Ensure this value has at most 150 characters (it has 151)."]},
        ),
        ({"last_name": LONG}, {"last_name": ["Ensure this value has at most 150 characters (it has 151)."]}),
        ({"email": "not-an-email"}, {"email": ["Enter a valid email address."]}),
        ({"roles": None}, {"roles": ["Choose at least one role."]}),
        (
            {"roles": ["emperor"]},
            {"roles": ["Select a valid choice. emperor is not one of the available choices."]},
        ),
        (
            {"language": "xx"},
            {"language": ["Select a valid choice. xx is not one of the available choices."]},
        ),
        ({"password2": "Tundra-Falcon-94"}, {"password2": ["The two password fields didn\u2019t match."]}),
        (
            {"password1": "", "password2": ""},
            {"password1": ["This field is required."], "password2": ["This field is required."]},
        ),
        (
            {"password1": "ivanov12", "password2": "ivanov12"},
            {
                "password2": [
                    "The password is too similar to the username.",
                ]
            },
        ),
        (
            {"password1": "abc", "password2": "abc"},
            {
                "password2": [
                    "This password is too short. It must contain at least 8 characters.",
                    "This password is too common.",
                ]
            },
        ),
    ],
)
def test_create_user_bad_input_writes_nothing(as_admin, manager, overrides, errors):
    before = User.objects.count()

    response = as_admin.post(reverse("users:user_create"), create_data(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    assert User.objects.count() == before


def test_create_user_without_csrf_token_is_refused(admin_user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)

    response = browser.post(reverse("users:user_create"), create_data())

    assert response.status_code == 403
    assert not User.objects.filter(username="ivanov").exists()


# Edit.


def test_edit_form_shows_current_roles(as_admin, manager):
    response = as_admin.get(reverse("users:user_edit", args=[manager.pk]))

    assert response.status_code == 200
    assert response.context["form"]["roles"].value() == [roles.ACCOUNT_MANAGER]
    assert response.context["edited_user"] == "Anna Smirnova"
    assert "password1" not in response.context["form"].fields


def test_admin_edits_profile_and_roles(as_admin, manager):
    data = edit_data(
        manager,
        username="a.smirnova",
        last_name="Smirnova-Orlova",
        email="anna@example.com",
        roles=[roles.SALES_DIRECTOR],
        language="en",
    )

    response = as_admin.post(reverse("users:user_edit", args=[manager.pk]), data)

    assert response.status_code == 302
    assert response.url == "/users/"
    manager.refresh_from_db()
    assert (manager.username, manager.last_name, manager.email, manager.language, manager.is_active) == (
        "a.smirnova",
        "Smirnova-Orlova",
        "anna@example.com",
        "en",
        True,
    )
    assert list(manager.groups.values_list("name", flat=True)) == [roles.SALES_DIRECTOR]
    assert manager.check_password("secret-pass-1")
    assert messages_of(response) == ["User Anna Smirnova-Orlova was saved."]


def test_edit_keeps_groups_that_are_not_roles(as_admin, manager):
    auditors = Group.objects.create(name="auditors")
    manager.groups.add(auditors)

    as_admin.post(reverse("users:user_edit", args=[manager.pk]), edit_data(manager, roles=[roles.ADMIN]))

    assert set(manager.groups.values_list("name", flat=True)) == {"auditors", roles.ADMIN}


@pytest.mark.parametrize(
    ("overrides", "errors"),
    [
        ({"username": "director"}, {"username": ["A user with that username already exists."]}),
        ({"username": ""}, {"username": ["This field is required."]}),
        (
            {"first_name": LONG},
            {"first_name": ["Ensure this value has at most 150 characters (it has 151)."]},
        ),
        ({"roles": None}, {"roles": ["Choose at least one role."]}),
    ],
)
def test_edit_user_bad_input_writes_nothing(as_admin, manager, director, overrides, errors):
    response = as_admin.post(
        reverse("users:user_edit", args=[manager.pk]), edit_data(manager, is_active=None, **overrides)
    )

    assert response.status_code == 200
    assert response.context["form"].errors == errors
    manager.refresh_from_db()
    assert (manager.username, manager.first_name, manager.is_active) == ("manager", "Anna", True)
    assert list(manager.groups.values_list("name", flat=True)) == [roles.ACCOUNT_MANAGER]


def test_editing_own_username_keeps_it_unique_case_insensitively(as_admin, admin_user):
    response = as_admin.post(
        reverse("users:user_edit", args=[admin_user.pk]), edit_data(admin_user, username="ADMIN")
    )

    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.username == "ADMIN"


def test_deactivating_a_user_ends_their_session(as_admin, manager, browser):
    assert login(browser, "manager", ip="10.0.0.2").status_code == 302
    assert browser.get("/").url == "/plans/day/"

    response = as_admin.post(
        reverse("users:user_edit", args=[manager.pk]), edit_data(manager, is_active=None)
    )

    assert response.status_code == 302
    manager.refresh_from_db()
    assert manager.is_active is False
    after = browser.get("/")
    assert after.status_code == 302
    assert after.url == "/login/?next=/"
    assert login(browser, "manager", ip="10.0.0.2").status_code == 200


def test_deactivating_a_manager_with_clients_anyway_warns_to_hand_them_over(as_admin, manager, client_card):
    """The save is held first with the handover offered (tests/segmentation/moves); deactivating
    anyway saves and warns."""
    response = as_admin.post(
        reverse("users:user_edit", args=[manager.pk]),
        edit_data(manager, is_active=None) | {"deactivate_anyway": "1"},
    )

    assert messages_of(response) == [
        "User Anna Smirnova was saved.",
        "Anna Smirnova is still responsible for 1 client: hand it over to an active manager.",
    ]


def test_reactivated_user_can_log_in_again(as_admin, browser):
    gone = DirectorFactory.create(username="gone", is_active=False)

    as_admin.post(reverse("users:user_edit", args=[gone.pk]), edit_data(gone, is_active="on"))

    assert login(browser, "gone").status_code == 302


def test_admin_cannot_deactivate_themselves(as_admin, admin_user):
    url = reverse("users:user_edit", args=[admin_user.pk])

    response = as_admin.post(url, edit_data(admin_user, is_active=None, first_name="Alina"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"is_active": ["You cannot deactivate yourself."]}
    admin_user.refresh_from_db()
    assert (admin_user.is_active, admin_user.first_name) == (True, "Alla")


def test_admin_cannot_remove_their_own_admin_role(as_admin, admin_user):
    url = reverse("users:user_edit", args=[admin_user.pk])

    response = as_admin.post(url, edit_data(admin_user, roles=[roles.SALES_DIRECTOR]))

    assert response.status_code == 200
    assert response.context["form"].errors == {"roles": ["You cannot remove your own admin role."]}
    assert list(admin_user.groups.values_list("name", flat=True)) == [roles.ADMIN]
    assert "You cannot remove your own admin role." in response.content.decode()


def test_admin_may_remove_another_admins_role(as_admin):
    other = AdminFactory.create(username="other-admin")

    response = as_admin.post(
        reverse("users:user_edit", args=[other.pk]), edit_data(other, roles=[roles.ACCOUNT_MANAGER])
    )

    assert response.status_code == 302
    assert list(other.groups.values_list("name", flat=True)) == [roles.ACCOUNT_MANAGER]


def test_without_an_app_keeping_loads_the_list_counts_every_client(as_admin, manager, monkeypatch):
    ClientFactory.create_batch(2, responsible_manager=manager)
    ClientFactory.create(responsible_manager=manager, status="inactive")
    monkeypatch.setattr(users_extensions, "_client_counts", [])

    response = as_admin.get(reverse("users:user_list"))

    counts = {user.username: user.client_count for user, _labels in response.context["rows"]}
    assert counts == {"admin": 0, "manager": 3}
