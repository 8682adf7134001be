"""The audit trail pages: owners see their partner's events on its host; staff see every event on the public host."""

from django.contrib.admin.views.decorators import staff_member_required
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal.core.lists import filtered, filtered_page
from portal.core.roles import role_required
from portal.core.spreadsheets import csv_lines
from tenants.choices import Role

from .filters import AuditEventFilterSet, StaffAuditEventFilterSet
from .selectors import audit_event_list, audit_export_rows

EXPORT_LIMIT = 100_000


def _events(request, *, staff: bool):
    """The FilterSet class and the events this visitor may see: every partner's for staff, else the partner's."""
    if staff:
        return StaffAuditEventFilterSet, audit_event_list(staff=True)
    return AuditEventFilterSet, audit_event_list(partner=request.tenant)


def _page(request, *, staff: bool):
    listing = filtered_page(request, *_events(request, staff=staff))
    return render(
        request,
        "audit/event_list.html",
        {
            "filterset": listing.filterset,
            "page": listing.page,
            "query": listing.query_string,
            "staff_view": staff,
        },
    )


def _export(request, *, staff: bool):
    queryset = filtered(request, *_events(request, staff=staff)).queryset
    header = [
        _("When (UTC)"),
        _("Action"),
        _("Who"),
        _("Partner"),
        _("Object type"),
        _("Object id"),
        _("Object"),
        _("Address"),
        _("Request id"),
        _("Method"),
        _("Path"),
        _("Details"),
    ]
    rows = audit_export_rows(queryset=queryset[:EXPORT_LIMIT], staff=staff)
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.now():%Y-%m-%d}.csv"'
    return response


@require_GET
@role_required(Role.OWNER)
def audit_list(request):
    """The partner's audit trail (owners)."""
    return _page(request, staff=False)


@require_GET
@role_required(Role.OWNER)
def audit_export(request):
    """The partner's filtered audit trail as CSV (owners)."""
    return _export(request, staff=False)


@require_GET
@staff_member_required
def staff_audit_list(request):
    """Every partner's audit trail (staff)."""
    return _page(request, staff=True)


@require_GET
@staff_member_required
def staff_audit_export(request):
    """Every partner's filtered audit trail as CSV (staff)."""
    return _export(request, staff=True)
