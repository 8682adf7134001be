"""API of the audit trail: a partner's owners (signed in) read its events; staff on the public host read all."""

from rest_framework import mixins, viewsets
from rest_framework.permissions import BasePermission

from portal.api.permissions import IsAllianceStaff, IsPartnerMember
from tenants.choices import Role

from ..filters import StaffAuditEventFilterSet
from ..models import AuditEvent
from ..selectors import audit_event_list
from .serializers import AuditEventSerializer


class IsOwnerOrStaff(BasePermission):
    """An owner of the host's partner (by session: a key never reads the audit trail), or alliance staff."""

    message = IsPartnerMember.message

    def has_permission(self, request, view):
        return IsPartnerMember().has_permission(request, view) or IsAllianceStaff().has_permission(request, view)


class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Who did what, when (UTC), from where, in which request: newest first."""

    serializer_class = AuditEventSerializer
    permission_classes = [IsOwnerOrStaff]
    minimum_role = Role.OWNER
    ordering_fields = ["at"]
    ordering = ["-at", "-id"]
    queryset = AuditEvent.objects.none()

    # Owners' events are already limited to their partner, so the staff filters only narrow them further.
    filterset_class = StaffAuditEventFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditEvent.objects.none()
        partner = getattr(self.request, "partner", None)
        return audit_event_list(partner=partner, staff=partner is None)
