"""Session lifetime and scope: idle and absolute time-outs, and a session bound to the host it was opened on.

Cookies are host-only (no SESSION_COOKIE_DOMAIN), so a browser never sends one partner's session to another
partner's host; binding the session to its host also refuses a copied cookie replayed elsewhere. Auth lives in
the public schema, so without the binding one session would be valid on every host its person belongs to.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import JsonResponse
from django.utils.translation import gettext as _

from portal.audit.choices import AuditAction
from portal.audit.services import audit_record

STARTED = "_portal_session_started"
SEEN = "_portal_session_seen"
HOST = "_portal_session_host"
# Writing "last seen" on every request would save the session on every request; once a minute is enough.
SEEN_RESOLUTION_S = 60


def session_stamp(request) -> None:
    """Start the clocks, and bind the session to the host it is opened on (on sign-in)."""
    now = int(time.time())
    request.session[STARTED] = now
    request.session[SEEN] = now
    if request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME"):
        request.session[HOST] = request.get_host().lower()


@receiver(user_logged_in, dispatch_uid="session_stamp_on_login")
def _stamp_on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        session_stamp(request)


def _expired_because(request, now: int) -> str | None:
    session = request.session
    started, seen, host = session.get(STARTED), session.get(SEEN), session.get(HOST)
    if started is None:
        return None  # opened before this middleware: stamped below
    if host is not None and host != request.get_host().lower():
        return "host"
    if now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
        return "absolute"
    if seen is not None and now - seen > settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    return None


class SessionSecurityMiddleware:
    """Signs out a session that was idle too long, is too old, or was opened on another host."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            reason = _expired_because(request, now)
            if reason is not None:
                return self._expire(request, reason)
            if request.session.get(STARTED) is None:
                request.session[STARTED] = request.session[SEEN] = now  # a session from before this middleware
            elif now - request.session.get(SEEN, 0) >= SEEN_RESOLUTION_S:
                request.session[SEEN] = now
        return self.get_response(request)

    def _expire(self, request, reason: str):
        audit_record(action=AuditAction.SESSION_EXPIRED, request=request, details={"reason": reason})
        if reason == "host":
            # A cookie from another host: this host never had a session; treat the caller as anonymous.
            request.session = request.session.__class__()
            request.user = AnonymousUser()
            return self.get_response(request)
        logout(request)
        if request.path.startswith("/api/"):
            body = {
                "type": "client_error",
                "errors": [{"code": "session_expired", "detail": _("Your session has expired."), "attr": None}],
            }
            return JsonResponse(body, status=401)
        messages.info(request, _("Your session has expired. Please sign in again."))
        return redirect_to_login(request.get_full_path())
