"""The coverage radar: the flags across the base, per responsible manager, and the worst clients."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from kam.access import permission_or_403
from kam.http import AuthenticatedHttpRequest
from segmentation.models import Policy
from segmentation.radar import selectors
from segmentation.radar.flags import FLAGS


@permission_or_403("segmentation.review_keys")
@require_GET
def radar(request: AuthenticatedHttpRequest) -> HttpResponse:
    policy = Policy.current()
    context = selectors.radar() | {
        "flags": FLAGS,
        "policy": policy,
        "worst_limit": selectors.WORST_LIMIT,
        "nav": "radar",
    }
    return render(request, "segmentation/radar.html", context)
