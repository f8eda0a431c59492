"""The client list, global search, and creating, editing and assigning cards."""

from functools import cached_property, partial
from operator import attrgetter
from threading import Lock
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import extensions, selectors, services
from accounts.access import EDIT, REASSIGN, get_client_for_user
from accounts.audit import Conflict
from accounts.filters import ClientFilter
from accounts.forms import AssignForm, ClientForm, ListColumnsForm, SearchForm, TeamMemberForm, VersionForm
from accounts.models import INN_KPP_TAKEN, Client
from accounts.rules import sees_every_client
from accounts.views.conflicts import current_or_deleted, merged_form
from kam import excel
from kam.access import permission_or_403
from kam.drawn import drawn, stand_in
from kam.excel import Column
from kam.exports.background import in_background
from kam.http import AuthenticatedHttpRequest, safe_next
from kam.pagination import keyset_page, query_without

SEARCH_LIMIT = 25


class Listed:
    """The client list as the query string asks for it: the filters, the user's columns, the
    order, and the clients in it, read as each use needs them.

    A page finds its keys in `parts`, lean querysets of the filtered clients (no column's join
    or subquery): in an order of the list's own, the parts the user sees (`visible_parts`), which
    the pager merges (once counted, among `among`); then it reads the page's rows with every
    column, by their pks (`read`, a query compiled once per set of columns). The export reads
    `rows`, every visible client with every column; so do the orders an index serves only in
    parts (`sort_parts`), one part after another."""

    def __init__(self, request: AuthenticatedHttpRequest):
        self.user = request.user
        self.columns, choices_version = selectors.list_columns_of(request.user)
        self.filters = ClientFilter(
            request.GET or None, queryset=Client.objects.all(), user=request.user, version=choices_version
        )
        filters = self.filters
        self.data = filters.form.cleaned_data if filters.is_bound and filters.form.is_valid() else {}
        self.sorting = sorting = filters.ordering()
        self.sort = sorting.key
        self.order = [f"-{sorting.field}", "-pk"] if sorting.descending else [sorting.field, "pk"]
        self.chained = sorting.column is not None and sorting.column.sort_parts is not None
        column = sorting.column  # read with the rows, though the user may not show it
        hidden = [] if column is None or column in self.columns else [column]
        self.read_columns = [*self.columns, *hidden]
        self.read = selectors.client_rows_by_pk(self.read_columns)

    @cached_property
    def rows(self) -> QuerySet[Client]:
        """Every visible client with the columns (and the one sorted by), filtered, not ordered."""
        rows = selectors.client_rows(self.read_columns)
        if self.filters.is_bound:  # as `filters.qs` filters its lean queryset
            rows = self.filters.filter_queryset(rows)
        return selectors.visible_among(self.user, rows)

    @cached_property
    def parts(self) -> list[QuerySet[Client]]:
        column = self.sorting.column
        if column is not None and column.sort_parts is not None:
            return column.sort_parts(self.rows)[:: -1 if self.sorting.descending else 1]
        keys = self.filters.qs if column is None else self.filters.qs.annotate(**column.annotations())
        return selectors.visible_parts(self.user, keys)

    @cached_property
    def among(self) -> QuerySet[Client]:
        """Every client with what the order names: the page's keys, once counted, are read
        among them by pk rather than filtered again (`keyset_page`'s `among`)."""
        column = self.sorting.column
        return Client.objects.all() if column is None else Client.objects.annotate(**column.annotations())


# The list as it opens, unfiltered in the name's order: counted and its first page's keys read
# through prepared queries, as each user sees it.
OPENING_ORDER = ["name", "pk"]
LIST_PAGE_SIZE = 50
_OPENING = selectors.SeenOpening(OPENING_ORDER, size=LIST_PAGE_SIZE)


# The lists filtered by value alone (`ClientFilter.shape`) last asked for, in the name's order,
# each with its queries kept as the unfiltered list's are: the oldest make way past the limit.
_FILTERED: dict[tuple[str, int | None, tuple[tuple[str, Any], ...]], selectors.SeenOpening] = {}
FILTERED_KEPT = 64
_filtered_lock = Lock()


