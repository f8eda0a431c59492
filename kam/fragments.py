"""Rendered fragments of a page kept in the cache (Redis in production, each process's memory
otherwise), for the parts whose data changes only at known moments: a nightly run, say.

The key names everything the fragment shows: what it is (`name`), the version of its data
(`parts`, e.g. the nightly run it was drawn from) and the active language. What it shows
besides, such as a client's name, may lag for at most `FRAGMENT_SECONDS`.
"""

from collections.abc import Callable
from hashlib import blake2b

from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import SafeString
from django.utils.translation import get_language


def cached(name: str, *parts: object, render: Callable[[], str]) -> SafeString:
    """The fragment `name` for `parts` in the active language: as kept, or rendered by `render`
    now and kept for `KAM_FRAGMENT_SECONDS`."""
    key = _key(name, parts)
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html, settings.KAM_FRAGMENT_SECONDS)
    return SafeString(html)


def _key(name: str, parts: tuple[object, ...]) -> str:
    version = blake2b(repr(parts).encode(), digest_size=12).hexdigest()
    return f"fragment:{name}:{get_language()}:{version}"
