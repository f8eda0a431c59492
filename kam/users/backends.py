"""The signed-in user with their role groups, permissions and badges, read with their session in
one query a request.

Every page asks both what the user's roles are (the navigation, `roles.role_names`) and what
they may do (`perms` in templates, `has_perm` in views): Django's `ModelBackend` reads the
user's own permissions and their groups' permissions in two queries and the groups in a third.
This backend reads them with the signed-in user's row (`RoleBackend.get_user`), with the counts
every page shows in the navigation and what else apps read with them
(`extensions.register_read_with`), and keeps them on the user
object, as `ModelBackend` keeps its caches; any other user's in one query (`load`).

Every request reads its session first, then the user the session names: the session store
(kam/sessions.py) reads both in one query (`session_with_user`, the session's row joined to its
user's, `Session.user`) and leaves the user for `get_user`, which takes them if the id it is
asked for is theirs, for this request only; otherwise `get_user` reads the user by a query of
their own.
"""

from contextvars import ContextVar
from functools import cache
from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.signals import request_finished
from django.db import connection
from django.db.models import CharField, Func, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Concat
from django.dispatch import receiver
from django.utils import timezone

from kam import prepared
from kam.prepared import Prepared
from kam.users import extensions
from kam.users.models import AnyUser, Session, User

GROUP, OWN, VIA_GROUP = "g", "u", "p"


@cache
def _query() -> str:
    """The one query, written out: it is the same for every request but the user, and the ORM
    took 1.8 ms of CPU to build it each time (0.1 ms to run it as SQL)."""
    groups = connection.ops.quote_name(Group._meta.db_table)
    user_groups = connection.ops.quote_name(User.groups.through._meta.db_table)
    user_perms = connection.ops.quote_name(User.user_permissions.through._meta.db_table)
    group_perms = connection.ops.quote_name(Group.permissions.through._meta.db_table)
    perms = connection.ops.quote_name(Permission._meta.db_table)
    types = connection.ops.quote_name(ContentType._meta.db_table)
    dotted = "t.app_label || '.' || p.codename"
    return (
        f"SELECT '{GROUP}', g.name FROM {groups} g"
        f" JOIN {user_groups} ug ON ug.group_id = g.id WHERE ug.user_id = %s"
        f" UNION ALL SELECT '{OWN}', {dotted} FROM {perms} p"
        f" JOIN {user_perms} up ON up.permission_id = p.id"
        f" JOIN {types} t ON t.id = p.content_type_id WHERE up.user_id = %s"
        f" UNION ALL SELECT '{VIA_GROUP}', {dotted} FROM {perms} p"
        f" JOIN {group_perms} gp ON gp.permission_id = p.id"
        f" JOIN {user_groups} ug ON ug.group_id = gp.group_id"
        f" JOIN {types} t ON t.id = p.content_type_id WHERE ug.user_id = %s"
    )


def load(user: Any) -> None:
    """Fill the user's per-request caches: `_role_names` (every group's name) and the three
    permission caches `ModelBackend` keeps (`_user_perm_cache`, `_group_perm_cache`,
    `_perm_cache`)."""
    with connection.cursor() as cursor:
        prepared.execute(cursor, _query(), [user.pk] * 3)
        rows = cursor.fetchall()
    found: dict[str, set[str]] = {GROUP: set(), OWN: set(), VIA_GROUP: set()}
    for kind, name in rows:
        found[kind].add(name)
    _keep(user, found[GROUP], found[OWN], found[VIA_GROUP])


def _keep(user: Any, groups: set[str], own: set[str], via_group: set[str]) -> None:
    user._role_names = groups
    user._user_perm_cache = own
    user._group_perm_cache = via_group
    user._perm_cache = own | via_group


SEPARATOR = "\n"  # between the names one column of the signed-in user's row joins


