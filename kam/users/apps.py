from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    name = "kam.users"
    label = "users"
    verbose_name = _("Users")

    def ready(self) -> None:
        from kam import sqlite
        from kam.users.roles import ensure_roles

        post_migrate.connect(ensure_roles, dispatch_uid="kam.users.ensure_roles")
        sqlite.connect()
