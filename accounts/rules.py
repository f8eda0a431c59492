"""Object permissions on client cards (DOMAIN §1), as django-rules predicates."""

import rules

from accounts.models import Client, TeamMember
from kam.prepared import Prepared
from kam.users.models import AnyUser

# Whether a user is on a client's account team, for a client the access gate did not read:
# compiled once.
_ON_TEAM = Prepared(
    lambda client, user: TeamMember.objects.filter(client_id=client, user_id=user).values_list("pk")[:1]
)


def knows_team(client: Client, user: AnyUser, on_team: bool) -> None:
    """Keep on `client` whether `user` is on its account team, as read with it
    (`accounts.access`): `is_on_account` then asks no query for them."""
    client._team_of = (user.pk, on_team)  # type: ignore[attr-defined]


@rules.predicate
def is_on_account(user: AnyUser, client: Client | None) -> bool:
    """The responsible manager or an account team member of this client."""
    if client is None or not user.is_authenticated:
        return False
    if client.responsible_manager_id == user.pk:
        return True
    known = getattr(client, "_team_of", None)
    if known is not None and known[0] == user.pk:
        return bool(known[1])
    return bool(_ON_TEAM(client.pk, user.pk))


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