def _opening(listed: Listed) -> tuple[Any, Any, bool]:
    """The counts and the first page's keys of the list in the name's order, from the queries
    kept for it (`SeenOpening.of`), and whether the page narrows to the pks counted: the
    unfiltered list's, or those of its filters' shape; none for another order or a list
    filtered otherwise."""
    if listed.order != OPENING_ORDER:
        return None, None, True
    seen = _OPENING if not listed.filters.is_bound else _filtered(listed)
    if seen is None:
        return None, None, True
    return *seen.of(listed.user), seen.narrows(listed.user)


def _filtered(listed: Listed) -> selectors.SeenOpening | None:
    """The queries kept for the list's filters' shape (`ClientFilter.shape`) and their choices'
    version, kept now if new (the unfiltered list's for no filter set); None for a list filtered
    otherwise."""
    values = listed.filters.shape()
    if values is None:
        return None
    if not values:
        return _OPENING
    shape = (connection.alias, listed.filters.version, values)
    seen = _FILTERED.get(shape)
    if seen is None:
        clients = listed.filters.filter_queryset(Client.objects.all())
        seen = selectors.SeenOpening(OPENING_ORDER, size=LIST_PAGE_SIZE, clients=clients)
        with _filtered_lock:
            while len(_FILTERED) >= FILTERED_KEPT:
                _FILTERED.pop(next(iter(_FILTERED)))
            seen = _FILTERED.setdefault(shape, seen)
    return seen


@login_required
@require_GET
def client_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    listed = Listed(request)
    filters, columns, data = listed.filters, listed.columns, listed.data
    counts, first, narrow = _opening(listed)
    page = keyset_page(
        lambda: listed.parts,  # made only where the prepared counts and first page fall short
        order=listed.order,
        chained=listed.chained,
        read=listed.read,
        among=listed.among,
        after=data.get("after") or "",
        before=data.get("before") or "",
        size=LIST_PAGE_SIZE,
        counts=counts,
        first=first,
        narrow=narrow,
    )
    context = {
        "filters": filters,
        "page": page,
        "sort": listed.sort,
        "query": query_without(request.GET, "after", "before", "sort"),
        "page_query": query_without(request.GET, "after", "before"),
        "sees_all": sees_every_client(request.user),
        "columns": columns,
        "columns_picker": partial(columns_picker, request, [column.name for column in columns]),
        "actions": extensions.list_actions(request.user, data),
        "today": timezone.localdate(),
        "nav": "clients",
    }
    template = "accounts/client_list.html#results" if request.htmx else "accounts/client_list.html"
    return render(request, template, context)


COLUMNS_PICKER = "accounts/_columns_picker.html"


def columns_picker(request: AuthenticatedHttpRequest, shown: list[str]) -> SafeString:
    """The form that picks the list's columns, drawn once per process for the columns shown
    (`kam.drawn`); the CSRF token and the list's address to come back to written in."""

    def stand_ins() -> dict[str, Any]:
        initial = {"columns": shown, "next": stand_in("next")}
        return {"columns_form": ListColumnsForm(initial=initial), "csrf_token": stand_in("csrf")}

    own = {"next": escape(request.get_full_path()), "csrf": escape(get_token(request))}
    return drawn(COLUMNS_PICKER, tuple(shown), stand_ins, own)


@login_required
@require_GET
def client_export(request: AuthenticatedHttpRequest) -> HttpResponse | FileResponse:
    """Every row the list shows with these filters, in its order, with the user's columns (all
    pages, not one); a large list is built on the worker (kam.exports.background)."""
    listed = Listed(request)
    name = _("Client base") if sees_every_client(request.user) else _("My clients")
    if (queued := in_background(request, rows=listed.rows, name=name)) is not None:
        return queued
    columns = [
        Column(_("Client"), attrgetter("name"), width=40),
        *(Column(column.header, column.value) for column in listed.columns),
    ]
    rows = listed.rows.order_by(*listed.order).iterator(chunk_size=excel.CHUNK)
    return excel.export(name, [(name, columns, rows)])


