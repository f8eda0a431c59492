from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data generator: it may import every app, so it sits above them all."""

    name = "kam.demo"
    label = "demo"
    verbose_name = _("Demo data")
