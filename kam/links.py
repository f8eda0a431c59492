"""Addresses of one kind for many rows (a list's links to 50 cards): reversed once, then each row's
pk filled in, since a `reverse()` walks the URL resolver every time. Likewise the addresses
without arguments every page's navigation names (`{% plain_url %}`, the template library
"kam_links" of settings.TEMPLATES), the navigation's menu (`{% main_menu %}`) and the
navigation itself (`{% navbar %}`)."""

from collections.abc import Callable
from functools import lru_cache
from types import SimpleNamespace
from typing import Any, cast

from django import template
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from kam.cells import text
from kam.drawn import drawn, stand_in

register = template.Library()

_PK = 2_147_483_647  # stands for the pk while the address is reversed


def pk_url(name: str, pk: int) -> str:
    """`reverse(name, args=[pk])` for an address whose one argument is an integer pk: reversed
    once per name, script prefix and URLconf."""
    if not isinstance(pk, int):
        return reverse(name, args=[pk])  # what reverse() refuses, it still refuses
    before, after = _parts(name, get_script_prefix(), get_urlconf())
    return f"{before}{pk}{after}"


def pk_urls(name: str) -> Callable[[int], str]:
    """`pk_url(name, pk)` for the rows of a table: the address's text around the pk found once
    for all of them, not looked up again (with the script prefix and the URLconf) for each row."""
    before, after = around_last(name)

    def url(pk: int) -> str:
        return f"{before}{pk}{after}" if isinstance(pk, int) else reverse(name, args=[pk])

    return url


def around_last(name: str, *args: Any) -> tuple[str, str]:
    """`reverse(name, args=[*args, n])` for an integer n as the text before and after n, for
    addresses that differ only in their last argument (a review's clients by position):
    reversed once per name, arguments, script prefix and URLconf."""
    if _cacheable(args):
        return _around(name, args, get_script_prefix(), get_urlconf())
    before, _pk, after = reverse(name, args=[*args, _PK]).rpartition(str(_PK))
    return before, after


def _cacheable(args: tuple[Any, ...]) -> bool:
    """Arguments a cached address may be keyed by: numbers and text, none holding the stand-in."""
    return all(isinstance(arg, int | str) and str(_PK) not in str(arg) for arg in args)


@register.simple_tag(name="plain_url")
def plain_url(name: str) -> str:
    """`reverse(name)` for an address without arguments, reversed once per name, script prefix
    and URLconf: `{% plain_url "plans:day" %}` writes what `{% url "plans:day" %}` writes, for
    the 30 addresses of the navigation on every page (0.7 ms of each page's CPU as `{% url %}`)."""
    return _plain(name, get_script_prefix(), get_urlconf())


@register.simple_tag(name="row_url")
def row_url(name: str, *args: Any) -> str:
    """`{% url name *args %}` for a list's rows, whose addresses differ only in their last
    argument, an integer pk: reversed once per name, other arguments, script prefix and URLconf
    (`{% row_url "accounts:entry_edit" client.pk "touches" t.pk as edit %}`: 25 touches ask for
    50 addresses, 4 ms of the tab's CPU as `{% url %}`)."""
    *fixed, last = args
    if not isinstance(last, int) or not _cacheable(tuple(fixed)):
        return reverse(name, args=args)  # what reverse() refuses, it still refuses
    before, after = _around(name, tuple(fixed), get_script_prefix(), get_urlconf())
    return f"{before}{last}{after}"


@register.simple_tag(name="main_menu", takes_context=True)
def main_menu(context: template.Context) -> SafeString:
    """partials/main_menu.html, the menu of every page's navigation: the same for every user with
    the same roles on the same page, so rendered once per process for each roles, page (`nav`,
    and `kind` on the reference pages), language, script prefix and URLconf. Its 25 translations,
    addresses and comparisons took about a third of a short page's rendering."""
    kind = getattr(context.get("kind"), "url_prefix", "")
    director, admin = bool(context.get("is_sales_director")), bool(context.get("is_admin_role"))
    nav = context.get("nav") or ""
    menu = _menu.__wrapped__ if settings.DEBUG else _menu  # in development, as the template is now
    return menu(director, admin, str(nav), kind, get_language(), get_script_prefix(), get_urlconf())


