"""Who may import what (DOMAIN §1): directors and admins import every kind; an account manager
imports potential estimates, and only for the clients they are on."""

import rules

from accounts.rules import sees_every_client
from kam.users.models import AnyUser
from kam.users.roles import is_account_manager


@rules.predicate
def is_manager(user: AnyUser) -> bool:
    return is_account_manager(user)


rules.add_perm("imports.use", sees_every_client | is_manager)
rules.add_perm("imports.import_all", sees_every_client)
