from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import template
from django.utils.safestring import SafeString

from kam.cells import DASH, esc, gettext, label, rows, tenths, text
from kam.links import pk_urls
from kam.money import money
from segmentation.calculator import cells as calculator_cells
from segmentation.cells import category_badge, flag_badge, tier_badge
from segmentation.keys import cells as key_cells
from segmentation.models import League, Tier
from segmentation.notifications import cells as notification_cells
from segmentation.potential import cells as potential_cells
from segmentation.workload import cells as workload_cells

register = template.Library()


@register.filter
def tier_label(value: str) -> str:
    """A tier's name in the user's language ("" for none)."""
    return str(Tier(value).label) if value in Tier.values else ""


@register.simple_tag
@rows()
def flag_cells(cells: Sequence[Any]) -> SafeString:
    """A row of counts, each right-aligned and a link to its clients (`count`, `url`): a
    manager's row of the radar, a count per flag; a category's of the loyalty ladder, a count per
    rung. In Python: the radar has a cell per manager and flag."""
    return SafeString("".join(f'<td class="text-end">{_flag_link(cell)}</td>' for cell in cells))


def _flag_link(cell: Any) -> str:
    if cell.count:
        return f'<a href="{esc(cell.url)}">{text(cell.count)}</a>'
    return f'<a class="text-muted text-decoration-none" href="{esc(cell.url)}">0</a>'


@register.simple_tag
@rows()
def segment_cells(row: Any) -> SafeString:
    """The key list's and the candidates' segment cells of one row (`keys.selectors.Row`): tier,
    category, potential, share of all potential and league, in Python (two lists of 50 rows)."""
    segment = getattr(row.client, "segment", None)
    category = getattr(segment, "category", "")
    potential = getattr(segment, "potential", None)
    league = getattr(segment, "league", "")
    cells = [
        f"<td>{tier_badge(row.tier) if row.tier else DASH}</td>",
        f"<td>{category_badge(category)}</td>",
        '<td class="text-end text-nowrap">'
        + (esc(money(potential)) if potential is not None else _muted(gettext("not analysed")))
        + "</td>",
        '<td class="text-end">'
        + (f"{text(row.potential_share)}%" if row.potential_share is not None else DASH)
        + "</td>",
        f"<td>{esc(label(League, league)) if league else DASH}</td>",
    ]
    return SafeString("\n        ".join(cells))


def _muted(label: str) -> str:
    return f'<span class="text-muted">{esc(label)}</span>'


LOAD_EMPHASIS = {"over": " text-danger", "high": " text-warning-emphasis"}


@register.simple_tag
@rows()
def load_cells(row: Any) -> SafeString:
    """A manager's load on the workload board (a bar and the per cent), then a cell per size class
    (clients / a full load of them), in Python: a row per manager."""
    percent, level = text(row.percent), esc(row.level)
    emphasis = LOAD_EMPHASIS.get(row.level, "")
    bar = f'class="load-bar load-{level} align-middle" max="100" value="{esc(row.bar)}"'
    load = (
        '<td class="text-nowrap">\n'
        f'          <progress {bar} aria-label="{esc(gettext("Load"))}">{percent}%</progress>\n'
        f'          <span class="ms-1 fw-semibold{emphasis}" data-percent>{percent}%</span>\n'
        "        </td>"
    )
    sizes = "".join(
        f'<td class="text-end text-nowrap{" text-danger fw-semibold" if cell.over else ""}"'
        f' data-size="{esc(cell.size)}">{text(cell.count)} / {text(cell.capacity)}</td>'
        for cell in row.sizes
    )
    return SafeString(f"{load}\n        {sizes}")


