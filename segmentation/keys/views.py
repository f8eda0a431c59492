"""A director's decisions on one client (key status, tier override) and the key candidates list."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.access import get_client_for_user
from accounts.extensions import card_context
from accounts.filters import ManagerListFilter
from accounts.models import Client
from accounts.rules import sees_every_client
from kam import excel, fragments
from kam.access import permission_or_403
from kam.excel import Column
from kam.exports.background import in_background
from kam.http import AuthenticatedHttpRequest
from kam.pagination import query_without
from kam.users.models import User
from segmentation.keys import selectors, services
from segmentation.keys.forms import (
    KeyGrantForm,
    KeyRevokeForm,
    StrategicMarksForm,
    TierClearForm,
    TierOverrideForm,
)
from segmentation.models import League, Policy, TierOverride
from segmentation.segments.totals import Totals, policy_and_totals

DECIDE = "segmentation.decide_for_client"
# The export reads a league's label by value: a model's get_..._display() re-hashes its choices
# (every label translated) on each call.
LEAGUES = dict(League.choices)
DecisionForm = KeyGrantForm | KeyRevokeForm | StrategicMarksForm


@permission_or_403("segmentation.review_keys")
@require_GET
def candidates(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Key candidates ranked by flags and potential, under the current key clients and the cap."""
    policy, totals = policy_and_totals(request.user)
    total = totals.potential
    filters = ManagerListFilter(request.GET or None, queryset=Client.objects.all(), user=request.user)
    after, _before = filters.cursors()
    context = {
        "filters": filters,
        "page": selectors.candidate_page(
            lambda: filters.filtered(selectors.candidates(request.user)),
            after=after,
            total=total,
            first=None if filters.is_bound else selectors.first_candidates(request.user),
        ),
        "page_query": query_without(request.GET, "after", "before"),
        "nav": "candidates",
    }
    if request.htmx:
        return render(request, "segmentation/candidates.html#rows", context)
    context["key_section"] = _key_section(request.user, policy, totals)
    return render(request, "segmentation/candidates.html", context)


def _key_section(user: User, policy: Policy, totals: Totals) -> SafeString:
    """The key clients against the cap, drawn once per version of what they show: the nightly run
    that wrote their segments and totals, and `selectors.key_list_version` (key statuses, client
    statuses and managers, tier overrides, the policy). Names may lag by `KAM_FRAGMENT_SECONDS`.
    Drawn each time when no run has kept the totals or the loads are not tallied yet."""

    def draw() -> str:
        context = {
            "keys": selectors.key_clients(user, total=totals.potential, policy=policy),
            "cap": selectors.key_cap(policy, totals=totals),
            "key_list_limit": selectors.KEY_LIST_LIMIT,
        }
        return render_to_string("segmentation/_key_section.html", context)

    version = selectors.key_list_version(policy) if totals.run is not None else None
    if version is None:
        return SafeString(draw())
    seen = "all" if sees_every_client(user) else user.pk
    return fragments.cached("key-list", totals.run, seen, *version, render=draw)


@permission_or_403("segmentation.review_keys")
@require_GET
def candidates_export(request: AuthenticatedHttpRequest) -> HttpResponse | FileResponse:
    """The page's two lists as two sheets: every key client (not only the first
    `KEY_LIST_LIMIT`), and every candidate the page's filters keep; many candidates are written
    on the worker (kam.exports.background)."""
    filters = ManagerListFilter(
        request.GET or None, queryset=selectors.candidates(request.user), user=request.user
    )
    if (queued := in_background(request, rows=filters.qs, name=_("Key clients and candidates"))) is not None:
        return queued
    policy, totals = policy_and_totals(request.user)
    total = totals.potential
    keys = selectors.key_clients(request.user, total=total, policy=policy, limit=None)
    return excel.export(
        _("Key clients and candidates"),
        [
            (_("Key clients"), [*_row_columns(_("Reasons")), _WARNINGS], keys),
            (
                _("Candidates"),
                _row_columns(_("Marked as")),
                selectors.every_candidate(filters.qs, total=total),
            ),
        ],
    )


def _league(row: selectors.Row) -> str:
    league = _segment(row, "league")
    return str(LEAGUES.get(league, league)) if league else ""


def _segment(row: selectors.Row, field: str) -> Any:
    segment = getattr(row.client, "segment", None)
    return getattr(segment, field) if segment is not None else None


