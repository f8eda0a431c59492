#!/usr/bin/env python3
"""Smoke test of a running KAM over real HTTP, as an admin's browser would use it.

    python tests/smoke/smoke.py --base https://kam.example.com --user admin --password ...
    python tests/smoke/smoke.py --base http://127.0.0.1:8000 --behind-proxy --user ... --password ...

It checks, in order: the login page (with its security headers) and its CSS and JS (hashed
names from the static manifest) are served; the product's own 404 page; logging in (CSRF
as a browser does it); creating a client and opening its card; "Recompute now" on the
nightly runs page, queued for the Celery worker, shows as succeeded in the runs log within
--timeout seconds; logging out.
It creates one client named "Smoke test <time>" and starts one recomputation: run it where
that is acceptable. The user needs the admin's permissions (a `createsuperuser` user does).

--behind-proxy is for a base URL that is the app server itself, behind where a TLS proxy
would be: every request carries `X-Forwarded-Proto: https` as the proxy's would, the site's
Secure cookies are kept and sent back as the browser on the proxy's HTTPS side keeps them,
and Origin and Referer name the https:// address that browser is on.

Only the standard library; exit status 0 when every check passed, 1 at the first failure.
"""

import argparse
import gettext
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser
from http.client import HTTPResponse
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import IO

LOCALE = Path(__file__).resolve().parent.parent.parent / "locale"
HASHED_STATIC = re.compile(r"\.[0-9a-f]{12}\.(css|js)$")
CONTENT_TYPES = {"css": ("text/css",), "js": ("text/javascript", "application/javascript")}
LOGIN_PATH = "/login/"
NEW_CLIENT_PATH = "/clients/new/"
CLIENT_CARD_PATH = re.compile(r"^/clients/(\d+)/$")
RUNS_PATH = "/segments/runs/"
RUN_START_PATH = "/segments/runs/start/"
UNFINISHED, SUCCEEDED = "running", "success"  # any other status of a run is a failure


class SmokeFailure(Exception):
    pass


