"""The directors' dashboard: the base's segments, their movements and the refusals, each
figure a chart with its table."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from kam.access import permission_or_403
from kam.http import AuthenticatedHttpRequest
from segmentation.dashboard import charts, selectors
from segmentation.dashboard.forms import PeriodForm
from segmentation.models import Policy, SegmentChange
from segmentation.segments.figures import run_figures

MIGRATION_KINDS = [SegmentChange.Kind.CATEGORY, SegmentChange.Kind.TIER]


@permission_or_403("segmentation.review_keys")
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = PeriodForm(request.GET or None, today=today)
    since, until = form.period()
    policy = Policy.current()
    figures = run_figures()
    abcd = selectors.abcd_matrix(figures)
    tiers = selectors.tiers(figures)
    leagues = selectors.leagues(figures)
    pareto = selectors.pareto(figures=figures)
    months = selectors.at_risk_and_lost(today)
    refusals = selectors.refusals(today, figures=figures)
    context = {
        "nav": "dashboard",
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
        "migrations": selectors.migrations(
            [SegmentChange.Kind.CATEGORY, SegmentChange.Kind.TIER], since, until
        ),
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
    return render(request, "segmentation/dashboard.html", context)
