"""The client list's rows: each column renders its own cell in Python (`ListColumn.cell`), and
the row around them is written here, as the Django admin's change list writes its rows."""

import copy
from collections.abc import Sequence
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from accounts.extensions import ListColumn
from accounts.filters import ClientFilter
from accounts.templatetags.card_tags import sort_header
from kam import drawn_rows
from kam.cells import esc, rows
from kam.cells import gettext as cells_gettext
from kam.drawn import drawn_filters, drawn_form, stand_in
from kam.links import around_last

register = template.Library()


@register.simple_tag
@rows()
def search_rows(results: Sequence[tuple[Any, bool]]) -> SafeString:
    """{% search_rows results %}: a <tr> per client found, with whether the user may open its
    card: the name (a link to the card, or marked as another manager's client), the INN/KPP
    (only of a card they may open), the head office's city and the responsible manager."""
    another = esc(cells_gettext("another manager's client"))
    theirs = f'<span class="badge text-bg-light">{another}</span>'
    card, card_end = around_last("accounts:client_detail")
    lines = []
    for client, may_open in results:
        name = esc(client.name)
        if may_open:
            name = f'<a href="{card}{client.pk}{card_end}">{name}</a>'
            inn = esc(client.inn) or "—"
            if client.kpp:
                inn = f"{inn}/{esc(client.kpp)}"
        else:
            name, inn = f"{name} {theirs}", "—"
        manager = esc(client.responsible_manager) if client.responsible_manager else "—"
        lines.append(
            f"<tr><td>{name}</td>"
            f'<td class="font-monospace small">{inn}</td>'
            f"<td>{esc(client.head_city) if client.head_city else '—'}</td>"
            f"<td>{manager}</td></tr>"
        )
    return SafeString("\n".join(lines))


@register.simple_tag
def list_rows(clients: Sequence[Any], columns: Sequence[ListColumn], pick: bool) -> SafeString:
    """{% list_rows page.rows columns actions %}: a <tr> per client: a box to tick it when the
    list has actions, its name linking to its card (the legal name as the title), then a cell
    per column. Each row is drawn once per process for the values it was read with
    (`kam.drawn_rows`): a cell reads only what its column's query read."""
    pick_label = gettext("Pick %(name)s")
    card, card_end = around_last("accounts:client_detail")

    def row(client: Any) -> str:
        name = esc(client.name)
        box = (
            f'<td class="cell-pick"><input class="form-check-input" type="checkbox" name="client" value='
            f'"{client.pk}" form="list-action" aria-label="{pick_label % {"name": name}}"></td>'
            if pick
            else ""
        )
        title = f' title="{esc(client.legal_name)}"' if client.legal_name else ""
        cells = "".join(f"<td>{column.cell(client)}</td>" for column in columns)
        link = f'<a href="{card}{client.pk}{card_end}"{title}>{name}</a>'
        return f'<tr>{box}<td class="cell-name">{link}</td>{cells}</tr>'

    with rows():
        shown = ("client-list", tuple(column.name for column in columns), bool(pick))
        return SafeString("\n".join(drawn_rows.draw(clients, shown, row)))


@register.simple_tag(takes_context=True)
def list_head(context: Any, columns: Sequence[ListColumn], pick: bool) -> SafeString:
    """{% list_head columns actions %}: the list's header row, written here as its rows are: a
    cell above the boxes to tick when the list has actions, the name's, then each column's, those
    that sort linking to their order (`sort_header`)."""
    pick_cell = (
        f'<th class="cell-pick"><span class="visually-hidden">{esc(gettext("Pick"))}</span></th>'
        if pick
        else ""
    )
    cells = []
    for column in columns:
        title = f' title="{esc(column.title)}"' if column.title else ""
        header = (
            sort_header(context, column.name, str(column.header), column.descending_first)
            if column.sort
            else esc(column.header)
        )
        cells.append(f"<th{title}>{header}</th>{INDENT}")
    name = sort_header(context, "name", gettext("Client"))
    return SafeString(
        f"<thead><tr>{INDENT}{pick_cell}{INDENT}<th>{name}</th>{INDENT}{''.join(cells)}\n    </tr></thead>"
    )


INDENT = "\n      "  # as the template around it indents the header's cells


FILTERS = "accounts/_client_filters.html"
SEARCH = "q"


@register.simple_tag
def client_filters(filters: ClientFilter, sort: str) -> SafeString:
    """{% client_filters filters sort %}: the list's filter form, drawn once per process for what
    its fields show (`kam.drawn.drawn_form`: each one's value and choices) and the order; a
    search typed in is written into a drawing with a stand-in in its place (its text in the key
    would make a key of every search)."""
    form = filters.form
    fields = drawn_filters(form)
    typed = form[SEARCH].value()
    if not typed:
        return drawn_form(FILTERS, (sort,), fields, lambda: {"filters": filters, "sort": sort})
    others = [field for field in fields if field.name != SEARCH]
    key = (sort, SEARCH, SEARCH in form.errors)  # a search too long is drawn marked invalid
    own = {SEARCH_STAND_IN: escape(typed)}
    return drawn_form(FILTERS, key, others, lambda: _with_stand_in(filters, sort), own)


SEARCH_STAND_IN = "search"


def _with_stand_in(filters: ClientFilter, sort: str) -> dict[str, Any]:
    """The template's context with the search's stand-in in place of the text typed: a copy of
    the filters and their form, which share the form's fields (and the choices read for the
    key), with the form's data copied."""
    form = copy.copy(filters.form)
    form.data = form.data.copy()
    form.data[SEARCH] = stand_in(SEARCH_STAND_IN)
    form._bound_fields_cache = {}
    shown = copy.copy(filters)
    shown._form = form
    return {"filters": shown, "sort": sort}
