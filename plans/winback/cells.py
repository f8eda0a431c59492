"""The win-back list's rows, written in Python (see `kam.cells`): a row a lost client."""

from django.utils.safestring import SafeString

from kam import drawn_rows
from kam.cells import esc, gettext, label, rows, short_date, text
from kam.links import pk_urls
from kam.money import money
from plans.models import Plan
from plans.winback.selectors import Row, Rows
from segmentation.cells import tier_badge
from segmentation.models import Tier

UPPER = (Tier.GOLD, Tier.SILVER)
CARD, REFUSALS, PLANS = "accounts:client_detail", "accounts:client_refusals", "plans:client_plans"


@rows()
def win_back_rows(rows: Rows) -> SafeString:
    """Each client: name (and key badge), tier, manager, why lost, last purchase, potential,
    the year's refusals and its latest win-back plan; each drawn once per process for the values
    its client was read with, its refusals and what the list shows of its plan (`kam.drawn_rows`)."""
    key = f' <span class="badge text-bg-primary">{esc(gettext("Key"))}</span>'
    nobody = f'<span class="text-danger">{esc(gettext("Nobody"))}</span>'
    card, refusals, plans = (pk_urls(name) for name in (CARD, REFUSALS, PLANS))

    def draw(row: Row) -> str:
        client = row.client
        tier = client.tier_now if client.tier_now in UPPER else Tier.BRONZE  # type: ignore[attr-defined]
        segment = client.segment
        manager = client.responsible_manager
        potential = segment.potential
        name = f'<a href="{card(client.pk)}">{esc(client.name)}</a>{key if row.is_key else ""}'
        return (
            f"<tr><td>{name}</td><td>{tier_badge(tier)}</td>"
            f"<td>{esc(manager) if manager is not None else nobody}</td>"
            f'<td class="small">{esc(row.lost.detail)}</td>'
            f"<td>{esc(short_date(segment.last_purchase)) if segment.last_purchase else '—'}</td>"
            f'<td class="text-end text-nowrap">{esc(money(potential)) if potential is not None else "—"}</td>'
            f'<td class="text-end">{_refusals(refusals(client.pk), row.refusals)}</td>'
            f'<td class="small">{_plan(plans(client.pk), row.plan, row.progress)}</td></tr>'
        )

    besides = [
        (rows.refusals.get(client.pk, 0), _plan_shown(rows.plans.get(client.pk))) for client in rows.clients
    ]
    shown = ("win-back", rows.today)
    drawn = drawn_rows.draw(rows.clients, shown, lambda client: draw(rows.row(client)), besides)
    return SafeString("".join(drawn))


def _refusals(url: str, count: int) -> str:
    if not count:
        return "0"
    return f'<a href="{url}">{text(count)}</a>'


def _plan_shown(plan: Plan | None) -> tuple[object, ...] | None:
    """What `_plan` reads of a plan."""
    if plan is None:
        return None
    counts = (plan.total, plan.done)  # type: ignore[attr-defined]
    return (plan.status, plan.offer_kind, plan.closed_on, plan.outcome, *counts)


def _plan(url: str, plan: Plan | None, progress: int) -> str:
    """The latest win-back plan (`url`: the client's plans): none yet, active with its progress
    and offer, or closed."""
    if plan is None:
        return f'<a href="{url}">{esc(gettext("No plan yet"))}</a>'
    if plan.status == Plan.Status.ACTIVE:
        active = gettext("Active, %(progress)s%% done") % {"progress": text(progress)}
        offer = plan.offer_kind and f'<div class="text-muted">{esc(label(Plan.Offer, plan.offer_kind))}</div>'
        return f'<a href="{url}">{active}</a>{offer}'
    # As {% blocktranslate %}: the values escaped, the words as translated.
    closed_on = esc(short_date(plan.closed_on)) if plan.closed_on else ""
    return gettext("Closed %(date)s: %(outcome)s") % {
        "date": closed_on,
        "outcome": esc(label(Plan.Outcome, plan.outcome)),
    }
