"""Who may decide on a client's segments and review the key list (DOMAIN §1, §4), as
django-rules predicates.

Estimates are part of the card, so writing them follows `accounts.edit_client`.
"""

import rules

from accounts.models import Client
from kam.users import roles
from kam.users.models import AnyUser


@rules.predicate
def decides_key_status(user: AnyUser, client: Client | None = None) -> bool:
    """Sales directors (and superusers) grant and revoke key status and override tiers."""
    return bool(
        user.is_authenticated and (user.is_superuser or user.has_perm("segmentation.decide_key_status"))
    )


rules.add_perm("segmentation.decide_for_client", decides_key_status)


@rules.predicate
def reviews_key_list(user: AnyUser) -> bool:
    """Sales directors review the key list and its candidates; admins see it too."""
    return roles.is_sales_director(user) or roles.is_admin(user)


rules.add_perm("segmentation.review_keys", reviews_key_list)
# The workload board (DOMAIN §9): the same people, who decide who is responsible for whom.
rules.add_perm("segmentation.view_workload", reviews_key_list)


@rules.predicate
def sees_time_split(user: AnyUser) -> bool:
    """Directors and admins see every manager's time split (they see all clients); an account
    manager sees their own."""
    return bool(
        user.is_authenticated
        and (user.has_perm("accounts.view_all_clients") or roles.is_account_manager(user))
    )


rules.add_perm("segmentation.view_time_split", sees_time_split)
