from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Client accounts")

    def ready(self) -> None:
        from accounts import columns  # the list's own columns need the models loaded

        columns.register()
