"""Django admin for client accounts: a back office for admins, not the managers' everyday screens."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.http import HttpRequest
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts import geography
from accounts.models import (
    Client,
    Contact,
    Industry,
    PointOfPresence,
    ProductGroup,
    Refusal,
    Sale,
    TeamMember,
    Touch,
)
from kam.users.models import User


@admin.register(Industry)
class IndustryAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


@admin.register(ProductGroup)
class ProductGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]


class PointOfPresenceForm(forms.ModelForm):
    """Country from the ISO list, and a region that must belong to that country."""

    country = forms.ChoiceField(label=_("country"), choices=geography.country_choices)

    class Meta:
        model = PointOfPresence
        fields = ["country", "region", "city", "is_head_office", "status", "planned_date"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        region, country = data.get("region"), data.get("country")
        if region and country and not geography.is_region_of(region, country):
            self.add_error("region", _("Enter an ISO 3166-2 code of a region of the chosen country."))
        return data


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    extra = 0
    raw_id_fields = ["user"]


class PointOfPresenceInline(admin.TabularInline):
    model = PointOfPresence
    form = PointOfPresenceForm
    extra = 0


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0
    fields = ["name", "position", "department", "phone", "email", "decision_role", "influence", "is_active"]
    show_change_link = True


@admin.register(Client)
class ClientAdmin(SimpleHistoryAdmin):
    list_display = ["name", "inn", "kpp", "industry", "status", "responsible_manager", "updated_at"]
    list_filter = ["status", "industry"]
    list_select_related = ["industry", "responsible_manager"]
    search_fields = ["name", "legal_name", "^inn"]
    raw_id_fields = ["responsible_manager"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [TeamMemberInline, PointOfPresenceInline, ContactInline]

    def save_model(self, request: HttpRequest, obj: Client, form: Any, change: bool) -> None:
        # A new version makes a card form opened before this save refuse to overwrite it.
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "client", "position", "decision_role", "influence", "attitude", "is_active"]
    list_filter = ["decision_role", "attitude", "is_active"]
    list_select_related = ["client"]
    search_fields = ["name", "email", "phone", "client__name"]
    autocomplete_fields = ["client"]
    raw_id_fields = ["known_by"]


@admin.register(Touch)
class TouchAdmin(SimpleHistoryAdmin):
    list_display = ["date", "kind", "client", "short_summary", "created_by"]
    list_filter = ["kind"]
    list_select_related = ["client", "created_by"]
    search_fields = ["summary", "client__name"]
    date_hierarchy = "date"
    autocomplete_fields = ["client", "contacts"]
    raw_id_fields = ["participants"]

    @admin.display(description=_("summary"))
    def short_summary(self, obj: Touch) -> str:
        return Truncator(obj.summary).chars(80)

    def save_model(self, request: HttpRequest, obj: Touch, form: Any, change: bool) -> None:
        if not change and isinstance(request.user, User):
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class ActiveProductGroupAdmin(admin.ModelAdmin):
    """Only active product groups may be chosen; a row keeps the one it already has."""

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        keep = obj.product_group if obj is not None else None
        field: Any = form.base_fields["product_group"]
        field.queryset = ProductGroup.objects.active(keep=keep)
        return form


@admin.register(Sale)
class SaleAdmin(ActiveProductGroupAdmin):
    list_display = ["date", "client", "product_group", "amount"]
    list_filter = ["product_group"]
    list_select_related = ["client", "product_group"]
    search_fields = ["client__name", "^client__inn"]
    date_hierarchy = "date"
    autocomplete_fields = ["client"]


@admin.register(Refusal)
class RefusalAdmin(ActiveProductGroupAdmin, SimpleHistoryAdmin):
    list_display = ["date", "client", "product_group", "reason"]
    list_filter = ["reason", "product_group"]
    list_select_related = ["client", "product_group"]
    search_fields = ["client__name", "note"]
    date_hierarchy = "date"
    autocomplete_fields = ["client"]
