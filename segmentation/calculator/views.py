"""The workload calculator (DOMAIN §9), for those who size the department: the hours the touch
norms take per category, per manager and in all, and the managers they need."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from kam.access import permission_or_403
from kam.http import AuthenticatedHttpRequest
from segmentation.calculator import selectors
from segmentation.calculator.forms import CalculatorForm
from segmentation.models import Policy


@permission_or_403("accounts.view_all_clients")
@require_safe
def calculator(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The policy's norms, or a director's "what if" numbers; bad numbers compute nothing."""
    policy = Policy.current()
    form = CalculatorForm(request.GET, policy=policy)
    valid = not form.is_bound or form.is_valid()
    workload = selectors.workload(selectors.Norms.of(form.values(), policy)) if valid else None
    context = {
        "nav": "workload",
        "form": form,
        "policy": policy,
        "workload": workload,
        "changed": form.changed_from_policy() if valid else [],
    }
    return render(request, "segmentation/calculator.html", context, status=200 if valid else 400)
