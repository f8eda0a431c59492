"""Priority tiers by potential (DOMAIN §3): the clients holding the first `gold_share` of all
potential are gold, the next `silver_share` silver, the rest bronze. Never by current revenue.

A director may override a client's tier with a reason; the override wins wherever a tier is
read (the effective tier), and the computed one stays visible beside it. A key client whose
effective tier is bronze is marked on its segment (`key_bronze`), so the engine tells the
directors once, when it becomes so (DOMAIN §4).
"""

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import Client
from kam.prepared import Prepared
from segmentation.models import ClientSegment, ClientWallet, Policy, Tier, TierOverride
from segmentation.segments.sql import Fragment, pareto_line_sql, policy_params
from segmentation.segments.words import Reason, number

KIND = "tier"


def params(policy: Policy) -> dict[str, object]:
    return policy_params(policy, "gold_share", "silver_share")


def lines_sql() -> str:
    """The potential's lines for gold and silver (`gold_line`, `silver_line`, see
    `pareto_line_sql`) over the clients with an estimate. Clients without one are bronze: a zero
    potential adds nothing to the sums and is never above anyone, so leaving them out moves no
    line."""
    lines = {"gold_line": "%(gold_share)s", "silver_line": "(%(gold_share)s + %(silver_share)s)"}
    return pareto_line_sql(ClientWallet._meta.db_table, "potential", lines)


def tier_sql(potential: str) -> str:
    """The tier `potential` is in, by the run's lines (`lines_sql`)."""
    return f"""CASE WHEN {potential} > 0 AND {potential} >= %(gold_line)s THEN 'gold'
        WHEN {potential} > 0 AND {potential} >= %(silver_line)s THEN 'silver'
        ELSE 'bronze' END"""


def fragment() -> Fragment:
    return Fragment(
        joins="""LEFT JOIN segmentation_keystatus ks ON ks.client_id = b.client_id
    LEFT JOIN segmentation_tieroverride tov ON tov.client_id = b.client_id""",
        facts="COALESCE(ks.is_key, FALSE) AS is_key, tov.tier AS override_tier",
        judged=f"{tier_sql('f.potential')} AS computed_tier",
        columns="""j.computed_tier AS tier,
    CASE WHEN j.is_key AND COALESCE(j.override_tier, j.computed_tier) = 'bronze' THEN TRUE ELSE FALSE END
        AS key_bronze""",
    )


def effective_tier() -> Coalesce:
    """The effective tier as an expression over clients: NULL when neither exists yet."""
    return Coalesce("tier_override__tier", "segment__tier")


def effective_tier_of(client: Client) -> str:
    """One client's effective tier; a client the nightly run has not seen yet counts as bronze."""
    found = Client.objects.filter(pk=client.pk).annotate(tier_now=effective_tier())
    return found.values_list("tier_now", flat=True).first() or Tier.BRONZE


# Up to this many tier overrides, a tier filter names the overridden clients (one small read)
# instead of testing every client for an override.
OVERRIDES_NAMED = 1000


# Every list filtered by tier reads them: compiled once per process.
_OVERRIDES = Prepared(
    lambda: TierOverride.objects.order_by().values_list("client_id", "tier", "client__segment__client_id")[
        : OVERRIDES_NAMED + 1
    ]
)


Named = list[tuple[int, str, int | None]]

# The overrides last read, by database, with the filters' version read before them.
_kept_overrides: dict[str, tuple[int, Named]] = {}


def named_overrides(version: int | None = None) -> Named:
    """Up to `OVERRIDES_NAMED` + 1 overrides: each client, its tier, and its segment's pk (None
    before its first nightly run). `version`: the client list filters' `ChoicesVersion`, read
    before, which every change of an override changes (segmentation migration 0039): the
    overrides read for one version are kept in the process and given again for it, without a
    query."""
    kept = _kept_overrides.get(connection.alias)
    if version is not None and kept is not None and kept[0] == version:
        return kept[1]
    named: Named = list(_OVERRIDES())
    if version is not None:
        _kept_overrides[connection.alias] = (version, named)  # as new as the version at least
    return named


def tier_is(*values: str, version: int | None = None) -> Q:
    """Clients whose effective tier is one of `values`, for list filters (`version`: as
    `named_overrides` takes it).

    Overrides are a director's decisions, a handful in a base of thousands, so they are read
    first and named: the condition then stays on the segment row (its tier, minus the clients
    overridden to another tier, plus those overridden to one of these), and the database reads a
    rare tier through its index and a common one along the list's order, stopping at a page. As
    an OR of EXISTS over the two tables it tested every client for an override: 150 ms to count
    the 804 gold clients of 100,000. A client overridden before its first nightly run has no
    segment row and is named on the client. Past `OVERRIDES_NAMED`, the EXISTS form.
    """
    named = named_overrides(version)
    if len(named) > OVERRIDES_NAMED:
        overridden = TierOverride.objects.filter(client=OuterRef("pk"))
        return Exists(overridden.filter(tier__in=values)) | (
            Q(segment__tier__in=values) & ~Exists(overridden)
        )
    condition = Q(segment__tier__in=values)
    if other := [client for client, tier, _segment in named if tier not in values]:
        condition &= ~Q(segment__pk__in=other)
    if chosen := [client for client, tier, segment in named if tier in values and segment is not None]:
        condition |= Q(segment__pk__in=chosen)
    if unseen := [client for client, tier, segment in named if tier in values and segment is None]:
        condition |= Q(pk__in=unseen)
    return condition


def tier_reason(segment: ClientSegment, policy: Policy, rank: int | None) -> Reason:
    """The computed tier in words, e.g. "Gold — among the clients holding the first 50% of all
    potential (rank 3)" (`rank`: the client's potential rank, `selectors.Ranks`)."""
    headline = segment.get_tier_display()
    if segment.tier in (Tier.GOLD, Tier.SILVER):
        if segment.tier == Tier.GOLD:
            text = _("among the clients holding the first %(share)s%% of all potential (rank %(rank)s)")
            share = policy.gold_share
        else:
            text = _("among the clients holding the next %(share)s%% of all potential (rank %(rank)s)")
            share = policy.silver_share
        return Reason(headline, text % {"share": number(share), "rank": rank})
    if segment.potential is None:
        return Reason(headline, _("the potential table is not filled in"))
    if segment.potential <= 0:
        return Reason(headline, _("zero potential"))
    share = number(policy.gold_share + policy.silver_share)
    return Reason(
        headline,
        _("outside the first %(share)s%% of all potential (rank %(rank)s)") % {"share": share, "rank": rank},
    )
