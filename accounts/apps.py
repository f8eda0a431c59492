from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Client accounts")

    def ready(self) -> None:
        from accounts import columns, selectors  # the list's own columns need the models loaded
        from kam.users import extensions as users_extensions

        columns.register()
        users_extensions.register_read_with(selectors.CHOICES_VERSION, selectors.choices_version_of_signed_in)
        users_extensions.register_read_with(selectors.LIST_COLUMNS, selectors.list_columns_of_signed_in)
        users_extensions.register_read_with(selectors.ON_TEAMS, selectors.on_teams_of_signed_in)
