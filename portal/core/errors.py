"""Clean answers when the database goes away mid-request: 503 with a retry hint, a page or JSON, never a trace.

The connection is closed at the end of such a request (Django closes unusable connections when the request
finishes) and the next request opens a new one (CONN_HEALTH_CHECKS), so the site recovers by itself.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

logger = logging.getLogger(__name__)


# Methods the portal answers; anything else (TRACE, CONNECT, made-up verbs) is a 405 before any view runs.
KNOWN_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, code: str, detail: str) -> JsonResponse:
    """An error in the API's one shape (drf-standardized-errors'), for answers given outside DRF's views."""
    kind = "server_error" if status >= 500 else "client_error"
    return JsonResponse({"type": kind, "errors": [{"code": code, "detail": str(detail), "attr": None}]}, status=status)


def _unavailable(request):
    detail = _("The database is briefly unavailable; nothing was saved. Please retry in a moment.")
    if is_api(request):
        response = api_error(503, "database_unavailable", detail)
    else:
        response = render(request, "503.html", {"detail": detail}, status=503)
    response["Retry-After"] = "5"
    return response


class DatabaseUnavailableMiddleware:
    """Turns a lost database connection raised by a view into a 503 (the API layer does the same for its views)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            logger.warning("database unavailable during %s %s: %s", request.method, request.path, exception)
            connection.close_if_unusable_or_obsolete()
            return _unavailable(request)
        return None


def error_500(request):
    """The server-error answer: JSON on the API, the static page elsewhere (it renders without the database)."""
    if is_api(request):
        return api_error(500, "error", _("A server error occurred; it was logged."))
    return render(request, "500.html", status=500)


def error_404(request, exception=None):
    """A missing page: JSON under /api/ (an unknown route or an id of the wrong form), the portal's page elsewhere."""
    if is_api(request):
        return api_error(404, "not_found", _("Not found."))
    return page_not_found(request, exception or Http404())


class KnownMethodsMiddleware:
    """Answers 405 to a method the portal never serves (TRACE echoes requests back: never the home page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in KNOWN_METHODS:
            return self.get_response(request)
        if is_api(request):
            detail = _('Method "%(method)s" not allowed.') % {"method": request.method[:20]}
            response = api_error(405, "method_not_allowed", detail)
        else:
            response = HttpResponseNotAllowed(KNOWN_METHODS)
        response["Allow"] = ", ".join(KNOWN_METHODS)
        return response


class ClientErrorsWithoutTraceback(logging.Filter):
    """Django logs a refused request (403, 400) with the exception's traceback; a refusal is not a fault, so its
    line stays one line. Server errors keep their traceback."""

    def filter(self, record):
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True


class PortalNotFoundMiddleware:
    """With DEBUG on (`make run`), a missing page shows the portal's own 404 page, as production does.

    Django's technical 404 page lists the URL patterns, but it is not what a person clicking around the demo expects,
    and its inline style breaks the CSP. PORTAL_TECHNICAL_404=1 brings it back for a developer who wants the list.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and not settings.PORTAL_TECHNICAL_404
            and response.status_code == 404
            and b"<code>DEBUG = True</code>" in getattr(response, "content", b"")
        ):
            return error_404(request)
        return response
