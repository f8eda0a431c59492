"""Who may decide on a client's segments (DOMAIN §1, §4), as django-rules predicates.

Estimates are part of the card, so writing them follows `accounts.edit_client`.
"""

from typing import Any

import rules

from accounts.models import Client


@rules.predicate
def decides_key_status(user: Any, client: Client | None = None) -> bool:
    """Sales directors (and superusers) grant and revoke key status and override tiers."""
    return bool(
        user.is_authenticated and (user.is_superuser or user.has_perm("segmentation.decide_key_status"))
    )


rules.add_perm("segmentation.decide_for_client", decides_key_status)
