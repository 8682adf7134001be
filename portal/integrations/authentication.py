"""API-key authentication: the key's partner becomes the request's tenant, whatever the host."""

import math

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django.db import connection
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed, Throttled

from portal.api.principals import ApiKeyPrincipal
from portal.audit.choices import AuditAction
from portal.audit.services import audit_record
from tenants.axes import API_KEY_CREDENTIAL

from .keycache import Lookup, entries, failure_recorded
from .selectors import api_key_get_valid, api_key_valid
from .services import api_key_touch

KEYWORD = "Api-Key"


def _raw_key(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith(f"{KEYWORD} "):
        return header[len(KEYWORD) + 1 :].strip()
    return request.META.get("HTTP_X_API_KEY") or None


def cache_entries(request) -> dict:
    """An API call's cached key and cool-off entries, read in the same `MGET` as its host (tenants.hostcache)."""
    raw = _raw_key(request)
    if raw is None:
        return {}
    AxesProxyHandler.update_request(request)
    return entries(raw.partition(".")[0], request.axes_ip_address)


class KeysCoolingOff(Throttled):
    default_detail = _("Too many calls with invalid API keys from your address; try again later.")
    default_code = "api_key_cool_off"


def _refuse_when_cooling_off(django_request, lookup: Lookup) -> None:
    """An address that sent too many invalid keys is refused for the cool-off (axes), even with a valid key.

    An address the database allowed is not asked about again until its next failed call (portal.integrations.
    keycache; only with a shared cache)."""
    if lookup.allowed:
        return
    if not AxesProxyHandler.is_allowed(django_request, {"username": API_KEY_CREDENTIAL}):
        cool_off = get_cool_off(django_request)
        raise KeysCoolingOff(wait=math.ceil(cool_off.total_seconds()) if cool_off else None)
    lookup.remember_allowed()


def _count_failure(django_request, raw: str) -> None:
    AxesProxyHandler.user_login_failed(
        sender=ApiKeyAuthentication, credentials={"username": API_KEY_CREDENTIAL}, request=django_request
    )
    django_request.axes_locked_out = False  # the API answers 429 itself, as JSON, from the next call on
    failure_recorded(django_request.axes_ip_address)
    audit_record(
        action=AuditAction.API_KEY_REFUSED,
        actor=API_KEY_CREDENTIAL,
        details={"prefix": raw.partition(".")[0][:8] if "." in raw else ""},
        request=django_request,
    )


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <key>` (or `X-Api-Key`); invalid keys count towards a per-address cool-off."""

    def authenticate(self, request):
        raw = _raw_key(request)
        if raw is None:
            return None
        django_request = request._request
        AxesProxyHandler.update_request(django_request)
        lookup = Lookup(
            raw.partition(".")[0], django_request.axes_ip_address, getattr(django_request, "cache_read", None)
        )
        _refuse_when_cooling_off(django_request, lookup)
        if lookup.key is not None:
            key = lookup.key if api_key_valid(lookup.key, raw_key=raw) else None
        else:
            key = api_key_get_valid(raw_key=raw)
            if key is not None:
                lookup.remember_key(key)
        if key is None:
            _count_failure(request._request, raw)
            raise AuthenticationFailed(_("The API key is invalid, expired or revoked."))
        host_tenant = getattr(request._request, "tenant", None)
        if host_tenant is not None and not host_tenant.is_public and host_tenant.pk != key.partner_id:
            raise AuthenticationFailed(_("This API key belongs to another partner."))
        # Serve the key's own partner, even when the key is sent to the public API host.
        connection.set_tenant(key.partner)
        request._request.tenant = key.partner
        api_key_touch(key=key)
        return ApiKeyPrincipal(key), key

    def authenticate_header(self, request):
        return KEYWORD


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Documents the API-key scheme in the OpenAPI schema."""

    target_class = ApiKeyAuthentication
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`; keys are created by partner owners and managers.",
        }
