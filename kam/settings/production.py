"""Production settings: refuse to start without real secrets, serve over HTTPS only."""

from kam.settings.base import *  # noqa: F403
from kam.settings.base import database, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")
DATABASES = {"default": database(env.db("DATABASE_URL"))}  # no default: a real database or nothing

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
KAM_DEMO_LOGINS = False  # never advertise the demo password on a real installation
SESSION_COOKIE_HTTPONLY = True
