"""The directors' dashboard: the base's segments, their movements and the refusals, each
figure a chart with its table."""

from datetime import date
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from kam import fragments
from kam.access import permission_or_403
from kam.http import AuthenticatedHttpRequest
from segmentation.dashboard import charts, selectors
from segmentation.dashboard.forms import PeriodForm
from segmentation.models import Policy, SegmentChange
from segmentation.segments.figures import Figures, run_figures

MIGRATION_KINDS: list[str] = [SegmentChange.Kind.CATEGORY, SegmentChange.Kind.TIER]


@permission_or_403("segmentation.review_keys")
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The figures are drawn from what the nightly runs kept, so a period's dashboard is rendered
    once per run, day and language (`kam.fragments`): the day's new refusals may lag by a minute.
    A period with errors is rendered each time (its input is the user's), and so is the dashboard
    before any run kept its figures."""
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, today=today)
    policy = Policy.current()
    figures = run_figures()

    def body() -> str:
        return render_to_string("segmentation/_dashboard_body.html", _context(form, today, policy, figures))

    if figures is None or (form.is_bound and not form.is_valid()):
        html = body()  # no run kept its figures: the base is counted now
    else:
        version = (figures.run_id, today, form.period(), str(policy.pareto_share))
        html = fragments.cached("dashboard", *version, render=body)
    return render(request, "segmentation/dashboard.html", {"nav": "dashboard", "body": html})


def _context(form: PeriodForm, today: date, policy: Policy, figures: Figures | None) -> dict[str, Any]:
    since, until = form.period()
    abcd = selectors.abcd_matrix(figures)
    tiers = selectors.tiers(figures)
    leagues = selectors.leagues(figures)
    pareto = selectors.pareto(figures=figures)
    months = selectors.at_risk_and_lost(today)
    refusals = selectors.refusals(today, figures=figures)
    return {
        "policy": policy,
        "form": form,
        "since": since,
        "until": until,
        "abcd": abcd,
        "clients": sum(s.clients for s in abcd.values()),
        "tiers": tiers,
        "leagues": leagues,
        "pareto": pareto,
        "pareto_top": [(share, pareto.top(share)) for share in range(10, 101, 10)] if pareto.clients else [],
        "migrations": selectors.migrations(MIGRATION_KINDS, since, until),
        "months": months,
        "trend_total": sum(m.at_risk + m.lost for m in months),
        "refusals": refusals,
        "charts": {
            "abcd": charts.abcd(abcd),
            "tiers": charts.horizontal_bars(tiers, charts.TIER_COLOURS),
            "leagues": charts.horizontal_bars(leagues),
            "pareto": charts.pareto(pareto, float(policy.pareto_share)),
            "trend": charts.at_risk_and_lost(months),
            "refusals": charts.refusals(refusals),
        },
    }