def check(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeFailure(message)


def texts(msgid: str) -> set[str]:
    """The English text and its Russian translation: the page may be in either language."""
    russian = gettext.translation("django", localedir=LOCALE, languages=["ru"], fallback=True)
    return {msgid, russian.gettext(msgid)}


# Reading pages


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    names: set[str] = field(default_factory=set)


@dataclass
class RunRow:
    pk: int
    status: str
    cells: list[str]


class PageParser(HTMLParser):
    """What the smoke test reads from a page: stylesheets, scripts, forms (with the values a
    browser would submit), the nightly runs table and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stylesheets: list[str] = []
        self.scripts: list[str] = []
        self.forms: list[Form] = []
        self.runs: list[RunRow] = []
        self.text: list[str] = []
        self._form: Form | None = None
        self._select: tuple[str, list[tuple[str, bool]]] | None = None
        self._option: tuple[str | None, list[str], bool] | None = None
        self._textarea: tuple[str, list[str]] | None = None
        self._in_runs = False
        self._row: RunRow | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append(a.get("href", ""))
        elif tag == "script" and a.get("src"):
            self.scripts.append(a["src"])
        elif tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower())
            self.forms.append(self._form)
        elif tag == "table" and a.get("id") == "runs":
            self._in_runs = True
        elif tag == "tr" and self._in_runs and a.get("data-run", "").isdigit():
            self._row = RunRow(pk=int(a["data-run"]), status=a.get("data-status", ""), cells=[])
            self.runs.append(self._row)
        elif tag == "td" and self._row is not None:
            self._cell = []
        if self._form is not None and "disabled" not in a:
            self._form_field(tag, a)

    def _form_field(self, tag: str, a: dict[str, str]) -> None:
        assert self._form is not None
        name = a.get("name", "")
        if name:
            self._form.names.add(name)
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    self._form.fields.append((name, a.get("value", "on")))
            elif kind not in {"submit", "button", "reset", "image", "file"}:
                self._form.fields.append((name, a.get("value", "")))
        elif tag == "select" and name:
            self._select = (name, [])
        elif tag == "option" and self._select is not None:
            self._option = (a.get("value"), [], "selected" in a)
        elif tag == "textarea" and name:
            self._textarea = (name, [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._select is not None and self._option is not None:
            value, label, selected = self._option
            self._select[1].append((value if value is not None else "".join(label).strip(), selected))
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, options = self._select
            chosen = [value for value, selected in options if selected] or [v for v, _ in options[:1]]
            self._form.fields.extend((name, value) for value in chosen)
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            name, content = self._textarea
            self._form.fields.append((name, "".join(content).removeprefix("\n")))
            self._textarea = None
        elif tag == "form":
            self._form = None
        elif tag == "td" and self._row is not None and self._cell is not None:
            self._row.cells.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr":
            self._row = None
        elif tag == "table":
            self._in_runs = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._option is not None:
            self._option[1].append(data)
        if self._textarea is not None:
            self._textarea[1].append(data)
        if self._cell is not None:
            self._cell.append(data)


@dataclass
class Page:
    url: str
    status: int
    headers: Message
    body: bytes

    @property
    def html(self) -> PageParser:
        parser = PageParser()
        parser.feed(self.body.decode("utf-8", errors="replace"))
        parser.close()
        return parser

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.url).path

    @property
    def location(self) -> str:
        return self.headers.get("Location", "")

    def says(self, msgid: str) -> bool:
        """Whether the page's visible text contains `msgid` (in English or in Russian)."""
        visible = " ".join("".join(self.html.text).split())
        return any(text in visible for text in texts(msgid))

    def form(self, action: str = "", has_field: str = "") -> Form:
        """The page's POST form whose action is `action` (or the page itself) and that has
        the field `has_field`."""
        for form in self.html.forms:
            target = urllib.parse.urlsplit(urllib.parse.urljoin(self.url, form.action)).path
            wanted = form.method == "post" and target == (action or self.path)
            if wanted and (not has_field or has_field in form.names):
                return form
        raise SmokeFailure(f"{self.path}: no POST form to {action or self.path} with a field {has_field!r}")


# The browser


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # every redirect is looked at, then followed by Browser.get


class Browser:
    def __init__(self, base: str, behind_proxy: bool, timeout: float) -> None:
        self.base = base.rstrip("/")
        parts = urllib.parse.urlsplit(self.base)
        check(parts.scheme in {"http", "https"} and bool(parts.netloc), f"not an http(s) URL: {base}")
        self.https = behind_proxy or parts.scheme == "https"
        # The address the user's browser is on: the proxy's https:// one when there is a proxy.
        self.origin = f"{'https' if self.https else 'http'}://{parts.netloc}"
        self.timeout = timeout
        # Behind the proxy, Secure cookies go over the plain-HTTP hop too: the browser they
        # belong to is on the proxy's HTTPS side.
        secure = ("https", "wss", "http") if behind_proxy else ("https", "wss")
        self.cookies = CookieJar(DefaultCookiePolicy(secure_protocols=secure))
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects
        )
        self.opener.addheaders = [("User-Agent", "kam-smoke/1"), ("Accept-Language", "en")]
        if behind_proxy:
            self.opener.addheaders.append(("X-Forwarded-Proto", "https"))

    def url(self, path: str) -> str:
        return urllib.parse.urljoin(self.base + "/", path.lstrip("/"))

    def request(self, url: str, data: list[tuple[str, str]] | None = None, referer: str = "") -> Page:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(url, data=body, method="POST" if data is not None else "GET")
        if data is not None:
            req.add_header("Origin", self.origin)
        if referer:
            req.add_header("Referer", self.origin + urllib.parse.urlsplit(referer).path)
        response: HTTPResponse | urllib.error.HTTPError
        try:
            response = self.opener.open(req, timeout=self.timeout)
        except urllib.error.HTTPError as error:  # 3xx, 4xx, 5xx: a page like any other
            response = error
        except OSError as error:
            raise SmokeFailure(f"{req.method} {url}: {error}") from error
        with response:
            stream: IO[bytes] = response
            return Page(url=url, status=response.status or 0, headers=response.headers, body=stream.read())

    def get(self, path: str, follow: bool = True) -> Page:
        page = self.request(self.url(path))
        for _hop in range(5):
            if not (follow and page.status in {301, 302, 303, 307, 308}):
                break
            page = self.request(urllib.parse.urljoin(page.url, page.location))
        return page

    def submit(self, page: Page, form: Form, values: dict[str, str]) -> Page:
        """Post `form` as a browser does: its own fields (the CSRF token among them), then ours."""
        data = [(name, value) for name, value in form.fields if name not in values] + list(values.items())
        return self.request(urllib.parse.urljoin(page.url, form.action or page.url), data, referer=page.url)


# The checks


def step(name: str) -> None:
    print(f"-- {name}", flush=True)


def ok(page: Page, status: int, what: str) -> Page:
    check(page.status == status, f"{what}: {page.path} answered {page.status}, expected {status}")
    return page


def check_login_page_and_static(browser: Browser) -> None:
    step("the login page and its CSS and JS")
    page = ok(browser.get(LOGIN_PATH), 200, "login page")
    policy = page.headers.get("Content-Security-Policy", "")
    check("script-src 'self'" in policy, f"Content-Security-Policy: {policy!r}")
    if browser.https:
        check(bool(page.headers.get("Strict-Transport-Security")), "no Strict-Transport-Security on HTTPS")
    html = page.html
    assets = [("css", href) for href in html.stylesheets] + [("js", src) for src in html.scripts]
    check(any(k == "css" for k, _ in assets) and any(k == "js" for k, _ in assets), "no CSS or JS linked")
    for kind, ref in assets:
        check(bool(HASHED_STATIC.search(ref)), f"{ref}: not a hashed name from the static manifest")
        asset = ok(browser.request(urllib.parse.urljoin(page.url, ref)), 200, kind)
        content_type = asset.headers.get("Content-Type", "")
        check(content_type.startswith(CONTENT_TYPES[kind]), f"{ref}: served as {content_type!r}")
        check(len(asset.body) > 0, f"{ref}: empty")
        print(f"   {ref} {len(asset.body)} bytes")


