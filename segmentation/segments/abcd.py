"""ABCD analysis (DOMAIN §5): "buys a lot" (Pareto of revenue) crossed with "can buy more"
(room in the share of wallet), and the strategy each category asks for.

    A: buys a lot and can buy more   (develop)      B: buys a lot, little room  (retain)
    C: buys little, can buy more     (develop)      D: buys little, little room (minimise)

A client without potential estimates has no category.
"""

from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from kam.money import money
from segmentation.models import Category, ClientPurchases, ClientSegment, Policy
from segmentation.segments import wallet
from segmentation.segments.sql import Dialect, Fragment, pareto_curve_sql, policy_params
from segmentation.segments.words import Reason, number, share_against

KIND = "category"
NO_CATEGORY = "none"


def params(policy: Policy) -> dict[str, object]:
    return policy_params(policy, "pareto_share", "wallet_share_limit", "min_headroom")


def lines_sql(buckets: int) -> str:
    """The Pareto curve of revenue in `buckets` runs of rank, each with its least revenue
    within the Pareto share (`pareto_curve_sql`): the least of those is the run's
    `revenue_line`, and the curve is kept with the run's figures."""
    purchases = ClientPurchases._meta.db_table
    return pareto_curve_sql(purchases, "revenue", "%(pareto_share)s", buckets)


def revenue_line(curve: list[tuple[Any, ...]]) -> Any:
    """The run's `revenue_line` from the rows of `lines_sql` (None: no client within the share)."""
    within = [line for *_, line in curve if line is not None]
    return min(within) if within else None


def buys_a_lot_sql(revenue: str) -> str:
    """Whether `revenue` is within the Pareto share: at or over the run's `revenue_line`."""
    return f"({revenue} > 0 AND COALESCE({revenue} >= %(revenue_line)s, FALSE))"


def fragment(d: Dialect) -> Fragment:
    """The verdicts, by the run's line (`lines_sql`), and the category."""
    return Fragment(
        facts=f"""{buys_a_lot_sql("b.revenue")} AS buys_a_lot,
        CASE WHEN est.potential IS NULL THEN NULL ELSE (est.potential > 0
            AND est.covered * 100 < %(wallet_share_limit)s * est.potential
            AND est.potential - est.covered >= %(min_headroom)s) END AS can_buy_more""",
        columns=f"""j.revenue,
    j.buys_a_lot,
    j.potential,
    j.covered AS covered_sales,
    {wallet.share_sql(d, "j.covered", "j.potential")} AS wallet_share,
    j.potential - j.covered AS headroom,
    j.can_buy_more,
    CASE WHEN j.potential IS NULL THEN ''
        WHEN j.buys_a_lot AND j.can_buy_more THEN 'A'
        WHEN j.buys_a_lot THEN 'B'
        WHEN j.can_buy_more THEN 'C'
        ELSE 'D' END AS category""",
    )


def category_is(value: str) -> Q:
    """Clients in a category; NO_CATEGORY also takes those the nightly run has not seen yet."""
    if value == NO_CATEGORY:
        return Q(segment__isnull=True) | Q(segment__category="")
    return Q(segment__category=value)


def category_reason(segment: ClientSegment, policy: Policy, clients: int, rank: int | None) -> Reason:
    """ABCD in words, e.g. "B — in the top 80% of revenue (rank 41 of 300); share of wallet 85% is
    above 70%" (`rank`: the client's revenue rank, `selectors.Ranks`)."""
    if not segment.category or segment.potential is None:
        return Reason(_("No category: the potential table is not filled in"))
    return Reason(
        segment.category, f"{_revenue_part(segment, policy, clients, rank)}; {_wallet_part(segment, policy)}"
    )


def _revenue_part(segment: ClientSegment, policy: Policy, clients: int, rank: int | None) -> str:
    if segment.revenue <= 0:
        return _("no revenue in the last 12 months")
    values = {"share": number(policy.pareto_share), "rank": rank, "total": clients}
    if segment.buys_a_lot:
        return _("in the top %(share)s%% of revenue (rank %(rank)s of %(total)s)") % values
    return _("outside the top %(share)s%% of revenue (rank %(rank)s of %(total)s)") % values


def _wallet_part(segment: ClientSegment, policy: Policy) -> str:
    potential = segment.potential or Decimal(0)
    covered = segment.covered_sales or Decimal(0)
    share = wallet.share(covered, potential)
    if share is None:
        return _("the estimated purchases are zero")
    limit = policy.wallet_share_limit
    values = {
        "share": share_against(share, limit),
        "limit": number(limit),
        "headroom": money(potential - covered),
        "minimum": money(policy.min_headroom),
    }
    if segment.can_buy_more:
        if policy.min_headroom > 0:
            return (
                _(
                    "share of wallet %(share)s%% is below %(limit)s%%, "
                    "headroom %(headroom)s is at least %(minimum)s"
                )
                % values
            )
        return _("share of wallet %(share)s%% is below %(limit)s%%, headroom %(headroom)s") % values
    if share > limit:
        return _("share of wallet %(share)s%% is above %(limit)s%%") % values
    if share == limit:
        return _("share of wallet %(share)s%% is not below %(limit)s%%") % values
    return (
        _(
            "share of wallet %(share)s%% is below %(limit)s%%, "
            "but headroom %(headroom)s is under the minimum %(minimum)s"
        )
        % values
    )


def strategy(category: str) -> Reason | None:
    """What the category asks of the manager (DOMAIN §5): A and C develop, B retain, D minimise."""
    if category in (Category.A, Category.C):
        return Reason(_("Develop"), _("grow our share of the client's purchases"))
    if category == Category.B:
        return Reason(_("Retain"), _("build barriers to leaving"))
    if category == Category.D:
        return Reason(
            _("Minimise time and effort"),
            _("one employee for all small clients, ordering through the website, a partner, or training"),
        )
    return None
