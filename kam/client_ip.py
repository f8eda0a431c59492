"""The client's address as the login lockout (django-axes) counts it.

Behind a TLS proxy every request comes from the proxy's address, so the client's own address
has to be read from X-Forwarded-For; but anyone can send that header, so only the entries
added by our own proxies are believed. Each trusted proxy appends the address it received
the request from, so with `TRUSTED_PROXY_COUNT = n` the client is the n-th entry from the
right; whatever the client wrote itself stands further left and is ignored. With 0 (the
default, no proxy in front) the header is ignored entirely and REMOTE_ADDR is the client.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client behind `settings.TRUSTED_PROXY_COUNT` trusted proxies.

    Falls back to REMOTE_ADDR when the header holds fewer entries than there are trusted
    proxies (the request did not come through them) or the entry is not an IP address.
    """
    remote_addr: str | None = request.META.get("REMOTE_ADDR")
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote_addr
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies or not forwarded[-proxies]:
        return remote_addr
    try:
        return str(ipaddress.ip_address(forwarded[-proxies]))
    except ValueError:
        return remote_addr
