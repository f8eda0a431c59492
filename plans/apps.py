from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        # The card's parts need the models loaded; the nightly run's end closes won-back plans.
        from plans import extensions, receivers

        extensions.register()
        receivers.connect()
