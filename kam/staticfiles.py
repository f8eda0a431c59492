"""The static files' storage: whitenoise's, compressed, with names that carry their content's hash.

Each `{% static %}` looks its file's hashed name up in the manifest and builds its address
anew: six a page in the base template, 5% of a light page's time. The manifest is read once, when
the storage is made, and does not change while a process serves; so each address is found once
per process and kept (not with DEBUG on, where the files' own names are served as they change).
"""

from typing import Any

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._urls: dict[tuple[str, bool], str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if settings.DEBUG or name is None:
            return super().url(name, force)
        key = (name, force)
        found = self._urls.get(key)
        if found is None:
            found = self._urls[key] = super().url(name, force)
        return found

    def post_process(self, *args: Any, **kwargs: Any) -> Any:
        """collectstatic's pass, which hashes the files again: the addresses kept are forgotten."""
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
