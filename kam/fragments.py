"""Rendered fragments of a page kept in the cache (Redis in production, each process's memory
otherwise), for the parts whose data changes only at known moments: a nightly run, say.

The key names everything the fragment shows: what it is (`name`), the version of its data
(`parts`, e.g. the nightly run it was drawn from) and the active language. What it shows
besides, such as a client's name, may lag for at most `KAM_FRAGMENT_SECONDS` after it was drawn.

Each process keeps the fragments it has read too, until that same moment (the cache holds when
each was drawn): a fragment on every page of a kind (the card's segment panel, the key clients
above the candidates) is then one dictionary lookup, not a round trip to Redis and an unpickling.
"""

import time
from collections.abc import Callable
from hashlib import blake2b

from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import SafeString
from django.utils.translation import get_language

KEPT = 1024  # fragments kept per process; past that they are all read again
_near: dict[str, tuple[float, str]] = {}  # by key: until when, and the fragment


def cached(name: str, *parts: object, render: Callable[[], str]) -> SafeString:
    """The fragment `name` for `parts` in the active language: as kept, or rendered by `render`
    now and kept for `KAM_FRAGMENT_SECONDS`."""
    key = _key(name, parts)
    now = time.time()
    near = _near.get(key)
    if near is not None and now < near[0]:
        return SafeString(near[1])
    kept = cache.get(key)
    if isinstance(kept, tuple):
        drawn_at, html = kept
    else:
        drawn_at, html = now, str(render())
        cache.set(key, (drawn_at, html), settings.KAM_FRAGMENT_SECONDS)
    if len(_near) >= KEPT:
        _near.clear()
    _near[key] = (drawn_at + settings.KAM_FRAGMENT_SECONDS, html)
    return SafeString(html)


def forget() -> None:
    """Forget the fragments this process keeps (not the cache's): a test's, after it clears the cache."""
    _near.clear()


def _key(name: str, parts: tuple[object, ...]) -> str:
    """The cache's key; "drawn-fragment", not "fragment": the value holds when it was drawn, which
    a process of the version before, still serving while a new one starts, would not read."""
    version = blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    return f"drawn-fragment:{name}:{get_language()}:{version}"
