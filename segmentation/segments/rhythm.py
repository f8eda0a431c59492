"""The purchase rhythm and lost clients (DOMAIN §10).

A client's usual interval is the median gap between its purchase dates of the last 24
months (with at least three dates). It is at risk when the days since its last purchase
exceed `at_risk_factor` usual intervals (and at least `at_risk_min_days`), lost beyond
`lost_factor` (and `lost_min_days`); without a rhythm, after `no_rhythm_at_risk_days` and
`no_rhythm_lost_days`. A lost client that buys again is won back, and shown so for
`won_back_days`.
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP

from django.utils import formats
from django.utils.translation import gettext as _

from kam.cells import label, ngettext
from segmentation.models import ClientSegment, LostStatus, Policy
from segmentation.segments.sql import Dialect, Fragment, policy_params
from segmentation.segments.words import Reason, number

KIND = "lost_status"
MIN_PURCHASE_DATES = 3


def params(policy: Policy, today: date) -> dict[str, object]:
    fields = policy_params(
        policy,
        "at_risk_factor",
        "at_risk_min_days",
        "lost_factor",
        "lost_min_days",
        "no_rhythm_at_risk_days",
        "no_rhythm_lost_days",
    )
    return fields | {"won_back_since": today - timedelta(days=policy.won_back_days)}


def rhythm_ctes(d: Dialect, only: str = "") -> str:
    """CTEs ending in `rhythm`: each client's number of purchase dates in the last 24 months and
    the median gap between them (`only`: a condition on the sales, to re-read some clients)."""
    gap = d.days_between("date", "LAG(date) OVER (PARTITION BY client_id ORDER BY date)")
    return f"""gaps AS (
    SELECT client_id, {gap} AS gap FROM accounts_sale
    WHERE date > %(two_years_ago)s AND date <= %(today)s{only} GROUP BY client_id, date
), rhythm AS (
    {d.median("gap", "gaps", count_as="purchase_dates", median_as="usual_interval")}
)"""


def facts_sql(d: Dialect, purchases: str) -> str:
    """The rhythm's facts of a client's `purchases` row (`ClientPurchases`, or the staged facts):
    its dates, its usual interval (with enough dates) and the days since its last purchase."""
    since = d.days_between("%(today)s", f"{purchases}.last_purchase")
    return f"""{purchases}.purchase_dates,
        CASE WHEN {purchases}.purchase_dates >= {MIN_PURCHASE_DATES} THEN {purchases}.usual_interval END
            AS usual_interval,
        {since} AS since"""


def status_sql(f: str) -> str:
    """The purchase status by the rhythm of the facts row `f` (`facts_sql`, with `last_purchase`),
    before a win back."""
    return f"""CASE WHEN {f}.last_purchase IS NULL THEN ''
            WHEN {f}.usual_interval IS NOT NULL THEN CASE
                WHEN {f}.since > %(lost_factor)s * {f}.usual_interval AND {f}.since >= %(lost_min_days)s
                    THEN 'lost'
                WHEN {f}.since > %(at_risk_factor)s * {f}.usual_interval
                    AND {f}.since >= %(at_risk_min_days)s THEN 'at_risk'
                ELSE 'active' END
            WHEN {f}.since > %(no_rhythm_lost_days)s THEN 'lost'
            WHEN {f}.since > %(no_rhythm_at_risk_days)s THEN 'at_risk'
            ELSE 'active' END"""


def moves_on_sql(d: Dialect, f: str) -> str:
    """The first day after today on which the purchase status by the rhythm of the facts row `f`
    (`facts_sql`) moves if the client buys nothing (NULL: never, or no purchase yet): the day the
    days since its last purchase reach the next of the thresholds `status_sql` tests, the
    smallest whole number of days over each factor's share of the usual interval (and at least
    its minimum), or over each day count without a rhythm."""

    def threshold(factor: str, least: str, without: str) -> str:
        over = d.floor(f"%({factor})s * {f}.usual_interval") + " + 1"
        return f"""CASE WHEN {f}.usual_interval IS NOT NULL THEN {d.greatest(over, f"%({least})s")}
            ELSE %({without})s + 1 END"""

    at_risk = threshold("at_risk_factor", "at_risk_min_days", "no_rhythm_at_risk_days")
    lost = threshold("lost_factor", "lost_min_days", "no_rhythm_lost_days")
    first = d.least(at_risk, lost)
    days = f"""CASE WHEN {f}.since < {first} THEN {first}
            WHEN {f}.since < {lost} THEN {lost} END"""
    return f"CASE WHEN {f}.last_purchase IS NOT NULL THEN {d.add_days(f'{f}.last_purchase', days)} END"


def fragment(d: Dialect) -> Fragment:
    return Fragment(
        facts=facts_sql(d, "b"),
        judged=f"{status_sql('f')} AS rhythm_status, {moves_on_sql(d, 'f')} AS status_moves_on",
        columns="""j.status_moves_on,
    j.purchase_dates,
    j.usual_interval,
    j.last_purchase,
    CASE WHEN j.rhythm_status = 'active' AND o.lost_status = 'lost' THEN 'won_back'
        WHEN j.rhythm_status = 'active' AND o.lost_status = 'won_back' AND o.won_back_on > %(won_back_since)s
            THEN 'won_back'
        ELSE j.rhythm_status END AS lost_status,
    CASE WHEN j.rhythm_status = 'active' AND o.lost_status = 'lost' THEN %(today)s
        WHEN j.rhythm_status = 'active' AND o.lost_status = 'won_back' AND o.won_back_on > %(won_back_since)s
            THEN o.won_back_on
        END AS won_back_on""",
    )


def lost_reason(segment: ClientSegment, today: date) -> Reason:
    """Purchase status by the client's own rhythm, counting days up to `today`."""
    if segment.lost_status == LostStatus.WON_BACK and segment.won_back_on:
        return Reason(
            _("Won back on %(date)s")
            % {"date": formats.date_format(segment.won_back_on, "SHORT_DATE_FORMAT")}
        )
    if not segment.lost_status or segment.last_purchase is None:
        return Reason(_("No purchases yet"))
    days = (today - segment.last_purchase).days
    if segment.lost_status != LostStatus.ACTIVE:
        since = ngettext("no purchase for %(days)s day", "no purchase for %(days)s days", days)
    elif days:
        since = ngettext("last purchase %(days)s day ago", "last purchase %(days)s days ago", days)
    else:
        since = _("last purchase today")
    status = label(LostStatus, segment.lost_status)  # what get_lost_status_display() says, faster
    return Reason(status, f"{since % {'days': days}}; {_rhythm(segment)}")


def _rhythm(segment: ClientSegment) -> str:
    interval = segment.usual_interval
    if interval is None:
        return _("no regular rhythm")
    whole = int(interval.to_integral_value(rounding=ROUND_HALF_UP))
    return ngettext("usual interval %(days)s day", "usual interval %(days)s days", whole) % {
        "days": number(interval, 1)
    }
