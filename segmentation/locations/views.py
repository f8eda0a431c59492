"""Our own locations (admins): the list, a new one, an edit, retiring one."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kam.access import permission_or_403
from kam.http import AuthenticatedHttpRequest
from segmentation.locations import selectors, services
from segmentation.locations.forms import LocationForm
from segmentation.models import OwnLocation

MANAGE_POLICY = "segmentation.manage_policy"


@permission_or_403(MANAGE_POLICY)
@require_safe
def location_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every location of ours, active first; they are "our presence" for the expansion alert."""
    context = {"rows": selectors.location_rows(), "nav": "locations"}
    return render(request, "segmentation/location_list.html", context)


@permission_or_403(MANAGE_POLICY)
@require_http_methods(["GET", "HEAD", "POST"])
def location_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = LocationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        location = services.location_create(values=form.location_values(), by=request.user)
        messages.success(request, _("%(location)s was added. %(effect)s") % _saved(location))
        return redirect("segmentation:location_list")
    return render(request, "segmentation/location_form.html", {"form": form, "nav": "locations"})


@permission_or_403(MANAGE_POLICY)
@require_http_methods(["GET", "HEAD", "POST"])
def location_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    location = get_object_or_404(OwnLocation, pk=pk)
    title = location.name  # the form writes the typed values onto `location`
    initial = {"version": services.location_version(location)}
    form = LocationForm(request.POST or None, instance=location, initial=initial)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.location_update(
                location=location,
                values=form.location_values(),
                version=form.cleaned_data["version"],
                by=request.user,
            )
        except services.StaleLocationError:
            form, status = _stale_form(request, pk), 409
        else:
            _report_saved(request, location, changed)
            return redirect("segmentation:location_list")
    context = {"form": form, "title": title, "nav": "locations"}
    return render(request, "segmentation/location_form.html", context, status=status)


@permission_or_403(MANAGE_POLICY)
@require_POST
def location_retire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Retire, not delete: the location keeps its history and no longer counts as our presence."""
    location = get_object_or_404(OwnLocation, pk=pk)
    if services.location_retire(location=location, by=request.user):
        messages.success(request, _("%(location)s was retired. %(effect)s") % _saved(location))
    else:
        messages.info(request, _("%(location)s was already retired.") % {"location": location})
    return redirect("segmentation:location_list")


def _saved(location: OwnLocation) -> dict[str, str]:
    return {"location": str(location), "effect": _("Expansion alerts follow at the next recomputation.")}


def _report_saved(request: AuthenticatedHttpRequest, location: OwnLocation, changed: list[str]) -> None:
    if not changed:
        messages.info(request, _("Nothing changed."))
        return
    messages.success(request, _("%(location)s was saved. %(effect)s") % _saved(location))


def _stale_form(request: AuthenticatedHttpRequest, pk: int) -> LocationForm:
    """The user's values over the latest version, so saving again is a deliberate choice."""
    latest = get_object_or_404(OwnLocation, pk=pk)
    now = {"name": latest.name, "place": selectors.place_name(latest)}  # before the form writes onto it
    data = request.POST.copy()
    data["version"] = services.location_version(latest)
    form = LocationForm(data, instance=latest)
    form.is_valid()
    form.add_error(
        None,
        _(
            "Not saved: someone else saved this location while you were editing. It now reads "
            "“%(name)s”, %(place)s. Your values are still in the form: check them and save again."
        )
        % now,
    )
    return form
