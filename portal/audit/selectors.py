"""Reads of the audit trail: a partner's events (owners), or everything (staff)."""

from django.db.models import QuerySet

from .models import AuditEvent


def audit_event_list(*, partner=None, staff: bool = False) -> QuerySet[AuditEvent]:
    """Newest first: one partner's events, or (staff only) every event; nothing when neither is given."""
    events = AuditEvent.objects.select_related("actor", "partner").order_by("-at", "-id")
    if staff and partner is None:
        return events
    if partner is None:
        return events.none()
    return events.filter(partner=partner)


def audit_export_rows(*, queryset, staff: bool):
    """Rows of the CSV export (outsiders are named for staff only)."""
    for event in queryset.iterator(chunk_size=2000):
        yield [
            event.at,
            event.action,
            event.actor_label if staff else event.label_for_owners,
            event.partner.name if event.partner_id else "",
            event.target_type,
            event.target_id,
            event.target_label,
            event.ip_address or "",
            event.request_id,
            event.method,
            event.path,
            event.details,
        ]
