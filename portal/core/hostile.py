"""Requests no page can serve: a NUL byte in the path or the query string (PostgreSQL text never holds one)."""

from django.http import HttpResponseBadRequest, JsonResponse
from django.utils.translation import gettext as _


class NulByteMiddleware:
    """400 for a NUL byte anywhere in the path or the query, before any view or query sees it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            "\x00" in request.path
            or "\x00" in request.META.get("QUERY_STRING", "")
            or any("\x00" in value for values in request.GET.lists() for value in values[1])
        ):
            message = _("The address contains a character that is not allowed.")
            if request.path.startswith("/api/"):
                # The request cannot be read: the documented parse error of every operation.
                error = {"code": "parse_error", "detail": message, "attr": None}
                return JsonResponse({"type": "client_error", "errors": [error]}, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)
