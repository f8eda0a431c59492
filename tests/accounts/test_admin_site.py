import datetime
from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from accounts.admin import ClientAdmin, PointOfPresenceForm, RefusalAdmin, SaleAdmin
from accounts.models import Client, Refusal, Sale
from tests.factories import (
    ClientFactory,
    ContactFactory,
    IndustryFactory,
    PointFactory,
    ProductGroupFactory,
    RefusalFactory,
    SaleFactory,
    TouchFactory,
    UserFactory,
)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def as_superuser(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def steel(manager):
    industry = IndustryFactory(name="Металлургия")
    steel = ClientFactory(
        name="Сибирская сталь", inn="2466123450", industry=industry, responsible_manager=manager
    )
    PointFactory(client=steel, country="RU", region="RU-KYA", city="Красноярск", is_head_office=True)
    ContactFactory(client=steel, name="Попова Галина Николаевна", position="Генеральный директор")
    return steel


def changelist(client, model_name, query=""):
    response = client.get(reverse(f"admin:accounts_{model_name}_changelist") + query)
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def test_admin_industry_and_product_group_changelists_list_their_rows(as_superuser, steel):
    group = ProductGroupFactory(name="Спецодежда")
    assert changelist(as_superuser, "industry") == [steel.industry]
    assert changelist(as_superuser, "productgroup") == [group]


def test_admin_client_changelist_lists_and_searches_by_name_and_inn(as_superuser, steel):
    other = ClientFactory(name="Уральский трубный завод", inn="6601000006")
    assert changelist(as_superuser, "client") == [steel, other]
    assert changelist(as_superuser, "client", "?q=2466") == [steel]
    assert changelist(as_superuser, "client", "?q=трубный") == [other]
    assert changelist(as_superuser, "client", f"?industry__id__exact={steel.industry_id}") == [steel]


def test_admin_client_change_page_shows_the_card_and_its_inlines(as_superuser, steel):
    response = as_superuser.get(reverse("admin:accounts_client_change", args=[steel.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'value="Сибирская сталь"' in content
    assert 'value="2466123450"' in content
    assert 'value="Попова Галина Николаевна"' in content
    assert 'value="Красноярск"' in content
    assert [type(f.opts).__name__ for f in response.context["inline_admin_formsets"]] == [
        "TeamMemberInline",
        "PointOfPresenceInline",
        "ContactInline",
    ]


def test_admin_client_history_page_lists_the_creation(as_superuser, steel):
    response = as_superuser.get(reverse("admin:accounts_client_history", args=[steel.pk]))
    assert response.status_code == 200
    assert [h.history_type for h in response.context["page_obj"]] == ["+"]
    assert "<td>Created</td>" in response.content.decode()


def test_admin_contact_touch_sale_and_refusal_changelists_list_their_rows(as_superuser, steel):
    contact = steel.contacts.get()
    touch = TouchFactory(client=steel, summary="Обсудили график поставок на следующий месяц.")
    sale = SaleFactory(client=steel, amount=Decimal("12345.67"), date=datetime.date(2026, 2, 1))
    refusal = RefusalFactory(client=steel, note="Конкурент предложил цену на 12% ниже.")
    assert changelist(as_superuser, "contact") == [contact]
    assert changelist(as_superuser, "touch") == [touch]
    assert changelist(as_superuser, "sale") == [sale]
    assert changelist(as_superuser, "sale", "?date__year=2025") == []
    assert changelist(as_superuser, "refusal") == [refusal]
    response = as_superuser.get(reverse("admin:accounts_sale_changelist"))
    assert '<td class="field-amount">12,345.67</td>' in response.content.decode()


def test_admin_changelists_are_closed_to_a_manager(as_manager):
    response = as_manager.get(reverse("admin:accounts_client_changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_admin_point_form_refuses_a_region_of_another_country(db):
    form = PointOfPresenceForm(data={"country": "KZ", "region": "RU-MOW", "city": "Алматы", "status": "open"})
    assert not form.is_valid()
    assert form.errors["region"] == ["Enter an ISO 3166-2 code of a region of the chosen country."]
    form = PointOfPresenceForm(data={"country": "KZ", "region": "KZ-75", "city": "Алматы", "status": "open"})
    assert form.is_valid(), form.errors


def test_admin_client_save_bumps_the_version(superuser, steel):
    request = RequestFactory().post("/")
    request.user = superuser
    steel.name = "Сибирская сталь (холдинг)"
    ClientAdmin(Client, admin.site).save_model(request, steel, form=None, change=True)
    steel.refresh_from_db()
    assert (steel.name, steel.version) == ("Сибирская сталь (холдинг)", 2)


@pytest.mark.parametrize(("model_admin", "model"), [(RefusalAdmin, Refusal), (SaleAdmin, Sale)])
def test_admin_refusal_and_sale_forms_offer_only_active_product_groups(model_admin, model, superuser, steel):
    cables = ProductGroupFactory(name="Cables")
    retired = ProductGroupFactory(name="Retired", is_active=False)
    request = RequestFactory().get("/")
    request.user = superuser

    form_class = model_admin(model, admin.site).get_form(request)

    assert list(form_class.base_fields["product_group"].queryset) == [cables]
    form = form_class(data={"client": steel.pk, "product_group": retired.pk, "date": "2026-01-05"})
    assert form.errors["product_group"] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