@lru_cache(maxsize=256)
def _menu(
    director: bool, admin: bool, nav: str, kind: str, language: str, prefix: str, urlconf: Any
) -> SafeString:
    values = {"is_sales_director": director, "is_admin_role": admin, "nav": nav, "kind": {"url_prefix": kind}}
    return SafeString(render_to_string("partials/main_menu.html", values).rstrip("\n"))


NAVBAR = "partials/navbar.html"
BADGE_MOST = 99  # the most a badge counts: beyond, it says "99+"


@register.filter
def badge(count: int | str) -> str:
    """A badge's count as it is shown: "99+" beyond `BADGE_MOST`; a text (the navigation's
    stand-in, or a count already written) as it is."""
    if isinstance(count, str):
        return count
    return f"{text(BADGE_MOST)}+" if count > BADGE_MOST else text(count)


@register.simple_tag(name="navbar", takes_context=True)
def navbar(context: template.Context) -> SafeString:
    """partials/navbar.html, every page's navigation, drawn once per process (`kam.drawn`) for
    each roles, page, language, script prefix and URLconf, whether the user is signed in and
    whether they have unread notifications; the user's own values (their name, the unread
    count, the search, the CSRF token, the page's address) written in. Its 40 tags and
    variables took a sixth of a short page's instructions."""
    user = context.get("user")
    signed_in = bool(user is not None and user.is_authenticated)
    unread = context.get("unread_notification_count") if signed_in else None
    count = unread() if callable(unread) else unread
    kind = getattr(context.get("kind"), "url_prefix", "")
    director, admin = bool(context.get("is_sales_director")), bool(context.get("is_admin_role"))
    nav = str(context.get("nav") or "")
    key = (signed_in, bool(count), director, admin, nav, kind)

    def stand_ins() -> dict[str, Any]:
        return {
            "user": _SignedIn() if signed_in else AnonymousUser(),
            "unread_notification_count": stand_in("unread") if count else 0,
            "search_query": stand_in("search"),
            "csrf_token": stand_in("csrf"),
            "request": _Request(),
            "is_sales_director": director,
            "is_admin_role": admin,
            "nav": nav,
            "kind": SimpleNamespace(url_prefix=kind),
        }

    if not signed_in:
        return drawn(NAVBAR, key, stand_ins, {})
    request, token = context.get("request"), str(context.get("csrf_token") or "")
    if request is None or token in ("", "NOTPROVIDED"):  # `{% csrf_token %}` writes no field
        return SafeString(render_to_string(NAVBAR, cast(dict[str, Any], context.flatten())))
    own = {
        "user": conditional_escape(str(user)),
        "unread": badge(count or 0),
        "search": conditional_escape(context.get("search_query") or ""),
        "csrf": conditional_escape(token),
        "path": conditional_escape(request.get_full_path()),
    }
    return drawn(NAVBAR, key, stand_ins, own)


class _SignedIn:
    """The user the navigation is drawn for: signed in, named by a stand-in."""

    is_authenticated = True

    def __str__(self) -> str:
        return stand_in("user")


class _Request:
    def get_full_path(self) -> str:
        return stand_in("path")


@lru_cache(maxsize=1024)
def _around(name: str, fixed: tuple[Any, ...], prefix: str, urlconf: Any) -> tuple[str, str]:
    before, after = reverse(name, args=[*fixed, _PK], urlconf=urlconf).split(str(_PK))
    return before, after


@lru_cache(maxsize=256)
def _plain(name: str, prefix: str, urlconf: Any) -> str:
    return reverse(name, urlconf=urlconf)


@lru_cache(maxsize=256)
def _parts(name: str, prefix: str, urlconf: Any) -> tuple[str, str]:
    before, after = reverse(name, args=[_PK], urlconf=urlconf).split(str(_PK))
    return before, after


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs: Any) -> None:
    if setting in ("ROOT_URLCONF", "TEMPLATES"):
        _parts.cache_clear()
        _plain.cache_clear()
        _around.cache_clear()
        _menu.cache_clear()