@register.simple_tag
@rows()
def time_split_rows(rows: Sequence[tuple[Any, Any, Sequence[Any]]], tolerance: Any) -> SafeString:
    """The time split's rows, a manager's (or the department's) each, in Python: a row per
    manager, as (label, row, cells)."""
    tip = esc(gettext("More than %(tolerance)s points off the target") % {"tolerance": text(tolerance)})
    off = f' <span class="badge text-bg-warning" title="{tip}">{esc(gettext("off target"))}</span>'
    in_hours = esc(gettext("%(hours)s h"))  # a figure has nothing to escape
    no_time = _muted(gettext("no logged time"))
    # Each figure written once a table: most cells of a month repeat a few (no time at all).
    hours_by_minutes: dict[int, str] = {}
    shares: dict[Decimal, str] = {}
    parts = []
    for name, row, cells in rows:
        weight = " fw-normal" if row.manager else ""
        parts.append(f'<tr>\n  <th scope="row" class="text-nowrap{weight}">{esc(name)}</th>\n  ')
        for cell in cells:
            minutes = cell.logged.minutes
            hours = hours_by_minutes.get(minutes)
            if hours is None:
                hours = hours_by_minutes[minutes] = in_hours % {"hours": tenths(cell.logged.hours)}
            share = DASH if cell.share is None else shares.get(cell.share)
            if share is None:
                share = shares[cell.share] = f"{tenths(cell.share)}%"
            if cell.off:
                share += off
            warning = " table-warning" if cell.off else ""
            parts.append(
                f'<td class="text-end text-nowrap{warning}">{hours}\n    <div>{share}</div></td>\n  '
            )
        total = tenths(row.hours) if row.minutes else no_time
        undated = esc(row.undated_text or "—")
        parts.append(f'<td class="text-end">{total}</td>\n  <td class="text-end">{undated}</td>\n</tr>\n')
    return SafeString("".join(parts))


@register.simple_tag
def options(field: Any) -> SafeString:
    """{% options form.field %}: a choice field's options (without groups) as its select writes
    them, for a template that writes its own <select>: the first one of the field's value
    selected. Written here, not by each option's widget: a director's select has every manager."""
    chosen = field.field.widget.format_value(field.value())
    html, selected = [], False
    for choice, name in field.field.choices:
        value = "" if choice is None else str(choice)
        mark = not selected and value in chosen
        selected = selected or mark
        html.append(f'<option value="{text(value)}"{" selected" if mark else ""}>{text(name)}</option>')
    return SafeString("".join(html))


@register.simple_tag
@rows()
def worst_rows(rows: Sequence[Any]) -> SafeString:
    """The radar's worst clients (`radar.selectors.WorstRow`), a table row each, in Python."""
    abroad = f' <span class="badge text-bg-info">{esc(gettext("abroad"))}</span>'
    nobody = f'<span class="text-danger">{esc(gettext("Nobody"))}</span>'
    card = pk_urls("accounts:client_detail")
    html = []
    for row in rows:
        client, manager = row.client, row.client.responsible_manager
        flags = "".join(flag_badge(esc(flag.label), flag.name) for flag in row.flags)
        html.append(
            f'<tr><td><a href="{esc(card(client.pk))}">{esc(client.name)}</a>'
            f"{abroad if row.abroad else ''}</td><td>{tier_badge(row.tier)}</td>"
            f"<td>{esc(manager) if manager else nobody}</td><td>{flags}</td></tr>"
        )
    return SafeString("".join(html))


@register.simple_tag
def workload_manager_rows(rows: Sequence[Any]) -> SafeString:
    return workload_cells.manager_rows(rows, load_cells)


@register.simple_tag
def workload_unassigned_rows(clients: Sequence[Any]) -> SafeString:
    return workload_cells.unassigned_rows(clients)


@register.simple_tag
def calculator_manager_rows(workload: Any, list_url: str) -> SafeString:
    return calculator_cells.manager_rows(workload, list_url)


@register.simple_tag
def key_rows(rows: Sequence[Any]) -> SafeString:
    return key_cells.key_rows(rows, segment_cells)


@register.simple_tag
def candidate_rows(page: Any) -> SafeString:
    return key_cells.candidate_rows(page, segment_cells)


@register.simple_tag
def todo_rows(rows: Any) -> SafeString:
    return potential_cells.todo_rows(rows)


@register.simple_tag
def todo_count_rows(counts: Sequence[Any], filters: Any) -> SafeString:
    """{% todo_count_rows counts filters %}: the counts per responsible manager, each name a
    link that filters the page by that manager where `filters` has that filter."""
    return potential_cells.count_rows(counts, "manager" in filters.form.fields)


@register.simple_tag
def notification_rows(rows: Sequence[Any]) -> SafeString:
    return notification_cells.notification_rows(rows)
