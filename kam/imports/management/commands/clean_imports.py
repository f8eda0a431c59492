"""`manage.py clean_imports`: the imports' daily clean-up (also a Celery beat entry) for cron.

Runs whose worker died are marked abandoned; the uploaded files of imports never committed are
deleted after KAM_IMPORT_KEEP_DAYS days (the runs stay in the log).
"""

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kam.imports import services


class Command(BaseCommand):
    help = "Mark imports whose worker died as abandoned and delete old uploads never imported."

    def handle(self, *args: Any, **options: Any) -> None:
        abandoned, deleted = services.clean_up()
        self.stdout.write(
            _("Imports marked abandoned: %(abandoned)s; old uploads deleted: %(deleted)s.")
            % {"abandoned": abandoned, "deleted": deleted}
        )
