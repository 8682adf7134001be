"""Clean answers when the database goes away mid-request: 503 with a retry hint, a page or JSON, never a trace.

The connection is closed at the end of such a request (Django closes unusable connections when the request
finishes) and the next request opens a new one (CONN_HEALTH_CHECKS), so the site recovers by itself.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found

logger = logging.getLogger(__name__)


def _unavailable(request):
    detail = _("The database is briefly unavailable; nothing was saved. Please retry in a moment.")
    if request.path.startswith("/api/"):
        error = {"code": "database_unavailable", "detail": detail, "attr": None}
        response = JsonResponse({"type": "server_error", "errors": [error]}, status=503)
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
    if request.path.startswith("/api/"):
        error = {"code": "error", "detail": _("A server error occurred; it was logged."), "attr": None}
        return JsonResponse({"type": "server_error", "errors": [error]}, status=500)
    return render(request, "500.html", status=500)


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
            return page_not_found(request, Http404())
        return response
