"""Product groups and industries (admins): the list with their uses, a new one, an edit,
deactivating and reactivating one, deleting one nothing uses.

Each view serves both kinds: the URL patterns pass the kind (accounts/urls.py).
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import ReferenceItem
from accounts.reference import selectors, services
from accounts.reference.forms import ReferenceForm, reference_form
from accounts.reference.kinds import INDUSTRIES, PRODUCT_GROUPS, ReferenceKind
from kam.access import permission_or_403
from kam.http import AuthenticatedHttpRequest

MANAGE_REFERENCE_DATA = "accounts.manage_reference_data"


def _context(kind: ReferenceKind, **values: object) -> dict[str, object]:
    return {"kind": kind, "kinds": [PRODUCT_GROUPS, INDUSTRIES], "nav": "reference", **values}


@permission_or_403(MANAGE_REFERENCE_DATA)
@require_safe
def reference_list(request: AuthenticatedHttpRequest, kind: ReferenceKind) -> HttpResponse:
    """Every item, active first, with how many records use it."""
    context = _context(kind, usages=selectors.usages(kind.model), rows=selectors.reference_rows(kind.model))
    return render(request, "accounts/reference/list.html", context)


@permission_or_403(MANAGE_REFERENCE_DATA)
@require_http_methods(["GET", "HEAD", "POST"])
def reference_create(request: AuthenticatedHttpRequest, kind: ReferenceKind) -> HttpResponse:
    form = reference_form(kind, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            item = services.reference_create(
                model=kind.model, name=form.cleaned_data["name"], by=request.user
            )
        except services.DuplicateNameError:
            _duplicate(form)
        else:
            messages.success(request, kind.added % {"name": item.name})
            return redirect(kind.url_name("list"))
    return render(request, "accounts/reference/form.html", _context(kind, form=form))


@permission_or_403(MANAGE_REFERENCE_DATA)
@require_http_methods(["GET", "HEAD", "POST"])
def reference_edit(request: AuthenticatedHttpRequest, kind: ReferenceKind, pk: int) -> HttpResponse:
    row = selectors.reference_row(kind.model, pk)
    if row is None:
        raise Http404
    item = row.item
    title = item.name  # the form writes the typed values onto `item`
    form = reference_form(kind, request.POST or None, instance=item)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.reference_update(
                item=item, values=form.values(), version=form.cleaned_data["version"], by=request.user
            )
        except services.StaleReferenceError:
            form, status = _stale_form(request, kind, pk), 409
        except services.DuplicateNameError:
            _duplicate(form)
        else:
            if changed:
                messages.success(request, kind.saved % {"name": item.name})
            else:
                messages.info(request, _("Nothing changed."))
            return redirect(kind.url_name("list"))
    context = _context(
        kind,
        form=form,
        title=title,
        heading=kind.edit % {"name": title},
        row=row,
        not_deletable=kind.not_deletable % {"usage": selectors.describe_uses(kind.model, row.uses)},
    )
    return render(request, "accounts/reference/form.html", context, status=status)


@permission_or_403(MANAGE_REFERENCE_DATA)
@require_POST
def reference_deactivate(request: AuthenticatedHttpRequest, kind: ReferenceKind, pk: int) -> HttpResponse:
    """Records that have the item keep it; the forms no longer offer it."""
    item = _item(kind, pk)
    if services.reference_set_active(item=item, active=False, by=request.user):
        messages.success(request, kind.deactivated % {"name": item.name})
    else:
        messages.info(request, kind.already_inactive % {"name": item.name})
    return redirect(kind.url_name("list"))


@permission_or_403(MANAGE_REFERENCE_DATA)
@require_POST
def reference_reactivate(request: AuthenticatedHttpRequest, kind: ReferenceKind, pk: int) -> HttpResponse:
    item = _item(kind, pk)
    if services.reference_set_active(item=item, active=True, by=request.user):
        messages.success(request, kind.reactivated % {"name": item.name})
    else:
        messages.info(request, kind.already_active % {"name": item.name})
    return redirect(kind.url_name("list"))


@permission_or_403(MANAGE_REFERENCE_DATA)
@require_POST
def reference_delete(request: AuthenticatedHttpRequest, kind: ReferenceKind, pk: int) -> HttpResponse:
    """Only an item nothing uses, and no history names, is deleted; otherwise the message says why."""
    item = _item(kind, pk)
    try:
        services.reference_delete(item=item, by=request.user)
    except services.InUseError as error:
        messages.error(request, kind.in_use % {"name": item.name, "usage": error.uses})
        return redirect(kind.url_name("edit"), pk=pk)
    except services.NamedInHistoryError:
        messages.error(request, kind.in_history % {"name": item.name})
        return redirect(kind.url_name("edit"), pk=pk)
    messages.success(request, kind.deleted % {"name": item.name})
    return redirect(kind.url_name("list"))


def _item(kind: ReferenceKind, pk: int) -> ReferenceItem:
    return get_object_or_404(kind.model._default_manager, pk=pk)


def _duplicate(form: ReferenceForm) -> None:
    """The same name was saved by someone else after the form checked it."""
    name = form.cleaned_data["name"]
    form.add_error("name", form.kind.duplicate % {"name": name})


def _stale_form(request: AuthenticatedHttpRequest, kind: ReferenceKind, pk: int) -> ReferenceForm:
    """The user's values over the latest version, so saving again is a deliberate choice."""
    latest = _item(kind, pk)
    state = (
        pgettext("reference item", "active") if latest.is_active else pgettext("reference item", "inactive")
    )
    now = {"name": latest.name, "state": state}  # before the form writes onto it
    data = request.POST.copy()
    data["version"] = str(latest.version)
    form = reference_form(kind, data, instance=latest)
    form.is_valid()
    form.add_error(None, kind.stale % now)
    return form
