"""The key list's and the candidates' rows written in Python (see `kam.cells`): two tables of 50
rows on one page."""

from collections.abc import Callable, Iterable

from django.utils.safestring import SafeString

from kam import drawn_rows
from kam.cells import esc, gettext, rows
from kam.links import pk_urls
from segmentation.cells import flag_badge, flag_badges
from segmentation.keys.selectors import CandidatePage, Row

Cells = Callable[[Row], str]


def _flags(row: Row) -> str:
    return flag_badges("".join(flag_badge(esc(flag)) for flag in row.flags))


def _rows(rows: Iterable[Row], segment_cells: Cells, manager: Cells, button: str, td: str = "<td>") -> str:
    return "".join(_drawer(segment_cells, manager, button, td)(row) for row in rows)


def _drawer(segment_cells: Cells, manager: Cells, button: str, td: str = "<td>") -> Cells:
    """What writes a row of the key list or the candidates."""
    decide = esc(gettext("Key decision"))
    card, decision = pk_urls("accounts:client_detail"), pk_urls("segmentation:key_decide")

    def draw(row: Row) -> str:
        return (
            f'<tr><td class="cell-wrap"><a href="{esc(card(row.client.pk))}">'
            f"{esc(row.client.name)}</a></td>"
            f"{segment_cells(row)}{td}{manager(row)}</td>{td}{_flags(row)}</td>"
            f'<td class="text-end text-nowrap"><a class="btn btn-sm {button}"'
            f' href="{decision(row.client.pk)}">{decide}</a></td></tr>'
        )

    return draw


@rows()
def key_rows(rows: Iterable[Row], segment_cells: Cells) -> SafeString:
    """The key clients, each with its manager and the manager's warnings."""

    def manager(row: Row) -> str:
        warnings = "".join(
            f'<div class="small text-danger">⚠ {esc(warning)}</div>' for warning in row.warnings
        )
        return esc(row.client.responsible_manager or "") + warnings

    # A manager's warnings and a key client's reasons wrap, as do the clients' names in both lists,
    # so that the lists and their buttons fit the screen.
    return SafeString(_rows(rows, segment_cells, manager, "btn-outline-secondary", '<td class="cell-wrap">'))


@rows()
def candidate_rows(page: CandidatePage, segment_cells: Cells) -> SafeString:
    """The candidates, each with its manager or a badge that says nobody is responsible; each
    drawn once per process for the values its client was read with and the total potential its
    share is of (`kam.drawn_rows`)."""
    nobody = f'<span class="badge text-bg-warning">{esc(gettext("nobody"))}</span>'

    def manager(row: Row) -> str:
        return esc(row.client.responsible_manager) if row.client.responsible_manager else nobody

    draw = _drawer(segment_cells, manager, "btn-outline-primary")
    drawn = drawn_rows.draw(page.clients, ("candidates", page.total), lambda client: draw(page.row(client)))
    return SafeString("".join(drawn))
