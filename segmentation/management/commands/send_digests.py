from typing import Any

from django.core.management.base import BaseCommand

from segmentation.notifications.services import send_digests


class Command(BaseCommand):
    help = "E-mail each manager one digest of their segment-change notifications not yet e-mailed."

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_digests()
        self.stdout.write(f"Sent {sent} digest e-mail(s).")
