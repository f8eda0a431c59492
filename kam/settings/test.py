"""Settings for the test suite: fast hashing, in-memory e-mail, no throttling surprises."""

import tempfile
from pathlib import Path

from kam.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Uploaded import files go to a temporary folder of the test run.
KAM_IMPORTS_ROOT = Path(tempfile.mkdtemp(prefix="kam-imports-"))
# Exported files too.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="kam-media-"))
