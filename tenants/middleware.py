"""Host → partner resolution, and the membership check that guards every partner page."""

import contextvars
from dataclasses import dataclass

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware

from .cachetokens import TokenRead
from .hostcache import HostLookup, request_entries
from .selectors import membership_get

# Pages a visitor must reach before (or instead of) being a member: signing out and choosing a language.
OPEN_URL_NAMES = {"logout", "set_language"}


@dataclass
class _HostRead:
    """The request's other cached entries (hostcache.request_entries), and the read that fetched them."""

    entries: dict
    read: TokenRead | None = None


_host_read = contextvars.ContextVar("tenants_host_read", default=None)


class PartnerTenantMiddleware(TenantMainMiddleware):
    """Resolves the partner from the host; a deactivated partner's subdomain is shut."""

    def get_tenant(self, domain_model, hostname):
        # One cache round trip instead of `SET search_path` and a query, when a shared cache is configured; the
        # same `MGET` reads the request's other entries (an API call's key), kept as `request.cache_read`.
        pending = _host_read.get()
        lookup = HostLookup(hostname, extra=pending.entries if pending else None)
        if pending is not None:
            pending.read = lookup.read
        if lookup.tenant is not None:
            return lookup.tenant
        tenant = super().get_tenant(domain_model, hostname)
        lookup.remember(tenant)
        return tenant

    def process_request(self, request):
        pending = _HostRead(request_entries(request))
        reset = _host_read.set(pending)
        try:
            response = super().process_request(request)
        finally:
            _host_read.reset(reset)
        request.cache_read = pending.read
        if response is not None:
            return response
        tenant = request.tenant
        if not tenant.is_public and not tenant.is_active:
            connection.set_schema_to_public()
            return render(request, "tenants/partner_closed.html", {"closed_partner": tenant}, status=404)
        return None


class MembershipRequiredMiddleware:
    """On a partner host, every page needs a signed-in member of that partner (API views check keys themselves)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        tenant = getattr(request, "tenant", None)
        if tenant is None or tenant.is_public:
            return None
        if getattr(view_func, "cls", None) is not None and hasattr(view_func.cls, "permission_classes"):
            return None  # Django REST framework view: authenticated and authorised by the API layer.
        if not getattr(view_func, "login_required", True):  # marked with @login_not_required
            return None
        if request.resolver_match and request.resolver_match.url_name in OPEN_URL_NAMES:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        request.membership = membership_get(user=request.user, partner=tenant)
        if request.membership is None:
            raise PermissionDenied("You are not a member of this partner.")
        return None
