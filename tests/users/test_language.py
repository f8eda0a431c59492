"""The interface language: the profile's choice, then the cookie, then the browser's Accept-Language."""

import importlib
import sys

from django.conf import settings
from django.test import Client, override_settings

from kam.users.models import User


def test_signed_in_user_keeps_the_language_on_the_profile(as_admin, admin_user):
    response = as_admin.post("/language/", {"language": "ru", "next": "/users/"})

    assert response.status_code == 302
    assert response.url == "/users/"
    admin_user.refresh_from_db()
    assert admin_user.language == "ru"
    page = as_admin.get("/users/")
    assert page.status_code == 200
    assert page.headers["Content-Language"] == "ru"
    assert page.wsgi_request.LANGUAGE_CODE == "ru"
    assert '<html lang="ru">' in page.content.decode()


def test_profile_language_follows_the_user_to_another_browser(manager):
    User.objects.filter(pk=manager.pk).update(language="ru")
    browser = Client()
    browser.force_login(manager)

    response = browser.get("/password/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.headers["Content-Language"] == "ru"
    assert response.wsgi_request.LANGUAGE_CODE == "ru"


def test_anonymous_user_gets_a_cookie(client):
    response = client.post("/language/", {"language": "ru", "next": "/login/"})

    assert response.status_code == 302
    assert response.url == "/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    assert client.get("/login/").headers["Content-Language"] == "ru"


def test_browser_language_decides_by_default(client):
    assert client.get("/login/", HTTP_ACCEPT_LANGUAGE="ru").headers["Content-Language"] == "ru"
    assert client.get("/login/", HTTP_ACCEPT_LANGUAGE="de").headers["Content-Language"] == "en"
    assert client.get("/login/").headers["Content-Language"] == "en"


def test_signed_in_user_without_a_choice_follows_the_browser(as_manager):
    response = as_manager.get("/password/", HTTP_ACCEPT_LANGUAGE="ru")

    assert response.headers["Content-Language"] == "ru"


def test_choosing_browser_language_again_clears_profile_and_cookie(as_manager, manager):
    as_manager.post("/language/", {"language": "ru"})

    response = as_manager.post("/language/", {"language": ""})

    manager.refresh_from_db()
    assert manager.language == ""
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""
    assert as_manager.get("/password/", HTTP_ACCEPT_LANGUAGE="en").headers["Content-Language"] == "en"


def test_unknown_language_counts_as_browser_language(as_manager, manager):
    User.objects.filter(pk=manager.pk).update(language="ru")

    as_manager.post("/language/", {"language": "klingon"})

    manager.refresh_from_db()
    assert manager.language == ""


def test_unsafe_next_falls_back_to_home(client):
    for unsafe in ["http://evil.example/", "//evil.example/", "https://evil.example/users/"]:
        response = client.post("/language/", {"language": "en", "next": unsafe})

        assert response.url == "/"


def test_missing_next_goes_home(client):
    assert client.post("/language/", {"language": "en"}).url == "/"


def test_language_switch_is_post_only(client):
    assert client.get("/language/").status_code == 405


def test_language_switch_without_csrf_token_is_refused(manager):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(manager)

    response = browser.post("/language/", {"language": "ru", "next": "/"})

    assert response.status_code == 403
    manager.refresh_from_db()
    assert manager.language == ""


def test_language_switch_with_csrf_token_works(db):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/login/")
    token = browser.cookies[settings.CSRF_COOKIE_NAME].value

    response = browser.post("/language/", {"language": "ru", "csrfmiddlewaretoken": token})

    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"


def test_language_cookie_lasts_a_year_is_lax_and_readable_by_default(client):
    response = client.post("/language/", {"language": "ru"})

    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie["max-age"] == 365 * 24 * 3600
    assert cookie["samesite"] == "Lax"
    assert cookie["path"] == "/"
    assert (cookie["secure"], cookie["httponly"]) == ("", "")


@override_settings(
    LANGUAGE_COOKIE_SECURE=True,
    LANGUAGE_COOKIE_HTTPONLY=True,
    LANGUAGE_COOKIE_SAMESITE="Strict",
    LANGUAGE_COOKIE_PATH="/app/",
    LANGUAGE_COOKIE_DOMAIN="kam.example.com",
)
def test_language_cookie_follows_the_cookie_settings(client):
    response = client.post("/language/", {"language": "ru"})

    header = response.cookies[settings.LANGUAGE_COOKIE_NAME].output(header="Set-Cookie:")
    assert header.startswith(f"Set-Cookie: {settings.LANGUAGE_COOKIE_NAME}=ru; ")
    attributes = set(header.split("; ")[1:])
    assert {"Secure", "HttpOnly", "SameSite=Strict", "Path=/app/", "Domain=kam.example.com"} <= attributes


@override_settings(LANGUAGE_COOKIE_PATH="/app/", LANGUAGE_COOKIE_DOMAIN="kam.example.com")
def test_clearing_the_language_removes_the_cookie_that_was_set(client):
    response = client.post("/language/", {"language": ""})

    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert (cookie.value, cookie["max-age"]) == ("", 0)
    assert (cookie["path"], cookie["domain"]) == ("/app/", "kam.example.com")


def test_production_makes_the_language_cookie_secure(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-production-secret")
    monkeypatch.setenv("ALLOWED_HOSTS", "kam.example.com")
    monkeypatch.setenv("DATABASE_URL", "postgres://kam@db:5432/kam")
    monkeypatch.delitem(sys.modules, "kam.settings.production", raising=False)

    production = importlib.import_module("kam.settings.production")

    assert (production.LANGUAGE_COOKIE_SECURE, production.LANGUAGE_COOKIE_SAMESITE) == (True, "Lax")


def test_the_request_carries_the_signed_in_user_themselves(manager, client):
    client.force_login(manager)

    signed_in = client.get("/password/").wsgi_request.user
    anonymous = Client().get("/login/").wsgi_request.user

    assert (type(signed_in), signed_in.pk) == (User, manager.pk)  # not Django's lazy stand-in
    assert type(anonymous).__name__ == "AnonymousUser"