def _row_columns(flags: str) -> list[Column]:
    """The columns both lists show, with `flags` as the header of the director's marks."""
    return [
        Column(_("Client"), lambda row: row.client.name, width=40),
        Column(_("INN"), lambda row: row.client.inn),
        Column(_("Tier"), lambda row: row.tier_label),
        Column(_("Category"), lambda row: _segment(row, "category")),
        Column(_("Potential"), lambda row: _segment(row, "potential"), width=16),
        Column(_("Share of potential"), lambda row: row.potential_share, number_format="0.0"),
        Column(_("League"), _league),
        Column(_("Responsible manager"), lambda row: row.client.responsible_manager or _("nobody"), width=24),
        Column(flags, lambda row: "; ".join(row.flags), width=40),
    ]


_WARNINGS = Column(_lazy("Warnings"), lambda row: "; ".join(row.warnings), width=40)


@login_required
@require_http_methods(["GET", "POST"])
def key_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk, need=DECIDE)
    action = request.POST.get("action") if request.method == "POST" else None
    initial = _key_initial(client)
    grant = KeyGrantForm(request.POST if action == "grant" else None, prefix="grant", initial=initial)
    revoke = KeyRevokeForm(request.POST if action == "revoke" else None, prefix="revoke")
    mark = StrategicMarksForm(request.POST if action == "mark" else None, prefix="mark", initial=initial)
    forms: dict[str, DecisionForm] = {"grant": grant, "revoke": revoke, "mark": mark}
    decided = _key_decision(request, client, forms.get(action or ""))
    if decided is not None:
        return decided
    context = card_context(request, client, "overview") | {
        "page": selectors.decision_page(client, user=request.user, today=timezone.localdate()),
        "grant": grant,
        "revoke": revoke,
        "mark": mark,
    }
    return render(request, "segmentation/card_key_status.html", context)


def _key_initial(client: Client) -> dict[str, Any]:
    """The forms start from the client's current reasons (or a candidate's marks) and note."""
    status = selectors.key_status_of(client)
    return {"reasons": status.reasons, "note": status.note} if status else {}


def _key_decision(
    request: AuthenticatedHttpRequest, client: Client, form: DecisionForm | None
) -> HttpResponse | None:
    """Grant, revoke or mark from a valid form and redirect to the card; None to show the page again."""
    if form is None or not form.is_valid():
        return None
    try:
        if isinstance(form, KeyGrantForm):
            services.key_grant(client=client, by=request.user, **form.cleaned_data)
            done = _("%(client)s is a key client.")
        elif isinstance(form, StrategicMarksForm):
            services.strategic_marks_set(client=client, by=request.user, **form.cleaned_data)
            done = _("The strategic marks of %(client)s were saved.")
        else:
            services.key_revoke(client=client, by=request.user, **form.cleaned_data)
            done = _("%(client)s is no longer a key client.")
    except services.KeyStatusRefused as refused:
        form.add_error(None, refused.message)
        return None
    messages.success(request, done % {"client": client})
    if isinstance(form, KeyGrantForm):
        for warning in services.key_warnings(client=client):
            messages.warning(request, warning)
    return redirect(client)


@login_required
@require_http_methods(["GET", "POST"])
def tier_override(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    client = get_client_for_user(request, pk, need=DECIDE)
    action = request.POST.get("action") if request.method == "POST" else None
    current = TierOverride.objects.filter(client=client).first()
    initial = {"tier": current.tier, "reason": current.reason} if current else {}
    override = TierOverrideForm(request.POST if action == "set" else None, prefix="set", initial=initial)
    clear = TierClearForm(request.POST if action == "clear" else None, prefix="clear")
    try:
        if action == "set" and override.is_valid():
            services.tier_override_set(client=client, by=request.user, **override.cleaned_data)
            messages.success(request, _("The tier of %(client)s is overridden.") % {"client": client})
            return redirect(client)
        if action == "clear" and clear.is_valid():
            services.tier_override_clear(client=client, by=request.user, **clear.cleaned_data)
            messages.success(request, _("%(client)s has its computed tier again.") % {"client": client})
            return redirect(client)
    except services.TierOverrideRefused as refused:
        (override if action == "set" else clear).add_error(None, refused.message)
    context = card_context(request, client, "overview") | {
        "page": selectors.decision_page(client, user=request.user, today=timezone.localdate()),
        "override_form": override,
        "clear": clear,
    }
    return render(request, "segmentation/card_tier_override.html", context)
