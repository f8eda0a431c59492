"""Size classes (DOMAIN §9): small, medium, large and very large by yearly potential, or by
revenue for a client without a potential estimate. Each class has its own workload capacity
per manager (the policy's `capacity_*`, read by the workload selectors).
"""

from django.utils.translation import gettext as _

from kam.money import money
from segmentation.models import ClientSegment, Policy
from segmentation.segments.sql import Fragment, policy_params
from segmentation.segments.words import Reason

KIND = "size_class"


def params(policy: Policy) -> dict[str, object]:
    return policy_params(policy, "medium_from", "large_from", "largest_from")


def fragment() -> Fragment:
    return Fragment(
        columns="""CASE WHEN COALESCE(j.potential, j.revenue) >= %(largest_from)s THEN 'largest'
        WHEN COALESCE(j.potential, j.revenue) >= %(large_from)s THEN 'large'
        WHEN COALESCE(j.potential, j.revenue) >= %(medium_from)s THEN 'medium'
        ELSE 'small' END AS size_class"""
    )


def size_reason(segment: ClientSegment) -> Reason:
    """Size class by potential, or by revenue without an estimate."""
    headline = segment.get_size_class_display()
    if segment.potential is not None:
        return Reason(headline, _("potential %(amount)s") % {"amount": money(segment.potential)})
    return Reason(
        headline, _("by revenue %(amount)s: no potential estimate") % {"amount": money(segment.revenue)}
    )
