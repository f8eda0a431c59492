from typing import Any, Literal, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kam.access import permission_or_403
from kam.http import AuthenticatedHttpRequest, safe_next
from kam.users import extensions, roles, selectors, services
from kam.users.forms import UserCreateForm, UserFilter, UserForm
from kam.users.models import User

MANAGE_USERS = "users.manage_users"


@login_required
@require_safe
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each role lands on its own work: managers on their day, directors on the client base,
    admins on users."""
    if roles.is_admin(request.user) and not roles.is_sales_director(request.user):
        return redirect("users:user_list")
    if roles.is_account_manager(request.user) and not roles.is_sales_director(request.user):
        return redirect("plans:day")
    return redirect("accounts:client_list")


SameSite = Literal["Lax", "Strict", "None", False] | None


def _language_cookie_samesite() -> SameSite:
    """LANGUAGE_COOKIE_SAMESITE, which Django documents as one of these values."""
    return cast(SameSite, settings.LANGUAGE_COOKIE_SAMESITE)


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; a signed-in user keeps the choice on their profile."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        language = ""
    next_url = safe_next(request, request.POST.get("next", "/"), "/")
    response = HttpResponseRedirect(next_url)
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    if language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=_language_cookie_samesite(),
        )
    else:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=_language_cookie_samesite(),
        )
    return response


@permission_or_403(MANAGE_USERS)
@require_safe
def user_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """All staff with roles and client counts; htmx requests get only the table rows."""
    filterset = UserFilter(request.GET, queryset=selectors.user_list())
    rows = [(user, selectors.user_role_labels(user)) for user in selectors.with_client_counts(filterset.qs)]
    context = {"filter": filterset, "rows": rows, "nav": "users"}
    template = "users/user_list.html#rows" if request.htmx else "users/user_list.html"
    return render(request, template, context)


@permission_or_403(MANAGE_USERS)
@require_http_methods(["GET", "HEAD", "POST"])
def user_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_create(**_profile(form), password=form.cleaned_data["password1"])
        messages.success(request, _("User %(user)s was created.") % {"user": user})
        return redirect("users:user_list")
    return render(request, "users/user_form.html", {"form": form, "nav": "users"})


@permission_or_403(MANAGE_USERS)
@require_http_methods(["GET", "HEAD", "POST"])
def user_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = selectors.get_user_for_edit(request.user, pk)
    context = {"edited_user": str(user), "nav": "users"}
    was_active = user.is_active
    form = UserForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        leaving = was_active and not form.cleaned_data["is_active"]
        found = extensions.handover(user) if leaving and not request.POST.get("deactivate_anyway") else None
        if found is not None:
            return render(request, "users/user_form.html", {**context, "form": form, "handover": found})
        try:
            services.user_update(actor=request.user, user=user, **_profile(form))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("User %(user)s was saved.") % {"user": user})
            _warn_about_clients(request, user)
            return redirect("users:user_list")
    return render(request, "users/user_form.html", {**context, "form": form})


def _warn_about_clients(request: HttpRequest, user: User) -> None:
    """A deactivated user who is still responsible for clients leaves them without a manager."""
    count = 0 if user.is_active else selectors.responsible_client_count(user)
    if count:
        text = ngettext(
            "%(user)s is still responsible for %(count)d client: hand it over to an active manager.",
            "%(user)s is still responsible for %(count)d clients: hand them over to an active manager.",
            count,
        )
        messages.warning(request, text % {"user": user, "count": count})


def _profile(form: UserForm) -> dict[str, Any]:
    fields = ["username", "first_name", "last_name", "email", "roles", "is_active", "language"]
    return {name: form.cleaned_data[name] for name in fields}