@login_required
@require_POST
def client_list_columns(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Remember the columns the user picked and go back to the list as it was."""
    form = ListColumnsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Those columns are not in the list; nothing was changed."))
        return redirect("accounts:client_list")
    services.list_columns_save(user=request.user, names=form.cleaned_data["columns"])
    messages.success(request, _("The list shows the columns you picked."))
    return redirect(safe_next(request, form.cleaned_data["next"], "accounts:client_list"))


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
            conflict = error.conflict
            current = Client.objects.get(pk=pk)
            form = merged_form(ClientForm, request.POST, current, form.cleaned_data["version"])
        except services.DuplicateInnKppError:
            form.add_error("kpp", INN_KPP_TAKEN)
        else:
            messages.success(request, _("The card was saved."))
            return redirect(client)
    context = {"form": form, "client": client, "conflict": conflict, "nav": "clients"}
    return render(request, "accounts/client_form.html", context, status=409 if conflict else 200)


@login_required
@require_http_methods(["GET", "POST"])
def client_assign(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk, need=REASSIGN)
    initial = {"responsible_manager": client.responsible_manager, "status": client.status}
    form = AssignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        manager = form.cleaned_data["responsible_manager"]
        move = extensions.client_move_url(client, manager.pk) if manager is not None else None
        if move is not None and manager != client.responsible_manager:
            return redirect(move)  # the move page previews the loads, checks the rules, asks why
        services.client_assign(client=client, manager=manager)
        messages.success(request, _("The responsible manager was changed."))
        return redirect(client)
    return _assign_page(request, client, form=form)


@login_required
@require_POST
def team_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Add a colleague, or change a member's role; a role changed meanwhile by someone else is refused."""
    client = get_client_for_user(request, pk, need=REASSIGN)
    form = TeamMemberForm(request.POST, client=client)
    if not form.is_valid():
        return _assign_page(request, client, team_form=form, status=400)
    user = form.cleaned_data["user"]
    try:
        services.team_member_add(
            client=client,
            user=user,
            role=form.cleaned_data["role"],
            expected_version=form.cleaned_data["version"],
        )
    except services.StaleVersionError as error:
        member = client.team.get(user=user)
        form = merged_form(TeamMemberForm, request.POST, member, form.cleaned_data["version"], client=client)
        return _assign_page(request, client, team_form=form, conflict=error.conflict, status=409)
    messages.success(request, _("%(user)s joined the account team.") % {"user": user})
    return redirect("accounts:client_assign", pk=client.pk)


@login_required
@require_POST
def team_remove(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk, need=REASSIGN)
    member, conflict = current_or_deleted(client.team.select_related("user"), client, member_pk)
    if member is not None:
        version = VersionForm(request.POST)
        try:
            services.team_member_remove(member=member, expected_version=version.value())
        except services.StaleVersionError as error:
            conflict = error.conflict
        else:
            messages.success(request, _("%(user)s left the account team.") % {"user": member.user})
            return redirect("accounts:client_assign", pk=client.pk)
    return _assign_page(request, client, conflict=conflict, removing=True, status=409)


def _assign_page(
    request: AuthenticatedHttpRequest,
    client: Client,
    *,
    form: AssignForm | None = None,
    team_form: TeamMemberForm | None = None,
    conflict: Conflict | None = None,
    removing: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {
        "client": client,
        "form": form or AssignForm(initial={"responsible_manager": client.responsible_manager}),
        "team_form": team_form or TeamMemberForm(client=client),
        "team": client.team.select_related("user"),
        "move_url": extensions.client_move_url(client),
        "conflict": conflict,
        "removing": removing,
        "nav": "clients",
    }
    return render(request, "accounts/client_assign.html", context, status=status)
