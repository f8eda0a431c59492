from django.urls import URLPattern, path

from accounts.reference import views as reference
from accounts.reference.kinds import INDUSTRIES, PRODUCT_GROUPS, ReferenceKind
from accounts.views import card, clients, entries

app_name = "accounts"


def reference_urls(route: str, kind: ReferenceKind) -> list[URLPattern]:
    """The admins' pages of one kind of reference data (accounts/reference/)."""
    prefix, given = kind.url_prefix, {"kind": kind}
    return [
        path(f"reference/{route}/", reference.reference_list, given, name=f"{prefix}_list"),
        path(f"reference/{route}/new/", reference.reference_create, given, name=f"{prefix}_create"),
        path(f"reference/{route}/<int:pk>/", reference.reference_edit, given, name=f"{prefix}_edit"),
        path(
            f"reference/{route}/<int:pk>/deactivate/",
            reference.reference_deactivate,
            given,
            name=f"{prefix}_deactivate",
        ),
        path(
            f"reference/{route}/<int:pk>/reactivate/",
            reference.reference_reactivate,
            given,
            name=f"{prefix}_reactivate",
        ),
        path(
            f"reference/{route}/<int:pk>/delete/", reference.reference_delete, given, name=f"{prefix}_delete"
        ),
    ]


urlpatterns = [
    path("", clients.client_list, name="client_list"),
    path("export/", clients.client_export, name="client_export"),
    path("columns/", clients.client_list_columns, name="client_list_columns"),
    path("search/", clients.client_search, name="client_search"),
    path("new/", clients.client_create, name="client_create"),
    path("regions/", card.region_options, name="region_options"),
    path("<int:pk>/", card.client_detail, name="client_detail"),
    path("<int:pk>/edit/", clients.client_edit, name="client_edit"),
    path("<int:pk>/assign/", clients.client_assign, name="client_assign"),
    path("<int:pk>/team/", clients.team_add, name="team_add"),
    path("<int:pk>/team/<int:member_pk>/remove/", clients.team_remove, name="team_remove"),
    path("<int:pk>/contacts/", card.client_contacts, name="client_contacts"),
    path("<int:pk>/points/", card.client_points, name="client_points"),
    path("<int:pk>/touches/", card.client_touches, name="client_touches"),
    path("<int:pk>/refusals/", card.client_refusals, name="client_refusals"),
    path("<int:pk>/sales/", card.client_sales, name="client_sales"),
    path("<int:pk>/history/", card.client_history, name="client_history"),
    path("<int:pk>/<str:kind>/new/", entries.entry_form, name="entry_new"),
    path("<int:pk>/<str:kind>/<int:entry_pk>/edit/", entries.entry_form, name="entry_edit"),
    path("<int:pk>/<str:kind>/<int:entry_pk>/delete/", entries.entry_delete, name="entry_delete"),
    *reference_urls("product-groups", PRODUCT_GROUPS),
    *reference_urls("industries", INDUSTRIES),
]
