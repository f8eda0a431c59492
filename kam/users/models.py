from typing import Any

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _

from kam.loading import QuickLoaded


class User(QuickLoaded, AbstractUser):
    """A member of staff. What they may do comes from their role groups (see roles.py)."""

    class Language(models.TextChoices):
        BROWSER = "", _("As in the browser")
        RUSSIAN = "ru", _("Russian")
        ENGLISH = "en", _("English")

    language = models.CharField(_("language"), max_length=8, choices=Language.choices, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        permissions = [("manage_users", _("Can manage users and roles"))]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Session(AbstractBaseSession):
    """A browser's session, as Django keeps it, with the user signed in on it (none before they
    sign in): every request reads its session and its user in one query (kam/sessions.py), and a
    user's sessions go with them."""

    user = models.ForeignKey(
        User, models.CASCADE, null=True, blank=True, related_name="sessions", verbose_name=_("user")
    )

    @classmethod
    def get_session_store_class(cls) -> Any:
        from kam.sessions import SessionStore

        return SessionStore


# Whoever a request carries: a signed-in user or the anonymous one.
AnyUser = User | AnonymousUser
