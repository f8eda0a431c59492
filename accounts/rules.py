"""Object permissions on client cards (DOMAIN §1), as django-rules predicates."""

import rules

from accounts.models import Client
from kam.users.models import AnyUser


@rules.predicate
def is_on_account(user: AnyUser, client: Client | None) -> bool:
    """The responsible manager or an account team member of this client."""
    if client is None or not user.is_authenticated:
        return False
    if client.responsible_manager_id == user.pk:
        return True
    return client.team.filter(user=user).exists()


@rules.predicate
def sees_every_client(user: AnyUser) -> bool:
    """Directors and admins see the whole base; everyone else only the clients they are on."""
    return bool(user.is_superuser or user.has_perm("accounts.view_all_clients"))


@rules.predicate
def may_assign(user: AnyUser) -> bool:
    return bool(user.is_superuser or user.has_perm("accounts.assign_client"))


rules.add_perm("accounts.open_client", is_on_account | sees_every_client)
rules.add_perm("accounts.edit_client", is_on_account)
rules.add_perm("accounts.reassign_client", may_assign)
