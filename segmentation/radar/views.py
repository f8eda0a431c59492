"""The coverage radar: the flags across the base, per responsible manager, and the worst clients."""

from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kam import excel, fragments
from kam.access import permission_or_403
from kam.excel import Column, Label
from kam.http import AuthenticatedHttpRequest
from segmentation.models import Policy, Tier
from segmentation.radar import selectors
from segmentation.radar.flags import FLAGS


@permission_or_403("segmentation.review_keys")
@require_GET
def radar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The radar's tables are drawn from what the last nightly run kept, so they are rendered once
    per run and language (`kam.fragments`): names and managers may lag by a minute."""
    as_of = selectors.last_run()

    def tables() -> str:
        context = selectors.radar() | {"flags": FLAGS, "worst_limit": selectors.WORST_LIMIT}
        return render_to_string("segmentation/_radar_body.html", context)

    context = {
        "as_of": as_of,
        "body": fragments.cached("radar", as_of.pk if as_of else None, render=tables),
        "policy": Policy.current(),
        "nav": "radar",
    }
    return render(request, "segmentation/radar.html", context)


@permission_or_403("segmentation.review_keys")
@require_GET
def radar_export(request: AuthenticatedHttpRequest) -> FileResponse:
    """The radar's two tables as the page shows them: each flag's count per responsible manager
    (the clients nobody is responsible for first), and the worst clients first."""
    nobody = _("Nobody")
    by_manager = [
        Column(_("Responsible manager"), lambda row: row.name if row.manager_id else nobody, width=30),
        Column(_("Active clients"), lambda row: row.clients),
        *(_count(n, flag.label) for n, flag in enumerate(FLAGS)),
    ]
    worst = [
        Column(_("Client"), lambda row: row.client.name, width=40),
        Column(
            _("Tier"),
            lambda row: str(Tier(row.tier).label) if row.tier in Tier.values else str(Tier.BRONZE.label),
        ),
        Column(_("Abroad"), lambda row: _("yes") if row.abroad else ""),
        Column(_("Responsible manager"), lambda row: row.client.responsible_manager or nobody, width=30),
        Column(_("Flags"), lambda row: "; ".join(str(flag.label) for flag in row.flags), width=60),
    ]
    return excel.export(
        _("Coverage radar"),
        [
            (_("By responsible manager"), by_manager, selectors.manager_counts()),
            (_("Worst first"), worst, selectors.worst_clients()),
        ],
    )


def _count(index: int, label: Label) -> Column:
    return Column(label, lambda row: row.cells[index].count, width=14)
