from typing import Any

from django.core.management.base import BaseCommand

from segmentation.segments.engine import recompute


class Command(BaseCommand):
    help = "Recompute every client's segments now (the nightly job; suitable for cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        run = recompute(trigger="manage.py run_nightly")
        status = run.get_status_display()
        self.stdout.write(
            f"Run {run.pk} for {run.run_on}: {status}, {run.clients} clients, changes {run.changes}"
        )
