"""Records every refused request (403 from a page, the membership check or the API) in the audit trail."""

from .choices import AuditAction
from .services import audit_record


class AuditDeniedMiddleware:
    """After the response is made: a 403 becomes an `access.denied` event (who, where, which method)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            audit_record(action=AuditAction.PERMISSION_DENIED, request=request, details={"status": 403})
        return response
