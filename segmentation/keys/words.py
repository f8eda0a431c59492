"""Key status in words (DOMAIN §4): whether a client is key, and the director's reasons."""

from django.utils.translation import gettext as _

from kam.cells import label
from segmentation.models import KeyReason, KeyStatus
from segmentation.segments.words import Reason

KNOWN_REASONS = frozenset(KeyReason.values)


def reason_labels(reasons: list[str]) -> list[str]:
    """The labels of the known reasons, in the order given (translated once per language:
    `kam.cells.label`)."""
    return [label(KeyReason, reason) for reason in reasons if reason in KNOWN_REASONS]


def key_reason(status: KeyStatus | None) -> Reason:
    """Key or not, and the director's reasons; a candidate's strategic marks, if it has any."""
    if status is not None and status.is_key:
        return Reason(_("Key client"), ", ".join(reason_labels(status.reasons)))
    if status is not None and status.reasons:
        return Reason(
            _("Not a key client yet: a candidate marked as"), ", ".join(reason_labels(status.reasons))
        )
    return Reason(_("Not a key client"))
