"""The workload board's rows written in Python (see `kam.cells`): a row per manager and the 50
unassigned clients, whose template loops were most of the board's time."""

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils.safestring import SafeString

from accounts.columns import head_office_cell
from kam.cells import DASH, esc, gettext, label, rows, text
from kam.links import pk_url, pk_urls
from kam.money import money
from segmentation.cells import tier_badge
from segmentation.models import SizeClass, Tier
from segmentation.workload.board import ManagerRow


@rows()
def manager_rows(rows: Iterable[ManagerRow], load_cells: Any) -> SafeString:
    """The board's managers: a link to each one's clients, their load (`load_cells`), key
    clients, warnings and the hand-over button."""
    clients = reverse("accounts:client_list")
    hand_over = esc(gettext("Hand over all clients"))
    html = []
    for row in rows:
        assert row.manager is not None
        pk = row.manager.pk
        link = f'<a href="{clients}?manager={pk}">{esc(row.manager)}</a>'
        keys = text(row.load.keys)
        if row.keys_over:
            keys = f'<span class="badge text-bg-danger">{keys}</span>'
        warnings = "".join(f'<div class="text-danger">⚠ {esc(warning)}</div>' for warning in row.warnings)
        leave = pk_url("segmentation:manager_leave", pk)
        html.append(
            f'<tr data-manager="{pk}"><th scope="row">{link}</th>{load_cells(row)}'
            f'<td class="text-end">{keys}</td><td class="small">{warnings}</td>'
            f'<td class="text-end text-nowrap"><a class="btn btn-sm btn-outline-secondary" href="{leave}">'
            f"{hand_over}</a></td></tr>"
        )
    return SafeString("".join(html))


@rows()
def unassigned_rows(clients: Iterable[Any]) -> SafeString:
    """The active clients nobody is responsible for (`board.unassigned_clients`), each with a box
    to pick it for a move."""
    not_analysed = f'<span class="text-muted">{esc(gettext("not analysed"))}</span>'
    not_sized = f'<span class="text-muted" title="{esc(gettext("Not sized yet: counts as small"))}">—</span>'
    card = pk_urls("accounts:client_detail")
    html = []
    for client in clients:
        segment = getattr(client, "segment", None)
        pick = gettext("Pick %(name)s") % {"name": esc(client.name)}
        box = (
            '<input class="form-check-input" type="checkbox" name="client"'
            f' value="{client.pk}" form="unassigned-move" aria-label="{pick}">'
        )
        title = f' title="{esc(client.legal_name)}"' if client.legal_name else ""
        name = f'<a href="{esc(card(client.pk))}"{title}>{esc(client.name)}</a>'
        potential = segment.potential if segment is not None else None
        category = segment.category if segment is not None else ""
        cells = [
            not_analysed if potential is None else esc(money(potential)),
            not_sized if segment is None else esc(label(SizeClass, segment.size_class)),
            f'<span class="badge text-bg-info">{esc(category)}</span>' if category else DASH,
            tier_badge(client.tier_now) if client.tier_now in Tier.values else DASH,
            head_office_cell(client),
        ]
        html.append(
            f'<tr data-client="{client.pk}"><td class="cell-pick">{box}</td><td class="cell-name">{name}</td>'
            f'<td class="text-end">{cells[0]}</td>'
            + "".join(f"<td>{cell}</td>" for cell in cells[1:])
            + "</tr>"
        )
    return SafeString("".join(html))
