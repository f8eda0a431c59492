"""Sessions in the database, as Django's own store keeps them, in a table that also names the
session's user (`kam.users.models.Session`): every request reads its session and the signed-in
user with it, in one prepared query (`kam.users.backends.session_with_user`), where Django's store
and authentication read them in two.

`SESSION_ENGINE = "kam.sessions"`; writing, expiring and clearing sessions are Django's.
"""

from typing import TYPE_CHECKING, Any, cast

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db

if TYPE_CHECKING:
    from kam.users.models import Session


class SessionStore(db.SessionStore):
    @classmethod
    def get_model_class(cls) -> Any:
        from kam.users.models import Session

        return Session

    def create_model_instance(self, data: dict[str, Any]) -> Any:
        """The row to save, with the user the data names (none while nobody is signed in)."""
        session = cast("Session", super().create_model_instance(data))
        session.user_id = user_id(data.get(SESSION_KEY))
        return session

    def _get_session_from_db(self) -> Any:
        """The session's row while it has not expired, else None (and the key is forgotten, as
        Django's store does)."""
        from kam.users.backends import session_with_user

        session = session_with_user(self.session_key or "")
        if session is None:
            self._session_key = None
        return session


def user_id(value: Any) -> int | None:
    """The user's id as the session data holds it (Django writes it as text), if it is one."""
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None
