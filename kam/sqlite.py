"""SQLite's LIKE folds only ASCII letters, so "сталь" would never find "Сталь".

Django's case-insensitive lookups on SQLite are LIKE; replacing SQLite's like()
with a Unicode-aware one makes them behave as on PostgreSQL.
"""

import re
from functools import lru_cache
from typing import Any

from django.db.backends.signals import connection_created


def install(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("like", 2, unicode_like, deterministic=True)
        connection.connection.create_function("like", 3, unicode_like, deterministic=True)


def unicode_like(pattern: str | None, value: str | None, escape: str | None = None) -> bool | None:
    if pattern is None or value is None:
        return None
    return _compiled(pattern, escape).fullmatch(str(value).casefold()) is not None


@lru_cache(maxsize=512)
def _compiled(pattern: str, escape: str | None) -> re.Pattern[str]:
    parts, escaped = [], False
    for char in pattern.casefold():
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == escape:
            escaped = True
        elif char == "%":
            parts.append(".*")
        elif char == "_":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def connect() -> None:
    connection_created.connect(install, dispatch_uid="kam.sqlite.unicode_like")
