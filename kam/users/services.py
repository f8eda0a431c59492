"""Every write to staff users: creation, profile and role changes, deactivation, language."""

import logging
from collections.abc import Collection

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kam.users.models import User
from kam.users.roles import ADMIN, ROLE_LABELS

logger = logging.getLogger(__name__)

PROFILE_FIELDS = ["username", "first_name", "last_name", "email", "is_active", "language"]


@transaction.atomic
def user_create(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    roles: Collection[str],
    is_active: bool,
    language: str,
    password: str,
) -> User:
    """Create a user with a (validated) password and the given roles."""
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        is_active=is_active,
        language=language,
    )
    user.set_password(password)
    user.full_clean()
    user.save()
    _set_roles(user, roles)
    logger.info("user %s created with roles %s", user.username, sorted(roles))
    return user


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    roles: Collection[str],
    is_active: bool,
    language: str,
) -> User:
    """Change a user's profile, roles and active flag.

    1. Refuse to let the actor lock themselves out (deactivate or drop their own admin role).
    2. Save the profile fields.
    3. Replace the role groups (groups that are not roles stay).

    A deactivated user's sessions stop working at their next request: ModelBackend.get_user
    returns no user for an inactive account, so the session is treated as anonymous. That
    needs no scan of the session table, which would not scale.
    """
    _refuse_self_lockout(actor=actor, user=user, roles=roles, is_active=is_active)
    was_active = User.objects.filter(pk=user.pk).values_list("is_active", flat=True).get()
    user.username = username
    user.first_name = first_name
    user.last_name = last_name
    user.email = email
    user.is_active = is_active
    user.language = language
    user.full_clean()
    user.save(update_fields=PROFILE_FIELDS)
    _set_roles(user, roles)
    if was_active and not is_active:
        logger.info("user %s deactivated by %s", user.username, actor.username)
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user: User) -> User:
    """Deactivate a user (say, a manager whose clients were just handed over); the actor cannot
    deactivate themselves."""
    if actor.pk == user.pk:
        raise ValidationError({"is_active": _("You cannot deactivate yourself.")})
    user.is_active = False
    user.save(update_fields=["is_active"])
    logger.info("user %s deactivated by %s", user.username, actor.username)
    return user


def user_set_language(*, user: User, language: str) -> None:
    """Keep the interface language on the profile; "" means "as in the browser"."""
    user.language = User._meta.get_field("language").clean(language, user)
    user.save(update_fields=["language"])


def _refuse_self_lockout(*, actor: User, user: User, roles: Collection[str], is_active: bool) -> None:
    if actor.pk != user.pk:
        return
    errors = {}
    if not is_active:
        errors["is_active"] = _("You cannot deactivate yourself.")
    if ADMIN not in roles and not user.is_superuser:
        errors["roles"] = _("You cannot remove your own admin role.")
    if errors:
        raise ValidationError(errors)


def _set_roles(user: User, roles: Collection[str]) -> None:
    if not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})
    unknown = set(roles) - set(ROLE_LABELS)
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %s") % ", ".join(sorted(unknown))})
    role_groups = list(Group.objects.filter(name__in=ROLE_LABELS))
    user.groups.remove(*[group for group in role_groups if group.name not in roles])
    user.groups.add(*[group for group in role_groups if group.name in roles])
