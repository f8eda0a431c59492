from collections.abc import Callable

from django.contrib.auth.middleware import get_user as signed_in
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.functional import SimpleLazyObject


class UserLanguageMiddleware:
    """A signed-in user's chosen language wins over the browser's (LocaleMiddleware's guess).

    It reads the user first, so it puts them on the request as themselves, in place of the lazy
    stand-in Django's AuthenticationMiddleware leaves (whose every attribute read, a page's
    hundred and more, goes through two more calls)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if isinstance(getattr(request, "user", None), SimpleLazyObject):  # AuthenticationMiddleware's
            request.user = signed_in(request)
        language = getattr(request.user, "language", "")
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
