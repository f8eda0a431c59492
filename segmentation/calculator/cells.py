"""The calculator's row per manager written in Python (see `kam.cells`): fifty managers' nine
figures each, through `intcomma` and `floatformat`, were most of the page's time."""

from django.utils.safestring import SafeString

from kam.cells import esc, grouped, rows, tenths_or_whole, whole
from segmentation.calculator.selectors import Workload


@rows()
def manager_rows(workload: Workload, list_url: str) -> SafeString:
    """A row per responsible manager: a link to their active clients, their clients per
    category, the hours those need, the manager's time for touches and the load."""
    capacity = tenths_or_whole(workload.hours_per_manager)
    html = []
    for row in workload.managers:
        assert row.manager is not None
        link = f'<a href="{esc(list_url)}?status=active&amp;manager={row.manager.pk}">{esc(row.manager)}</a>'
        categories = "".join(f'<td class="text-end">{grouped(clients)}</td>' for clients in row.by_category)
        over = " text-danger fw-bold" if row.over else ""
        load = "—" if row.load is None else whole(row.load, force_grouping=False)
        html.append(
            f'<tr><th scope="row" class="fw-normal">{link}</th>{categories}'
            f'<td class="text-end text-muted">{grouped(row.uncategorised)}</td>'
            f'<td class="text-end">{tenths_or_whole(row.hours)}</td>'
            f'<td class="text-end">{capacity}</td>'
            f'<td class="text-end{over}">{load}</td></tr>'
        )
    return SafeString("".join(html))
