"""Health and the error pages."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .errors import api_error, is_api
from .health import health_report
from .roles import RoleRequired


@login_not_required
@never_cache
def health(request):
    """JSON health report; 503 when a required part is down."""
    report = health_report(include_worker=request.GET.get("worker", "1") != "0")
    return JsonResponse(report, status=200 if report["ok"] else 503)


def error_403(request, exception=None):
    if is_api(request):
        return api_error(403, "permission_denied", _("You do not have permission to perform this action."))
    required_role = exception.minimum.label if isinstance(exception, RoleRequired) else None
    return render(request, "403.html", {"required_role": required_role}, status=403)
