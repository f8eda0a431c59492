from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "kam.imports"
    label = "imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        from kam.imports import rules  # noqa: F401 -- registers the permissions
