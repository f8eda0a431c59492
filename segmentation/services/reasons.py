"""Segments in words: the sentence a director can read aloud for each computed segment.

Every function mirrors one rule of `segmentation.services.engine` and quotes the
figures the nightly run stored on `ClientSegment`, taking the branch from the
stored verdict (`buys_a_lot`, `can_buy_more`, `tier`...) so a reason never
disagrees with its segment. Numbers follow the active language's format.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from segmentation.models import (
    Category,
    ClientSegment,
    KeyReason,
    KeyStatus,
    League,
    LostStatus,
    Policy,
    Tier,
)

CENT = Decimal("0.01")


@dataclass(frozen=True)
class Reason:
    """A segment's name and why: shown as "headline — detail"."""

    headline: str
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.headline} — {self.detail}" if self.detail else self.headline


def number(value: Decimal | int, places: int = 2) -> str:
    """A number with as few decimals as it needs (at most `places`), rounded half up, localised."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    decimals = next(d for d in range(places + 1) if rounded == rounded.quantize(Decimal(1).scaleb(-d)))
    return formats.number_format(rounded, decimals)


def money(value: Decimal | int) -> str:
    """A whole amount in the company currency, grouped as the active language groups digits."""
    whole = Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return formats.number_format(whole, 0, force_grouping=True)


def share_against(share: Decimal, limit: Decimal) -> str:
    """`share` with the fewest decimals that keep it on its true side of `limit`.

    69.6% against a 70% limit reads "69.6", never "70", so "70% is below 70%" cannot happen.
    """
    side = (share > limit) - (share < limit)
    for places in range(3):
        rounded = share.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if (rounded > limit) - (rounded < limit) == side:
            return number(rounded, places)
    return number(share, 2)


def category_reason(segment: ClientSegment, policy: Policy, clients: int) -> Reason:
    """ABCD (DOMAIN §5), e.g. "B — in the top 80% of revenue (rank 41 of 300); share of wallet 85% is
    above 70%"."""
    if not segment.category or segment.potential is None:
        return Reason(_("No category: the potential table is not filled in"))
    return Reason(
        segment.category, f"{_revenue_part(segment, policy, clients)}; {_wallet_part(segment, policy)}"
    )


def _revenue_part(segment: ClientSegment, policy: Policy, clients: int) -> str:
    if segment.revenue <= 0:
        return _("no revenue in the last 12 months")
    values = {"share": number(policy.pareto_share), "rank": segment.revenue_rank, "total": clients}
    if segment.buys_a_lot:
        return _("in the top %(share)s%% of revenue (rank %(rank)s of %(total)s)") % values
    return _("outside the top %(share)s%% of revenue (rank %(rank)s of %(total)s)") % values


def _wallet_part(segment: ClientSegment, policy: Policy) -> str:
    potential = segment.potential or Decimal(0)
    covered = segment.covered_sales or Decimal(0)
    if potential <= 0:
        return _("the estimated purchases are zero")
    share = covered * 100 / potential
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


def tier_reason(segment: ClientSegment, policy: Policy) -> Reason:
    """Tier by potential (DOMAIN §3), e.g. "Gold — among the clients holding the first 50% of all
    potential (rank 3)"."""
    headline = segment.get_tier_display()
    rank = segment.potential_rank
    if segment.tier == Tier.GOLD:
        share = number(policy.gold_share)
        return Reason(
            headline,
            _("among the clients holding the first %(share)s%% of all potential (rank %(rank)s)")
            % {"share": share, "rank": rank},
        )
    if segment.tier == Tier.SILVER:
        share = number(policy.silver_share)
        return Reason(
            headline,
            _("among the clients holding the next %(share)s%% of all potential (rank %(rank)s)")
            % {"share": share, "rank": rank},
        )
    if segment.potential is None:
        return Reason(headline, _("the potential table is not filled in"))
    if segment.potential <= 0:
        return Reason(headline, _("zero potential"))
    share = number(policy.gold_share + policy.silver_share)
    return Reason(
        headline,
        _("outside the first %(share)s%% of all potential (rank %(rank)s)") % {"share": share, "rank": rank},
    )