def check_not_found(browser: Browser, who: str) -> None:
    step(f"an unknown URL is the product's 404 page ({who})")
    page = browser.get(f"/no-such-page-{int(time.time())}/")
    ok(page, 404, "unknown URL")
    check(page.says("There is no such page, or it is not open to you."), "404 is not templates/404.html")


def log_in(browser: Browser, user: str, password: str) -> None:
    step(f"log in as {user}")
    page = ok(browser.get(LOGIN_PATH), 200, "login page")
    done = browser.submit(
        page, page.form(LOGIN_PATH, has_field="password"), {"username": user, "password": password}
    )
    check(done.status == 302, f"login refused ({done.status}): check the user and password")
    check(urllib.parse.urlsplit(done.location).path != LOGIN_PATH, "login sent back to the login page")
    if browser.https:
        insecure = sorted(c.name for c in browser.cookies if not c.secure)
        check(insecure == [], f"cookies without the Secure flag on an HTTPS site: {insecure}")
    home = ok(browser.get(done.location), 200, "landing page after login")
    print(f"   landed on {home.path}")


def create_client(browser: Browser) -> None:
    name = f"Smoke test {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC"
    step(f"create the client {name!r} and open its card")
    page = ok(browser.get(NEW_CLIENT_PATH), 200, "new client form")
    created = browser.submit(page, page.form(has_field="name"), {"name": name})
    target = urllib.parse.urlsplit(created.location).path
    check(created.status == 302 and bool(CLIENT_CARD_PATH.match(target)), f"not created ({created.status})")
    card = ok(browser.get(target), 200, "client card")
    check(card.says(name), "the card does not show the client's name")
    print(f"   {target}")


def recompute_now(browser: Browser, wait: float) -> None:
    step('"Recompute now" on the nightly runs page, run by the worker')
    page = ok(browser.get(RUNS_PATH), 200, "nightly runs")
    before = page.html.runs
    queued = browser.submit(page, page.form(RUN_START_PATH), {})
    check(queued.status == 302, f"Recompute now answered {queued.status}")
    log = ok(browser.get(queued.location), 200, "nightly runs after Recompute now")
    check(
        log.says("The recomputation was queued. It shows in this log as soon as the worker starts it."),
        "the recomputation was not queued for the worker (is a broker configured?)",
    )
    seen = max((row.pk for row in before), default=0)
    deadline = time.monotonic() + wait
    while True:
        new = [row for row in ok(browser.get(RUNS_PATH), 200, "nightly runs").html.runs if row.pk > seen]
        for row in new:
            check(
                row.status in {UNFINISHED, SUCCEEDED},
                f"run {row.pk} ended {row.status}: {' | '.join(row.cells)}",
            )
        if new and all(row.status == SUCCEEDED for row in new):
            for row in new:
                print(f"   run {row.pk} succeeded: {' | '.join(row.cells)}")
            return
        check(
            time.monotonic() < deadline,
            f"no finished run in the log after {wait:.0f} s (is a worker running?)",
        )
        time.sleep(1)


def log_out(browser: Browser) -> None:
    step("log out")
    page = ok(browser.get(RUNS_PATH), 200, "nightly runs")
    done = browser.submit(page, page.form("/logout/"), {})
    check(done.status == 302, f"logout answered {done.status}")
    check(browser.get(RUNS_PATH, follow=False).status == 302, "still signed in after logging out")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the site's address, e.g. https://kam.example.com")
    parser.add_argument("--user", required=True, help="an admin's login (e.g. made by createsuperuser)")
    parser.add_argument(
        "--password", default=os.environ.get("KAM_SMOKE_PASSWORD"), help="default: $KAM_SMOKE_PASSWORD"
    )
    parser.add_argument(
        "--behind-proxy", action="store_true", help="the base URL is the app server behind a TLS proxy"
    )
    parser.add_argument("--timeout", type=float, default=120, help="seconds to wait for the run (120)")
    args = parser.parse_args(argv)
    if not args.password:
        parser.error("give --password or set KAM_SMOKE_PASSWORD")
    browser = Browser(args.base, behind_proxy=args.behind_proxy, timeout=30)
    try:
        check_login_page_and_static(browser)
        check_not_found(browser, "anonymous")
        log_in(browser, args.user, args.password)
        check_not_found(browser, "signed in")
        create_client(browser)
        recompute_now(browser, args.timeout)
        log_out(browser)
    except SmokeFailure as failure:
        print(f"SMOKE FAILED: {failure}", file=sys.stderr)
        return 1
    print(f"smoke test passed against {args.base}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
