"""Settings for `make run` on a developer's or evaluator's machine."""

from kam.settings.base import *  # noqa: F403
from kam.settings.base import env

DEBUG = env.bool("DEBUG", default=True)

# `make run` serves with DEBUG off, so the demo shows the product's own error pages; static
# files come straight from the source folders, without collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The login page lists the demo logins while they exist (never in production).
KAM_DEMO_LOGINS = env.bool("KAM_DEMO_LOGINS", default=True)
