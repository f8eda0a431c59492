"""The Celery app, wired as cookiecutter-django does: settings under CELERY_, tasks autodiscovered.

The beat schedule lives here and only here. Run exactly one beat (docker-compose's `beat`).
"""

import os
from typing import Any

from celery import Celery
from celery.schedules import crontab
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kam.settings.local")

app = Celery("kam")
app.config_from_object("django.conf:settings", namespace="CELERY")

app.conf.beat_schedule = {
    # The nightly recomputation. Checked every 15 minutes, it runs once a day as soon as the
    # local time passes the policy's "nightly run at" (02:00 by default), so the admin's
    # setting in the app is the schedule.
    "recompute-segments-when-due": {
        "task": "segmentation.tasks.run_nightly_if_due",
        "schedule": crontab(minute="*/15"),
    },
    # The daily e-mail digest of segment changes to the responsible managers, at 07:00 local time.
    "send-notification-digests": {
        "task": "segmentation.tasks.send_notification_digests",
        "schedule": crontab(hour=7, minute=0),
    },
    # Imports whose worker died are marked abandoned, and uploads never imported are deleted
    # after KAM_IMPORT_KEEP_DAYS days, at 03:30 local time (also `manage.py clean_imports`).
    "clean-up-imports": {
        "task": "kam.imports.tasks.clean_up_imports",
        "schedule": crontab(hour=3, minute=30),
    },
    # Exports no worker took or finished are marked failed, and exported files are deleted after
    # KAM_EXPORT_KEEP_DAYS days (their runs shown expired), every hour at :45.
    "clean-up-exports": {
        "task": "kam.exports.tasks.clean_up_exports",
        "schedule": crontab(minute=45),
    },
    # Expired sessions are deleted at 04:15 local time (also `manage.py clearsessions`).
    "clear-expired-sessions": {
        "task": "kam.users.tasks.clear_expired_sessions",
        "schedule": crontab(hour=4, minute=15),
    },
}


@setup_logging.connect
def config_loggers(*args: Any, **kwargs: Any) -> None:
    """Workers log through Django's LOGGING instead of Celery's own set-up."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


app.autodiscover_tasks()