def league_reason(segment: ClientSegment) -> Reason:
    """League by open points (DOMAIN §6); a network without central purchasing is qualifying first."""
    if not segment.league:
        return Reason(_("No league"), _("no open points of presence"))
    return Reason(segment.get_league_display(), _league_detail(segment))


def _league_detail(segment: ClientSegment) -> str:
    if segment.league == League.QUALIFYING:
        count = segment.open_points
        return ngettext(
            "%(count)s point that buys for itself", "%(count)s points that each buy for themselves", count
        ) % {"count": count}
    if segment.league == League.PREMIER:
        count = segment.continents
        return ngettext("present on %(count)s continent", "present on %(count)s continents", count) % {
            "count": count
        }
    if segment.league == League.FIRST:
        count = segment.countries
        if segment.continents == 1:
            return ngettext(
                "%(count)s country of one continent", "%(count)s countries of one continent", count
            ) % {"count": count}
        return ngettext("%(count)s country", "%(count)s countries", count) % {"count": count}
    if segment.league == League.SECOND:
        count = segment.regions
        return ngettext("%(count)s region of one country", "%(count)s regions of one country", count) % {
            "count": count
        }
    count = segment.open_points
    return ngettext("%(count)s point in one region", "%(count)s points in one region", count) % {
        "count": count
    }


def expansion_reason(segment: ClientSegment) -> Reason | None:
    """Planned points where neither our clients nor our branches are (DOMAIN §6), or None."""
    count = segment.expansion_points
    if not count:
        return None
    return Reason(
        ngettext(
            "Expansion alert: %(count)s planned point in a region where we have no presence",
            "Expansion alert: %(count)s planned points in regions where we have no presence",
            count,
        )
        % {"count": count}
    )


def size_reason(segment: ClientSegment) -> Reason:
    """Size class by potential, or by revenue without an estimate (DOMAIN §9)."""
    headline = segment.get_size_class_display()
    if segment.potential is not None:
        return Reason(headline, _("potential %(amount)s") % {"amount": money(segment.potential)})
    return Reason(
        headline, _("by revenue %(amount)s: no potential estimate") % {"amount": money(segment.revenue)}
    )


def lost_reason(segment: ClientSegment, today: date) -> Reason:
    """Purchase status by the client's own rhythm (DOMAIN §10), counting days up to `today`."""
    if segment.lost_status == LostStatus.WON_BACK and segment.won_back_on:
        return Reason(
            _("Won back on %(date)s")
            % {"date": formats.date_format(segment.won_back_on, "SHORT_DATE_FORMAT")}
        )
    if not segment.lost_status or segment.last_purchase is None:
        return Reason(_("No purchases yet"))
    days = (today - segment.last_purchase).days
    if segment.lost_status == LostStatus.ACTIVE:
        since = ngettext("last purchase %(days)s day ago", "last purchase %(days)s days ago", days)
    else:
        since = ngettext("no purchase for %(days)s day", "no purchase for %(days)s days", days)
    return Reason(segment.get_lost_status_display(), f"{since % {'days': days}}; {_rhythm(segment)}")


def _rhythm(segment: ClientSegment) -> str:
    interval = segment.usual_interval
    if interval is None:
        return _("no regular rhythm")
    whole = int(interval.to_integral_value(rounding=ROUND_HALF_UP))
    return ngettext("usual interval %(days)s day", "usual interval %(days)s days", whole) % {
        "days": number(interval, 1)
    }


def key_reason(status: KeyStatus | None) -> Reason:
    """Key or not, and the director's reasons (DOMAIN §4)."""
    if status is None or not status.is_key:
        return Reason(_("Not a key client"))
    labels = dict(KeyReason.choices)
    return Reason(_("Key client"), ", ".join(str(labels.get(r, r)) for r in status.reasons))
