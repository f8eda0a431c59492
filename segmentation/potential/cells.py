"""The estimates to do, a row per client and per responsible manager, written in Python (see
`kam.cells`)."""

from collections.abc import Iterable

from django.utils.safestring import SafeString

from kam import drawn_rows
from kam.cells import esc, gettext, rows, short_date, text
from kam.links import pk_urls
from segmentation.potential.selectors import ManagerTodo, TodoRow, TodoRows


@rows()
def todo_rows(rows: TodoRows) -> SafeString:
    """Each client with its manager, why its potential table is due and the way to fill it in;
    each drawn once per process for the values its client was read with and the months after
    which an estimate is stale (`kam.drawn_rows`)."""
    nobody = f'<span class="badge text-bg-warning">{esc(gettext("nobody"))}</span>'
    never = f'<span class="badge text-bg-secondary">{esc(gettext("not analysed"))}</span>'
    fill_in = esc(gettext("Fill in the potential table"))
    card, potential = pk_urls("accounts:client_detail"), pk_urls("segmentation:potential")

    def draw(row: TodoRow) -> str:
        client = row.client
        manager = esc(client.responsible_manager) if client.responsible_manager else nobody
        due = never
        if row.stale_since:
            newest_on = esc(short_date(client.last_estimated))  # type: ignore[attr-defined]
            stale = gettext("stale since %(date)s") % {"date": esc(short_date(row.stale_since))}
            newest = gettext("newest estimate %(date)s") % {"date": newest_on}
            due = (
                f'<span class="badge text-bg-warning">{stale}</span> <div class="small text-muted">{newest}'
                "</div>"
            )
        return (
            f'<tr><td class="cell-wrap"><a href="{esc(card(client.pk))}">'
            f"{esc(client.name)}</a></td>"
            f"<td>{manager}</td><td>{due}</td>"
            f'<td class="text-end text-nowrap"><a class="btn btn-sm btn-outline-primary"'
            f' href="{potential(client.pk)}">{fill_in}</a></td></tr>'
        )

    drawn = drawn_rows.draw(rows.clients, ("todo", rows.months), lambda client: draw(rows.row(client)))
    return SafeString("".join(drawn))


@rows()
def count_rows(counts: Iterable[ManagerTodo], linked: bool) -> SafeString:
    """Each responsible manager's clients not analysed and stale; `linked`: each manager's name
    filters the page by them (where the page filters by manager)."""
    nobody = f'<span class="badge text-bg-warning">{esc(gettext("nobody"))}</span>'
    html = []
    for count in counts:
        manager = count.manager
        who = nobody if not manager else esc(manager)
        if manager and linked:
            who = f'<a href="?manager={manager.pk}">{who}</a>'
        html.append(
            f'<tr><td>{who}</td><td class="text-end">{text(count.not_analysed)}</td>'
            f'<td class="text-end">{text(count.stale)}</td></tr>'
        )
    return SafeString("".join(html))
