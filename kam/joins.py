"""A queryset's pks, or its keys in an order, read from the one table its conditions are on,
without the model's own.

PostgreSQL removes no inner join, even one a foreign key makes redundant: the client list
filtered by tier (`segment__tier`) counts its clients by reading each gold segment through
the tier index and then probing the clients' primary key for it, 804 probes of 3 ms in all,
where the index alone answers in 0.2 ms. Where a queryset's only join is to the rows that hold
one each of its model's rows (a one-to-one, not null, its foreign key enforced by the
database) and every condition is a plain lookup on that table's columns, each matching row of
that table names one matching row of the model, and its foreign key is the pk.

Where that table also mirrors the model's fields an order names (`MIRRORS`: the segment keeps
its client's name), a page's keys in that order are read from it too, down its own index
(`keys_from_joined`): the list filtered by tier walked the clients' names and probed each one's
segment, 1,549 probes of 4 ms for a page of the clients of category A and tier silver.
"""

from typing import Any

from django.db.models import QuerySet
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.sql.constants import INNER
from django.db.models.sql.datastructures import Join
from django.db.models.sql.where import WhereNode


def pks_from_joined(queryset: QuerySet[Any]) -> QuerySet[Any] | None:
    """The pks of `queryset`'s rows (unordered, as `values_list("pk", flat=True)` reads them)
    from the one table it joins, or None where that would not be the same rows: another join or
    table, an outer join, an annotation, a grouping, a condition on the model's own table or one
    comparing with an expression."""
    found = _joined(queryset)
    return None if found is None else found[0].values_list(found[1], flat=True)


def keys_from_joined(queryset: QuerySet[Any], names: list[str]) -> tuple[QuerySet[Any], list[str]] | None:
    """`queryset`'s rows as rows of the one table it joins (as `pks_from_joined` takes them),
    with the names there of the model's fields `names` ("pk": the foreign key; another field:
    the one the joined model's `MIRRORS` names for it), or None where that table does not hold
    each of them."""
    found = _joined(queryset)
    if found is None:
        return None
    lean, key = found
    mirrors: dict[str, str] = getattr(lean.model, "MIRRORS", {})
    mapped = [key if name == "pk" else mirrors.get(name) for name in names]
    if None in mapped:
        return None
    return lean, [name for name in mapped if name is not None]


def _joined(queryset: QuerySet[Any]) -> tuple[QuerySet[Any], str] | None:
    """The joined table's rows that `queryset`'s conditions select, and the name of its column
    that holds the model's pk."""
    query = queryset.query
    if query.is_sliced or query.combinator or query.distinct or query.group_by:
        return None
    if query.annotations or query.extra:
        return None
    used = [alias for alias, count in query.alias_refcount.items() if count]
    if len(used) != 2 or used[0] != query.base_table:
        return None
    base, joined = used
    join = query.alias_map[joined]
    if not (isinstance(join, Join) and join.join_type == INNER and join.filtered_relation is None):
        return None
    key = getattr(join.join_field, "remote_field", None)  # the reverse relation's foreign key
    if not (
        join.parent_alias == base
        and getattr(join.join_field, "one_to_one", False)
        and key is not None
        and key.db_constraint
        and not key.null
        and key.target_field == queryset.model._meta.pk
    ):
        return None
    if not _plain_on(query.where, joined):
        return None
    lean = key.model._base_manager.using(queryset.db).all()
    lean.query.where = query.where.relabeled_clone({joined: lean.query.get_initial_alias()})
    return lean, key.attname


def _plain_on(where: WhereNode, alias: str) -> bool:
    """Whether every condition of `where` compares a column of `alias` with plain values."""
    for child in where.children:
        if isinstance(child, WhereNode):
            if not _plain_on(child, alias):
                return False
        elif not (
            isinstance(child, Lookup)
            and isinstance(child.lhs, Col)
            and child.lhs.alias == alias
            and _plain(child.rhs)
        ):
            return False
    return True


def _plain(value: Any) -> bool:
    if isinstance(value, list | tuple | set | frozenset):
        return all(_plain(item) for item in value)
    return not hasattr(value, "resolve_expression") and not hasattr(value, "as_sql")
