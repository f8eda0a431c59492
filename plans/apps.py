from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        from plans.day.digest import BIRTHDAYS_TODAY
        from segmentation.notifications.services import register_digest_section

        register_digest_section(BIRTHDAYS_TODAY)
