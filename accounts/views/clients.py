"""The client list, global search, and creating, editing and assigning cards."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import audit, selectors, services
from accounts.access import EDIT, REASSIGN, get_client_for_user
from accounts.extensions import list_columns
from accounts.filters import ClientFilter
from accounts.forms import AssignForm, ClientForm, SearchForm, TeamMemberForm
from accounts.models import INN_KPP_TAKEN, Client
from accounts.rules import sees_every_client
from kam.access import permission_or_403
from kam.http import AuthenticatedHttpRequest
from kam.pagination import keyset_page, query_without

SEARCH_LIMIT = 25


@login_required
@require_GET
def client_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = ClientFilter(
        request.GET or None, queryset=selectors.client_list(request.user), user=request.user
    )
    field, descending = filters.ordering()
    data = filters.form.cleaned_data if filters.is_bound and filters.form.is_valid() else {}
    page = keyset_page(
        filters.qs,
        order=[f"-{field}", "-pk"] if descending else [field, "pk"],
        after=data.get("after") or "",
        before=data.get("before") or "",
    )
    context = {
        "filters": filters,
        "page": page,
        "sort": data.get("sort") or "name",
        "query": query_without(request.GET, "after", "before", "sort"),
        "page_query": query_without(request.GET, "after", "before"),
        "sees_all": sees_every_client(request.user),
        "columns": list_columns(),
        "nav": "clients",
    }
    template = "accounts/client_list.html#results" if request.htmx else "accounts/client_list.html"
    return render(request, template, context)


@login_required
@require_GET
def client_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Any client by name or INN; cards the user may not open show only who owns them."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = []
    if len(query) >= 2:
        found = selectors.client_search(query, limit=SEARCH_LIMIT)
        visible = selectors.visible_ids(request.user, [c.pk for c in found])
        results = [(c, c.pk in visible) for c in found]
    context = {"form": form, "results": results, "search_query": query, "limit": SEARCH_LIMIT}
    return render(request, "accounts/client_search.html", context)


@permission_or_403("accounts.add_client")
@require_http_methods(["GET", "POST"])
def client_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(client=form.instance, author=request.user)
        except services.DuplicateInnKppError:
            form.add_error("kpp", INN_KPP_TAKEN)
        else:
            messages.success(request, _("The card of %(name)s was created.") % {"name": client.name})
            return redirect(client)
    return render(request, "accounts/client_form.html", {"form": form, "nav": "clients"})


@login_required
@require_http_methods(["GET", "POST"])
def client_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk, need=EDIT)
    form = ClientForm(request.POST or None, instance=client)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            services.client_update(client=form.instance, expected_version=form.cleaned_data["version"] or 0)
        except services.StaleVersionError as error:
            conflict = error
            form = _merged_form(request, pk, form.cleaned_data["version"] or 0)
        except services.DuplicateInnKppError:
            form.add_error("kpp", INN_KPP_TAKEN)
        else:
            messages.success(request, _("The card was saved."))
            return redirect(client)
    context = {"form": form, "client": client, "conflict": conflict, "nav": "clients"}
    return render(request, "accounts/client_form.html", context, status=409 if conflict else 200)


def _merged_form(request: AuthenticatedHttpRequest, pk: int, stale_version: int) -> ClientForm:
    """The user's input merged onto the latest version, so saving again loses nothing.

    A field the user did not touch (same as in the version they opened) takes the other
    person's value; a field the user changed keeps the user's value. The version becomes
    the latest one, so the next save is a deliberate choice.
    """
    current = Client.objects.get(pk=pk)
    base = audit.client_at_version(pk, stale_version)
    data = request.POST.copy()
    latest = ClientForm(instance=current)
    opened = ClientForm(instance=base) if base is not None else latest
    for name, field in latest.fields.items():
        if name != "version" and not field.has_changed(
            opened[name].value(), field.widget.value_from_datadict(data, {}, name)
        ):
            _put(data, name, latest[name].value())
    data["version"] = str(current.version)
    form = ClientForm(data, instance=current)
    form.is_valid()
    return form


def _put(data: QueryDict, name: str, value: object) -> None:
    if value is True:
        data[name] = "on"
    elif value in (False, None):
        data.pop(name, None)
    else:
        data[name] = str(value)


@login_required
@require_http_methods(["GET", "POST"])
def client_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk, need=REASSIGN)
    initial = {"responsible_manager": client.responsible_manager, "status": client.status}
    form = AssignForm(request.POST or None, initial=initial)
    team_form = TeamMemberForm(client=client)
    if request.method == "POST" and form.is_valid():
        services.client_assign(client=client, manager=form.cleaned_data["responsible_manager"])
        messages.success(request, _("The responsible manager was changed."))
        return redirect(client)
    context = {
        "client": client,
        "form": form,
        "team_form": team_form,
        "team": client.team.select_related("user"),
        "nav": "clients",
    }
    return render(request, "accounts/client_assign.html", context)


@login_required
@require_POST
def team_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk, need=REASSIGN)
    form = TeamMemberForm(request.POST, client=client)
    if form.is_valid():
        services.team_member_add(
            client=client, user=form.cleaned_data["user"], role=form.cleaned_data["role"]
        )
        messages.success(
            request, _("%(user)s joined the account team.") % {"user": form.cleaned_data["user"]}
        )
        return redirect("accounts:client_assign", pk=client.pk)
    context = {
        "client": client,
        "form": AssignForm(initial={"responsible_manager": client.responsible_manager}),
        "team_form": form,
        "team": client.team.select_related("user"),
        "nav": "clients",
    }
    return render(request, "accounts/client_assign.html", context, status=400)


@login_required
@require_POST
def team_remove(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk, need=REASSIGN)
    member = get_object_or_404(client.team.select_related("user"), pk=member_pk)
    services.team_member_remove(member=member)
    messages.success(request, _("%(user)s left the account team.") % {"user": member.user})
    return redirect("accounts:client_assign", pk=client.pk)
