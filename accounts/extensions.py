"""Where the apps above `accounts` plug into the client card and the client list.

`accounts` is the base layer and imports no app above it. Segmentation and plans register
their card tabs, overview panels, list columns, list filters and actions on picked clients here
from their `AppConfig.ready()`; the card and the list show whatever is registered, by `order`.
Registering the same name again replaces the entry, so a second `ready()` adds nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import django_filters
from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Client
from kam.http import AuthenticatedHttpRequest

Label = str | Promise


@dataclass(frozen=True)
class CardTab:
    """A tab of the card: `name` is what its pages pass to `card_context` as the active tab."""

    name: str
    label: Label
    url_name: str
    order: int


@dataclass(frozen=True)
class CardPanel:
    """A panel on the card's overview: `context(request, client)` fills its template.

    The panel's context joins the page's, so its keys are named after the app ("segments").
    `related`: the client's relations it reads (`select_related` names), joined into the
    overview's one read of the client, the access gate's (`accounts.access.get_client_for_user`).
    """

    name: str
    template: str
    context: Callable[[AuthenticatedHttpRequest, Client], dict[str, Any]]
    order: int
    related: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListColumn:
    """A column of the client list: `cell(client)` is the row's cell as safe HTML, rendered in
    Python (`kam.cells`), reading only what `related` and `annotate()` fetched.

    - `related`: the relations the cell reads, joined once for the whole page;
    - `annotate()`: the values the cell or the sort needs, computed in the page's one query;
    - `sort`: the field or annotation the column sorts by (NOT NULL: the keyset pager needs it),
      `descending_first` for columns where the biggest comes first; `sort_parts(rows)`, when an
      index serves the order only in parts (a COALESCE across tables), the parts in ascending
      order, every row of one below every row of the next, each with the `sort` annotation;
    - `shown`: whether a user who has not picked their columns sees it;
    - `value(client)`: the cell as a plain value for the Excel export (text, a number, a date or
      None), read from what `related` and `annotate()` fetched: no query of its own;
    - `reads`: the fields `cell` reads and `sort` names, of the client and of what `related`
      joins ("segment__tier"), besides the annotations: a page's rows read no other column
      (`accounts.selectors.client_rows_by_pk`).
    """

    name: str
    header: Label
    cell: Callable[[Any], str]
    order: int
    title: Label = ""
    related: tuple[str, ...] = ()
    annotate: Callable[[], dict[str, Any]] | None = None
    sort: str = ""
    descending_first: bool = False
    sort_parts: Callable[[QuerySet[Any]], list[QuerySet[Any]]] | None = None
    shown: bool = True
    value: Callable[[Any], Any] = lambda client: None
    reads: tuple[str, ...] = ()

    def annotations(self) -> dict[str, Any]:
        return self.annotate() if self.annotate else {}


@dataclass(frozen=True)
class ListFilter:
    """A filter of the client list: `make()` builds a fresh django-filter Filter for each list.
    `by_value`: its condition is a function of its value alone, and of the list filters' version
    (`ChoicesVersion`, which the filter may read from its parent): no date, policy or setting. A
    list filtered by such filters alone keeps its queries for their values
    (`accounts.filters.ClientFilter.shape`)."""

    name: str
    make: Callable[[], django_filters.Filter]
    order: int
    by_value: bool = False


@dataclass(frozen=True)
class HistorySource:
    """A part of the card's history kept by an app above (key status, segment changes...).

    `dates(client, before)` is a query (not run) with one `at` per entry older than `before` (all
    when None); `entries(request, client, before, limit)` returns the `limit` newest such
    `accounts.audit.AuditEntry`s, newest first, in a constant number of queries. The history tab
    finds its page across every source from their dates, then asks only the sources on it for
    their entries (`accounts.audit.client_history`).
    """

    name: str
    entries: Callable[[AuthenticatedHttpRequest, Client, datetime | None, int], list[Any]]
    dates: Callable[[Client, datetime | None], Any]


@dataclass(frozen=True)
class ListAction:
    """Something done to clients picked in the list: the ticked rows, or all the clients its
    filters match. Where an action applies (the user has `permission` and `applies(filters)`
    holds for the list's cleaned filter values), the list shows a tick box per row and the
    action's buttons; they open `url_name` (a GET page that previews, then confirms) with the
    ticked ids as `client` and the list's query string as `back`, or with the list's own query
    string and `all=1`.
    """

    name: str
    label: Label
    url_name: str
    permission: str
    order: int
    applies: Callable[[dict[str, Any]], bool] = lambda filters: True


CORE_TABS = [
    CardTab("overview", _("Overview"), "accounts:client_detail", 10),
    CardTab("contacts", _("Decision group"), "accounts:client_contacts", 20),
    CardTab("points", _("Points of presence"), "accounts:client_points", 30),
    CardTab("touches", _("Touches"), "accounts:client_touches", 40),
    CardTab("sales", _("Sales"), "accounts:client_sales", 50),
    CardTab("refusals", _("Refusals"), "accounts:client_refusals", 60),
    CardTab("history", _("History"), "accounts:client_history", 100),
]

_tabs: dict[str, CardTab] = {tab.name: tab for tab in CORE_TABS}
_panels: dict[str, CardPanel] = {}
_columns: dict[str, ListColumn] = {}  # the base columns are registered by accounts.columns
_filters: dict[str, ListFilter] = {}
_history: dict[str, HistorySource] = {}
_actions: dict[str, ListAction] = {}
# The page that moves one client to another manager with the rules an app above checks (the
# reason, the KAM rules, the new manager told): `(client_pk, manager_pk or None) -> url`.
_client_move: list[Callable[[int, int | None], str]] = []


def register_tab(tab: CardTab) -> None:
    _tabs[tab.name] = tab


def register_panel(panel: CardPanel) -> None:
    _panels[panel.name] = panel


def register_column(column: ListColumn) -> None:
    _columns[column.name] = column


def register_filter(list_filter: ListFilter) -> None:
    _filters[list_filter.name] = list_filter


def register_history_source(source: HistorySource) -> None:
    _history[source.name] = source


def register_action(action: ListAction) -> None:
    _actions[action.name] = action


def register_client_move(url: Callable[[int, int | None], str]) -> None:
    """Send the card's change of the responsible manager through an app's move page."""
    _client_move[:] = [url]


def client_move_url(client: Client, manager_pk: int | None = None) -> str | None:
    """The page that moves `client` (to `manager_pk`, if chosen), or None if no app offers one."""
    return _client_move[0](client.pk, manager_pk) if _client_move else None


def list_actions(user: Any, filters: dict[str, Any]) -> list[ListAction]:
    """The actions `user` may take on the list filtered by `filters` (cleaned values), in order."""
    found = [a for a in _actions.values() if user.has_perm(a.permission) and a.applies(filters)]
    return sorted(found, key=lambda action: action.order)


def history_sources() -> list[HistorySource]:
    return list(_history.values())


def card_tabs() -> list[CardTab]:
    return sorted(_tabs.values(), key=lambda tab: tab.order)


def card_panels() -> list[CardPanel]:
    return sorted(_panels.values(), key=lambda panel: panel.order)


def card_related() -> tuple[str, ...]:
    """The relations every overview panel reads, once each, in a constant order."""
    return tuple(sorted({name for panel in _panels.values() for name in panel.related}))


def list_columns() -> list[ListColumn]:
    return sorted(_columns.values(), key=lambda column: column.order)


def list_column(name: str) -> ListColumn | None:
    return _columns.get(name)


def list_filters() -> list[ListFilter]:
    return sorted(_filters.values(), key=lambda list_filter: list_filter.order)


def card_context(request: AuthenticatedHttpRequest, client: Client, tab: str) -> dict[str, Any]:
    """What every page of the card shows around its tab: the client, the tabs, what the user may do."""
    user = request.user
    return {
        "client": client,
        "tab": tab,
        "card_tabs": card_tabs(),
        "may_edit": user.has_perm("accounts.edit_client", client),
        "may_assign": user.has_perm("accounts.reassign_client", client),
        "nav": "clients",
    }
