"""The demo logins on the login page, so someone trying the demo knows how to get in."""

from django.conf import settings

from kam.demo.seed import demo_logins


def login_page_logins() -> list[tuple[str, str]]:
    """(role, username) of the demo logins present, where the settings allow showing them
    (KAM_DEMO_LOGINS: on for `make run`, always off in production); one query."""
    return demo_logins() if settings.KAM_DEMO_LOGINS else []
