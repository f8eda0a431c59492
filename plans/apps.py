from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        # The card's parts need the models loaded; the nightly run's end closes won-back plans;
        # the daily e-mail lists the day's birthdays; the managers' time split counts activities.
        from plans import extensions, receivers
        from plans.activities.selectors import development_time
        from plans.day.digest import BIRTHDAYS_TODAY, OVERDUE_STEPS
        from segmentation.notifications.services import register_digest_section
        from segmentation.timesplit.selectors import register_development_time

        extensions.register()
        receivers.connect()
        register_digest_section(BIRTHDAYS_TODAY)
        register_digest_section(OVERDUE_STEPS)
        register_development_time(development_time)
