"""Who may call the API: members of the host's partner (by session) or holders of its API key."""

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from tenants.choices import Role, role_at_least
from tenants.selectors import membership_get

from .principals import ApiKeyPrincipal
from .scopes import scopes_allow


def partner_context(request):
    """Set and return `request.partner` and `request.role` for this call, or None when it has no partner."""
    if hasattr(request, "partner"):
        return request.partner
    request.partner, request.role = None, None
    user = request.user
    if isinstance(user, ApiKeyPrincipal):
        request.partner, request.role = user.partner, Role.MANAGER
    elif user.is_authenticated:
        tenant = getattr(request._request, "tenant", None)
        if tenant is not None and not tenant.is_public:
            membership = membership_get(user=user, partner=tenant)
            if membership is not None:
                request.partner, request.role = tenant, membership.role
    return request.partner


class IsPartnerMember(BasePermission):
    """A member of the host's partner, or its API key with the right scope; viewers may only read."""

    message = _("You are not a member of this partner, or your role or key scope does not allow this.")

    def has_permission(self, request, view):
        if partner_context(request) is None:
            return False
        write = request.method not in SAFE_METHODS
        if isinstance(request.user, ApiKeyPrincipal):
            # A view without an `api_scope` (API keys, webhooks, the audit trail) is for people only.
            scope = getattr(view, "api_scope", None)
            if scope is None or not scopes_allow(request.user.key.scopes, scope, write=write):
                return False
        minimum = getattr(view, "minimum_role", Role.MEMBER if write else Role.VIEWER)
        return role_at_least(request.role, minimum)


class IsAllianceStaff(BasePermission):
    """Alliance secretariat staff, signed in on the public host."""

    message = _("Only alliance staff may do this.")

    def has_permission(self, request, view):
        tenant = getattr(request._request, "tenant", None)
        return bool(request.user.is_authenticated and request.user.is_staff and tenant is not None and tenant.is_public)


class IsSignedInHere(BasePermission):
    """Anyone signed in on the public host; on a partner host, only its members and keys."""

    message = IsPartnerMember.message

    def has_permission(self, request, view):
        if not request.user.is_authenticated:
            return False
        tenant = getattr(request._request, "tenant", None)
        if tenant is not None and tenant.is_public and not isinstance(request.user, ApiKeyPrincipal):
            return True
        return partner_context(request) is not None


class IsPartnerMemberOrStaffReading(BasePermission):
    """A member of the host's partner (or its key); alliance staff on the public host may read everything."""

    message = IsPartnerMember.message

    def has_permission(self, request, view):
        if IsPartnerMember().has_permission(request, view):
            return True
        return (
            request.method in SAFE_METHODS
            and request.partner is None
            and IsAllianceStaff().has_permission(request, view)
        )
