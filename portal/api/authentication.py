"""API-key authentication: the key's partner becomes the request's tenant, whatever the host."""

from django.db import connection
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed

from portal.integrations.selectors import api_key_get_valid
from portal.integrations.services import api_key_touch

KEYWORD = "Api-Key"


class ApiKeyPrincipal:
    """Stands in for `request.user` when an integrator calls with a key."""

    is_authenticated = True
    is_anonymous = False
    is_staff = False
    is_superuser = False
    is_active = True
    pk = None

    def __init__(self, key):
        self.key = key
        self.partner = key.partner

    def __str__(self) -> str:
        return f"API key {self.key.prefix} of {self.partner}"


def _raw_key(request) -> str | None:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith(f"{KEYWORD} "):
        return header[len(KEYWORD) + 1 :].strip()
    return request.META.get("HTTP_X_API_KEY") or None


class ApiKeyAuthentication(BaseAuthentication):
    """`Authorization: Api-Key <key>` (or `X-Api-Key`)."""

    def authenticate(self, request):
        raw = _raw_key(request)
        if raw is None:
            return None
        key = api_key_get_valid(raw_key=raw)
        if key is None:
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
