"""Settings shared by every environment, read from the environment with django-environ.

Without DATABASE_URL the app uses an embedded SQLite file; without REDIS_URL
(or CELERY_BROKER_URL) background work runs from management commands instead.
"""

from pathlib import Path
from typing import Any

import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("SECRET_KEY", default="insecure-local-development-key-change-me")
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # the widgets' own templates, under the project's overrides (FORM_RENDERER)
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "axes",
    "kam.users",
    "accounts",
    "segmentation",
    "plans",
    "kam.imports",
    "kam.exports",
    "kam.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kam.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kam.users.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kam.urls"
WSGI_APPLICATION = "kam.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "kam.users.context_processors.roles_context",
                "segmentation.notifications.context_processors.notifications_context",
            ],
            "libraries": {
                "kam_crispy": "kam.crispy",
                "kam_drawn": "kam.drawn",
                "kam_links": "kam.links",
                "kam_i18n": "kam.i18n",
            },
            "builtins": ["kam.dates"],  # `date` for the short formats, without reading them each time
        },
    },
]


def database(config: dict[str, Any]) -> dict[str, Any]:
    """A database of `env.db()` with the connection settings every environment shares."""
    config["ATOMIC_REQUESTS"] = False
    config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Wait for a writer instead of failing at once; WAL lets readers go on meanwhile.
        config["OPTIONS"] = {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL;",
        }
    elif "postgresql" in config["ENGINE"]:
        # Django's backend with a health check that costs no round trip (kam/postgresql/base.py).
        config["ENGINE"] = "kam.postgresql"
        # PostgreSQL's JIT compiles the plan of any query its cost estimate calls big: for the
        # app's short aggregate queries the compiling took most of the time (bench/README.md,
        # "Pages": the radar's SQL 21.7 s with JIT, 4.3 s without). An OLTP app turns it off.
        # random_page_cost 1.1 (the default 4 is for spinning disks): on SSDs, or with the working
        # set cached, a few thousand index probes cost less than a scan of the base, and the
        # planner should know (the key list: 2,000 probes instead of reading 100,000 clients).
        config.setdefault("OPTIONS", {})["options"] = "-c jit=off -c random_page_cost=1.1"
    return config


DATABASES = {"default": database(env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A covering index's carried columns (`include=`) are PostgreSQL's; SQLite, the embedded default,
# makes the same index on its key columns alone, which is all it needs there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "users.User"
# Inputs, selects and textareas render in Python (kam/renderer.py); other widgets through the
# project's template engine, so templates/django/forms/ may override Django's own.
FORM_RENDERER = "kam.renderer.WidgetRenderer"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "kam.users.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Django's database sessions, read in one statement written out (kam/sessions.py).
SESSION_ENGINE = "kam.sessions"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Brute-force protection: lock a username from one IP after repeated failures.
# The IP is the client's, read through TRUSTED_PROXY_COUNT proxies in front (kam/client_ip.py);
# with 0, X-Forwarded-For is ignored and REMOTE_ADDR counts.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "kam.client_ip.client_ip"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en"
# The language switch (kam/users/views.py set_language) remembers an anonymous choice for a year;
# production makes the cookie Secure.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
# One date format per language, for pages, messages and form input alike.
FORMAT_MODULE_PATH = ["kam.formats"]

STATIC_URL = "static/"
# Where collectstatic gathers the files whitenoise serves; the image builds them into the checkout.
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files the app writes for its users (exports built on the worker); never served directly, only
# through the views that check who asks.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "kam.staticfiles.StaticStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="kam@localhost")

# Amounts are kept in one company currency.
KAM_CURRENCY = env("KAM_CURRENCY", default="RUB")
# The company's own country (ISO 3166-1 alpha-2): a client with points elsewhere is abroad.
KAM_COUNTRY = env("KAM_COUNTRY", default="RU")

# Imports: an uploaded file waits here (under a random name, never served) between its preview
# and its commit; the web upload's size limit in bytes.
KAM_IMPORTS_ROOT = env.path("KAM_IMPORTS_ROOT", default=BASE_DIR / "var" / "imports")
KAM_IMPORT_MAX_BYTES = env.int("KAM_IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
# A run the worker checks or imports with no sign of life for this long (seconds) is shown as
# abandoned: its worker died, and its transaction, never committed, wrote nothing.
KAM_IMPORT_STALE_AFTER = env.int("KAM_IMPORT_STALE_AFTER", default=10 * 60)
# The uploaded files of imports never committed are deleted after this many days.
KAM_IMPORT_KEEP_DAYS = env.int("KAM_IMPORT_KEEP_DAYS", default=7)

# Exports: a list of more rows than this is built on the worker when a broker is configured,
# and its file kept in the default storage (under exports/) for KAM_EXPORT_KEEP_DAYS days; a run
# no worker takes, or whose worker stops, within KAM_EXPORT_STALE_AFTER seconds fails.
KAM_EXPORT_BACKGROUND_ROWS = env.int("KAM_EXPORT_BACKGROUND_ROWS", default=5000)
KAM_EXPORT_STALE_AFTER = env.int("KAM_EXPORT_STALE_AFTER", default=10 * 60)
KAM_EXPORT_KEEP_DAYS = env.int("KAM_EXPORT_KEEP_DAYS", default=7)

# Page parts drawn from data that changes at known moments (the radar and the dashboard: a nightly
# run; a review: its decisions; the key clients above the candidates: a run, a key decision, a
# client's status or manager, a tier override, the policy) are kept in the cache under their data's
# version (kam.fragments); what else they show, such as names, lags for at most this long.
KAM_FRAGMENT_SECONDS = env.int("KAM_FRAGMENT_SECONDS", default=60)
# The queries kam.prepared keeps are also prepared on the PostgreSQL server, once per connection;
# off for a connection pooler that does not keep a session's prepared statements.
KAM_PREPARED_STATEMENTS = env.bool("KAM_PREPARED_STATEMENTS", default=True)

# Whether the login page lists the demo logins when demo data is loaded (local settings only).
KAM_DEMO_LOGINS = False

REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
