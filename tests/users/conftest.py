import pytest
from django.test import Client

PASSWORD = "secret-pass-1"  # what tests.factories.UserFactory sets


@pytest.fixture
def browser(db):
    """A second, independent browser (its own cookies), e.g. the user an admin is editing."""
    return Client()


def login(client: Client, username: str, password: str = PASSWORD, ip: str = "10.0.0.1"):
    """Log in through the real form, as a browser would (axes needs REMOTE_ADDR)."""
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)