class Joined(Func):
    """A text column's values joined by `SEPARATOR` (PostgreSQL's `string_agg`, SQLite's
    `group_concat`), NULL when there are none: an aggregate the ORM does not group by, so that
    a subquery of it is one row of one value."""

    function = "string_agg"
    output_field = TextField()

    def __init__(self, expression: Any) -> None:
        super().__init__(expression, Value(SEPARATOR))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(compiler, connection, function="group_concat", **extra)


def _names(queryset: QuerySet[Any], user: str, name: Any, outer: str) -> Subquery:
    """The `name`s of the rows of `queryset` whose `user` is the outer query's `outer`, joined."""
    return Subquery(queryset.filter(**{user: OuterRef(outer)}).order_by().values(names=Joined(name)))


def _read_with(outer: str) -> dict[str, Any]:
    """What is read with the signed-in user, as expressions of the outer query's column `outer`,
    their id: their groups' names, their own and their groups' permissions, and what apps
    registered (`extensions.register_read_with`)."""
    dotted = Concat("content_type__app_label", Value("."), "codename", output_field=CharField())
    return {
        "signed_in_groups": _names(Group.objects.all(), "user", "name", outer),
        "signed_in_own": _names(Permission.objects.all(), "user", dotted, outer),
        "signed_in_via_group": _names(Permission.objects.all(), "group__user", dotted, outer),
        **{f"signed_in_read_{name}": value(outer) for name, value in extensions.reads().items()},
    }


def _signed_in(pk: int) -> QuerySet[User]:
    return User._default_manager.filter(pk=pk).annotate(**_read_with("pk")).order_by()[:1]


def _session(key: str) -> QuerySet[Session]:
    query = Session.objects.filter(session_key=key).select_related("user")
    return query.annotate(**_read_with("user_id")).order_by()[:1]


_USER = Prepared(_signed_in)
_SESSION = Prepared(_session)

# The user read with this request's session (`session_with_user`), until `get_user` takes them or
# the request ends.
_read_with_session: ContextVar[Session | None] = ContextVar("read_with_session", default=None)


def session_with_user(key: str) -> Session | None:
    """The session of `key` while it has not expired, with its user and what `get_user` reads
    with them, in one query; the user is kept for `RoleBackend.get_user`, which a request asks
    next. (The expiry is checked here: as a parameter the time would not be prepared.)"""
    session = next(iter(_SESSION(key)), None)
    if session is not None and session.expire_date <= timezone.now():
        session = None
    _read_with_session.set(session if session is not None and session.user_id is not None else None)
    return session


@receiver(request_finished)
def _forget_session(**kwargs: Any) -> None:
    _read_with_session.set(None)


def _split(joined: str | None) -> set[str]:
    return set(joined.split(SEPARATOR)) if joined else set()


class RoleBackend(ModelBackend):
    """`ModelBackend` whose permission caches are filled by `load` (superusers keep Django's
    path: they hold every permission), and whose signed-in user is read with their groups,
    permissions and what apps read with them: with their session (`session_with_user`), or
    else by a prepared query."""

    def get_user(self, user_id: Any) -> User | None:
        if type(user_id) is not int:
            return super().get_user(user_id)
        session = _read_with_session.get()
        _read_with_session.set(None)
        if session is not None and session.user_id == user_id:
            user, read = session.user, vars(session)  # the annotations, on the session
        else:
            user = next(iter(_USER(user_id)), None)
            read = vars(user) if user is not None else {}  # the annotations, on the user
        if user is None or not self.user_can_authenticate(user):
            return None
        groups = _split(read.pop("signed_in_groups"))
        own, via_group = _split(read.pop("signed_in_own")), _split(read.pop("signed_in_via_group"))
        values = {name: read.pop(f"signed_in_read_{name}") for name in extensions.reads()}
        if user.is_superuser:
            vars(user)["_role_names"] = groups  # and Django's path to their every permission
        else:
            _keep(user, groups, own, via_group)
        vars(user)["_read_with"] = values
        return user

    def get_all_permissions(self, user_obj: AnyUser, obj: object = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not user_obj.is_superuser and not hasattr(user_obj, "_perm_cache"):
            load(user_obj)
        return super().get_all_permissions(user_obj, obj)
