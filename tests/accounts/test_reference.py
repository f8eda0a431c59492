"""Product groups and industries in the app: admins only, names unique whatever their case,
deactivated rather than deleted once anything uses them, stale edits refused, kept in history."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.html import escape

from accounts.models import Client, Industry, ProductGroup
from accounts.reference import selectors
from kam.users import roles
from segmentation.models import PotentialEstimate
from tests.factories import (
    ClientFactory,
    IndustryFactory,
    ProductGroupFactory,
    RefusalFactory,
    SaleFactory,
)
from tests.helpers import messages_of

KINDS = {"product_group": ProductGroup, "industry": Industry}
ACTIONS = ["edit", "deactivate", "reactivate", "delete"]  # the ones about one item
POSTS = {"deactivate", "reactivate", "delete"}  # the ones that answer POST only


def url(prefix: str, action: str, item: Any = None) -> str:
    return reverse(f"accounts:{prefix}_{action}", args=[item.pk] if item is not None else [])


def every_url(prefix: str, item: Any) -> list[tuple[str, str]]:
    """(action, URL) of every page of the kind, for `item` where they take one."""
    return [(action, url(prefix, action)) for action in ["list", "create"]] + [
        (action, url(prefix, action, item)) for action in ACTIONS
    ]


def state() -> list[Any]:
    """Every product group and industry with their history, to prove a request wrote nothing."""
    fields = ["pk", "name", "name_key", "is_active", "version"]
    return [
        list(ProductGroup.objects.order_by("pk").values_list(*fields)),
        list(Industry.objects.order_by("pk").values_list(*fields)),
        ProductGroup.history.count(),
        Industry.history.count(),
    ]


def form_data(item: Any = None, **changes: Any) -> dict[str, Any]:
    """The form as the page sends it, with `changes` typed in."""
    data: dict[str, Any] = {"name": "Cables"}
    if item is not None:
        data = {"name": item.name, "is_active": "on" if item.is_active else "", "version": str(item.version)}
    return {**data, **changes}


def make(prefix: str, **values: Any) -> Any:
    return (ProductGroupFactory if prefix == "product_group" else IndustryFactory)(**values)


def estimate(client: Client, group: ProductGroup, author: Any) -> PotentialEstimate:
    return PotentialEstimate.objects.create(
        client=client,
        product_group=group,
        amount=Decimal("500000"),
        source=PotentialEstimate.Source.SURVEY,
        estimated_on=datetime.date(2026, 1, 15),
        author=author,
    )


@pytest.fixture
def used_group(client_card, manager):
    """ "Fasteners": two sales, a refusal and an estimate of Siberian Steel."""
    group = ProductGroupFactory(name="Fasteners")
    SaleFactory.create_batch(2, client=client_card, product_group=group)
    RefusalFactory(client=client_card, product_group=group)
    estimate(client_card, group, manager)
    return group


# Access: anonymous, manager and director, wrong methods, unknown items


@pytest.mark.parametrize("prefix", KINDS)
@pytest.mark.django_db
def test_reference_pages_send_anonymous_users_to_log_in(client, prefix):
    item = make(prefix, name="Metals")
    before = state()

    for action, address in every_url(prefix, item):
        response = client.post(address, form_data(item)) if action in POSTS else client.get(address)

        assert response.status_code == 302, address
        assert response.url == f"{reverse('login')}?next={address}"
    assert state() == before


@pytest.mark.parametrize("prefix", KINDS)
@pytest.mark.parametrize("persona", ["as_manager", "as_director"])
def test_reference_pages_are_forbidden_to_managers_and_directors(request, persona, prefix):
    browser = request.getfixturevalue(persona)
    item = make(prefix, name="Metals")
    before = state()

    for action, address in every_url(prefix, item):
        if action not in POSTS:
            assert browser.get(address).status_code == 403, address
        if action != "list":
            assert browser.post(address, form_data(item, name="Renamed")).status_code == 403, address
    assert state() == before


@pytest.mark.parametrize("prefix", KINDS)
def test_reference_pages_refuse_other_methods(as_admin, prefix):
    item = make(prefix, name="Metals")
    before = state()

    answers = {
        "list": as_admin.post(url(prefix, "list")).status_code,
        "create": as_admin.put(url(prefix, "create")).status_code,
        "edit": as_admin.delete(url(prefix, "edit", item)).status_code,
        **{action: as_admin.get(url(prefix, action, item)).status_code for action in POSTS},
    }

    assert set(answers.values()) == {405}
    assert state() == before


@pytest.mark.parametrize("prefix", KINDS)
def test_an_unknown_item_is_not_found(as_admin, prefix):
    assert as_admin.get(reverse(f"accounts:{prefix}_edit", args=[999])).status_code == 404
    for action in POSTS:
        assert as_admin.post(reverse(f"accounts:{prefix}_{action}", args=[999])).status_code == 404


@pytest.mark.django_db
def test_only_the_admin_role_manages_reference_data():
    holders = Group.objects.filter(
        permissions__codename="manage_reference_data", permissions__content_type__app_label="accounts"
    )

    assert list(holders.values_list("name", flat=True)) == [roles.ADMIN]


# The lists


def test_product_group_list_counts_what_uses_each_group(as_admin, used_group):
    ProductGroupFactory(name="Chemicals", is_active=False)
    ProductGroupFactory(name="Abrasives")

    response = as_admin.get(url("product_group", "list"))

    html = response.content.decode()
    assert [usage.label for usage in response.context["usages"]] == [
        "Sales",
        "Refusals",
        "Potential estimates",
    ]
    rows = [(row.item.name, row.item.is_active, row.uses) for row in response.context["rows"]]
    assert rows == [
        ("Abrasives", True, [0, 0, 0]),
        ("Fasteners", True, [2, 1, 1]),
        ("Chemicals", False, [0, 0, 0]),
    ]
    assert '<th scope="col" class="text-end">Potential estimates</th>' in html
    assert f'action="{url("product_group", "deactivate", used_group)}"' in html
    assert response.context["nav"] == "reference"


def test_industry_list_counts_the_cards_of_each_industry(as_admin):
    metals = IndustryFactory(name="Metals")
    ClientFactory.create_batch(3, industry=metals)
    IndustryFactory(name="Retail")

    response = as_admin.get(url("industry", "list"))

    assert [usage.label for usage in response.context["usages"]] == ["Clients"]
    assert [(row.item.name, row.uses) for row in response.context["rows"]] == [
        ("Metals", [3]),
        ("Retail", [0]),
    ]


def test_uses_are_counted_up_to_the_cap_and_shown_beyond_it(as_admin, used_group, client_card, monkeypatch):
    monkeypatch.setattr(selectors, "USE_CAP", 2)
    SaleFactory(client=client_card, product_group=used_group)  # three sales now
    SaleFactory.create_batch(2, product_group=ProductGroupFactory(name="Abrasives"))

    response = as_admin.get(url("product_group", "list"))

    rows = [(row.item.name, row.uses, row.shown_uses) for row in response.context["rows"]]
    assert rows == [
        ("Abrasives", [2, 0, 0], ["2", "—", "—"]),
        ("Fasteners", [3, 1, 1], ["2+", "1", "1"]),
    ]
    assert '<td class="text-end">2+</td>' in response.content.decode()
    refused = as_admin.post(url("product_group", "delete", used_group))
    assert "is in use (sales: 2+, refusals: 1, potential estimates: 1)" in messages_of(refused)[0]


def test_one_use_is_enough_to_keep_an_item(as_admin, client_card):
    group = ProductGroupFactory(name="Cables")
    SaleFactory(client=client_card, product_group=group)

    response = as_admin.post(url("product_group", "delete", group))

    assert "is in use (sales: 1)" in messages_of(response)[0]
    assert ProductGroup.objects.filter(pk=group.pk).exists()


@pytest.mark.parametrize("prefix", KINDS)
def test_reference_list_query_count_does_not_grow_with_items(as_admin, assert_queries, prefix):
    # the session with the user, their roles, permissions and unread badge, the items with their uses
    queries = 2
    make(prefix)
    one = assert_queries(queries, lambda: as_admin.get(url(prefix, "list")))
    for _ in range(49):
        item = make(prefix)
        if prefix == "product_group":
            SaleFactory(product_group=item)
        else:
            ClientFactory(industry=item)

    many = assert_queries(queries, lambda: as_admin.get(url(prefix, "list")))

    assert (len(one.context["rows"]), len(many.context["rows"])) == (1, 50)


def test_reference_list_speaks_russian(as_admin, used_group):
    as_admin.cookies["django_language"] = "ru"

    html = as_admin.get(url("product_group", "list")).content.decode()

    assert "Товарные группы" in html
    assert "Оценки потенциала" in html
    assert "Добавить товарную группу" in html
    assert "Отключить" in html


# Adding


def test_admin_adds_a_product_group_with_its_spaces_tidied(as_admin, admin_user):
    response = as_admin.post(url("product_group", "create"), {"name": "  Cable   products "})

    group = ProductGroup.objects.get()
    assert response.status_code == 302
    assert response.url == url("product_group", "list")
    assert messages_of(response) == ["Product group “Cable products” was added."]
    assert (group.name, group.name_key, group.is_active, group.version) == (
        "Cable products",
        "cable products",
        True,
        1,
    )
    assert group.history.get().history_user == admin_user


def test_admin_adds_an_industry(as_admin):
    response = as_admin.post(url("industry", "create"), {"name": "Металлургия"})

    assert messages_of(response) == ["Industry “Металлургия” was added."]
    assert list(Industry.objects.values_list("name", "is_active")) == [("Металлургия", True)]


def test_the_new_item_form_has_no_active_box_and_the_edit_form_has(as_admin):
    industry = IndustryFactory(name="Metals")

    new = as_admin.get(url("industry", "create")).content.decode()
    edit = as_admin.get(url("industry", "edit", industry)).content.decode()

    assert 'name="name"' in new
    assert 'name="is_active"' not in new
    assert 'name="is_active"' in edit
    assert "Offered for new records" in edit
    assert 'name="version" value="1"' in edit


@pytest.mark.parametrize("prefix", KINDS)
@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "This field is required."),
        ("   ", "This field is required."),
        ("x" * 121, "Ensure this value has at most 120 characters (it has 121)."),
        ("Cables\x00", "Null characters are not allowed."),
        ("cables", "{duplicate} named “Cables”."),
        ("  CABLES ", "{duplicate} named “Cables”."),
        ("Металлургия", "{duplicate} named “металлургия”."),
    ],
)
def test_bad_names_are_refused_with_a_message_and_write_nothing(as_admin, prefix, name, message):
    make(prefix, name="Cables")
    make(prefix, name="металлургия")
    before = state()

    response = as_admin.post(url(prefix, "create"), {"name": name})

    duplicate = {
        "product_group": "We already have a product group",
        "industry": "We already have an industry",
    }
    expected = message.format(duplicate=duplicate[prefix])
    assert response.status_code == 200
    assert response.context["form"].errors == {"name": [expected]}
    assert escape(expected) in response.content.decode()
    assert state() == before


@pytest.mark.parametrize("model", [ProductGroup, Industry])
def test_the_database_refuses_names_that_differ_only_in_case(db, model):
    model.objects.create(name="Металлургия")

    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(name="МЕТАЛЛУРГИЯ")
    assert model.objects.count() == 1


def test_the_django_admin_form_is_refused_a_duplicate_too(db):
    ProductGroupFactory(name="Cables")
    group = ProductGroup(name="CABLES")

    with pytest.raises(Exception, match="“Cables” is already taken"):
        group.full_clean()


# Editing


def test_admin_renames_a_group_and_the_history_names_them(as_admin, admin_user, used_group):
    response = as_admin.post(url("product_group", "edit", used_group), form_data(used_group, name="Bolts"))

    used_group.refresh_from_db()
    latest = used_group.history.latest("history_date")
    assert response.status_code == 302
    assert response.url == url("product_group", "list")
    assert messages_of(response) == ["Product group “Bolts” was saved."]
    assert (used_group.name, used_group.name_key, used_group.version) == ("Bolts", "bolts", 2)
    assert latest.history_user == admin_user
    assert latest.diff_against(latest.prev_record).changed_fields == ["name"]


def test_an_item_may_change_the_case_of_its_own_name(as_admin):
    industry = IndustryFactory(name="horeca")

    as_admin.post(url("industry", "edit", industry), form_data(industry, name="HoReCa"))

    industry.refresh_from_db()
    assert (industry.name, industry.version) == ("HoReCa", 2)


def test_an_unchanged_form_writes_nothing(as_admin, used_group):
    before = state()

    response = as_admin.post(url("product_group", "edit", used_group), form_data(used_group))

    assert messages_of(response) == ["Nothing changed."]
    assert state() == before


def test_renaming_to_another_items_name_is_refused(as_admin, used_group):
    ProductGroupFactory(name="Cables")
    before = state()

    response = as_admin.post(url("product_group", "edit", used_group), form_data(used_group, name="cables"))

    assert response.status_code == 200
    assert response.context["form"].errors == {"name": ["We already have a product group named “Cables”."]}
    assert "Edit product group Fasteners" in response.content.decode()
    assert state() == before


def test_a_stale_edit_is_refused_and_says_what_the_item_is_now(as_admin, used_group):
    opened = form_data(used_group, name="Bolts")
    used_group.name, used_group.is_active, used_group.version = "Screws", False, 2  # someone else's save
    used_group.save()
    before = state()

    response = as_admin.post(url("product_group", "edit", used_group), opened)

    assert response.status_code == 409
    assert response.context["form"].non_field_errors() == [
        "Not saved: someone else saved this product group while you were editing. It now reads "
        "“Screws” and is inactive. Your values are still in the form: check them and save again."
    ]
    assert response.context["form"]["name"].value() == "Bolts"
    assert response.context["form"]["version"].value() == "2"
    assert state() == before


def test_a_missing_version_is_a_stale_edit(as_admin):
    industry = IndustryFactory(name="Metals")
    before = state()

    response = as_admin.post(url("industry", "edit", industry), {"name": "Steel", "is_active": "on"})

    assert response.status_code == 409
    assert state() == before


def test_the_edit_form_offers_deleting_only_an_unused_item(as_admin, used_group):
    unused = ProductGroupFactory(name="Abrasives")

    used_page = as_admin.get(url("product_group", "edit", used_group)).content.decode()
    unused_page = as_admin.get(url("product_group", "edit", unused)).content.decode()

    assert url("product_group", "delete", used_group) not in used_page
    assert (
        "In use (sales: 2, refusals: 1, potential estimates: 1): this product group cannot be deleted, "
        "only deactivated."
    ) in used_page
    assert f'action="{url("product_group", "delete", unused)}"' in unused_page
    assert "Nothing uses this product group yet: it can be deleted." in unused_page


# Deactivating, reactivating


def test_deactivating_keeps_the_group_on_its_records(as_admin, admin_user, used_group):
    response = as_admin.post(url("product_group", "deactivate", used_group))

    used_group.refresh_from_db()
    assert response.url == url("product_group", "list")
    assert messages_of(response) == [
        "Product group “Fasteners” was deactivated: the records that have it keep it, and it is no "
        "longer offered for new ones."
    ]
    assert (used_group.is_active, used_group.version, used_group.sales.count()) == (False, 2, 2)
    assert used_group.history.latest("history_date").history_user == admin_user
    again = as_admin.post(url("product_group", "deactivate", used_group))
    assert messages_of(again)[-1] == "Product group “Fasteners” was already inactive."


def test_reactivating_offers_the_industry_again(as_admin):
    industry = IndustryFactory(name="Retail", is_active=False)

    response = as_admin.post(url("industry", "reactivate", industry))

    industry.refresh_from_db()
    assert messages_of(response) == ["Industry “Retail” is offered again."]
    assert (industry.is_active, industry.version) == (True, 2)
    again = as_admin.post(url("industry", "reactivate", industry))
    assert messages_of(again)[-1] == "Industry “Retail” was already active."


def test_the_edit_form_reactivates_too(as_admin):
    group = ProductGroupFactory(name="Chemicals", is_active=False)

    as_admin.post(url("product_group", "edit", group), form_data(group, is_active="on"))

    group.refresh_from_db()
    assert group.is_active is True


# A deactivated item is not offered, and an existing one still shows


def test_a_deactivated_industry_is_offered_only_to_the_cards_that_have_it(as_manager, client_card):
    old = IndustryFactory(name="Textiles", is_active=False)
    IndustryFactory(name="Retail")
    client_card.industry = old
    client_card.save()

    new_form = as_manager.get(reverse("accounts:client_create")).context["form"]
    edit_form = as_manager.get(reverse("accounts:client_edit", args=[client_card.pk])).context["form"]
    card = as_manager.get(reverse("accounts:client_detail", args=[client_card.pk])).content.decode()

    assert "Textiles" not in [str(industry) for industry in new_form.fields["industry"].queryset]
    assert "Retail" in [str(industry) for industry in new_form.fields["industry"].queryset]
    assert "Textiles" in [str(industry) for industry in edit_form.fields["industry"].queryset]
    assert edit_form["industry"].value() == old.pk
    assert "Textiles" in card


def test_a_card_cannot_be_given_a_deactivated_industry(as_manager, client_card):
    old = IndustryFactory(name="Textiles", is_active=False)
    data = {
        "name": client_card.name,
        "inn": client_card.inn,
        "status": Client.Status.ACTIVE,
        "industry": old.pk,
        "version": client_card.version,
    }

    response = as_manager.post(reverse("accounts:client_edit", args=[client_card.pk]), data)

    client_card.refresh_from_db()
    assert response.context["form"].errors == {
        "industry": ["Select a valid choice. That choice is not one of the available choices."]
    }
    assert client_card.industry != old


def test_a_deactivated_group_is_not_offered_for_new_refusals_or_estimates(
    as_manager, client_card, used_group
):
    used_group.is_active = False
    used_group.save()
    ProductGroupFactory(name="Cables")
    refusal = client_card.refusals.get()

    new_refusal = as_manager.get(reverse("accounts:entry_new", args=[client_card.pk, "refusals"]))
    old_refusal = as_manager.get(
        reverse("accounts:entry_edit", args=[client_card.pk, "refusals", refusal.pk])
    )
    new_estimate = as_manager.get(reverse("segmentation:estimate_new", args=[client_card.pk, used_group.pk]))
    old_estimate = as_manager.get(
        reverse("segmentation:estimate_edit", args=[client_card.pk, client_card.estimates.get().pk])
    )

    offered = [str(group) for group in new_refusal.context["form"].fields["product_group"].queryset]
    kept = [str(group) for group in old_refusal.context["form"].fields["product_group"].queryset]
    assert "Fasteners" not in offered
    assert "Cables" in offered
    assert "Fasteners" in kept
    assert new_estimate.status_code == 404
    assert old_estimate.status_code == 200
    assert "Fasteners" in old_estimate.content.decode()


# Deleting


def test_an_unused_item_is_deleted(as_admin, admin_user):
    industry = IndustryFactory(name="Typo industry")

    response = as_admin.post(url("industry", "delete", industry))

    assert response.url == url("industry", "list")
    assert messages_of(response) == ["Industry “Typo industry” was deleted."]
    assert not Industry.objects.filter(pk=industry.pk).exists()
    assert Industry.history.filter(id=industry.pk).latest("history_date").history_user == admin_user


def test_deleting_a_used_group_is_refused_naming_its_uses(as_admin, used_group):
    before = state()

    response = as_admin.post(url("product_group", "delete", used_group))

    assert response.url == url("product_group", "edit", used_group)
    assert messages_of(response) == [
        "Product group “Fasteners” is in use (sales: 2, refusals: 1, potential estimates: 1) and cannot "
        "be deleted. Deactivate it instead: those records keep it, and it is no longer offered for new ones."
    ]
    assert state() == before


def test_deleting_an_industry_clients_have_is_refused(as_admin, client_card):
    before = state()

    response = as_admin.post(url("industry", "delete", client_card.industry))

    assert messages_of(response) == [
        f"Industry “{client_card.industry}” is in use (clients: 1) and cannot be deleted. Deactivate it "
        "instead: those cards keep it, and it is no longer offered for other cards."
    ]
    assert state() == before


def test_deleting_an_industry_the_history_names_is_refused(as_admin, client_card):
    old = client_card.industry
    client_card.industry = IndustryFactory(name="Retail")
    client_card.save()  # the card's history keeps the old industry
    before = state()

    response = as_admin.post(url("industry", "delete", old))

    assert messages_of(response) == [
        f"Industry “{old}” is named in the change history of client cards and cannot be deleted. "
        "Deactivate it instead, so the history keeps its name."
    ]
    assert state() == before
