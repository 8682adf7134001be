"""The one write of the audit trail: `audit_record`, callable from any service, signal, view or task."""

import logging
import re

from django.db import connection, transaction
from django_tenants.utils import get_public_schema_name

from portal.core.requests import current_request, current_request_id
from tenants.models import Membership, Partner

from .models import AuditEvent

logger = logging.getLogger(__name__)

REDACTED = "[redacted]"
# Keys whose values are never stored, whatever they hold.
SECRET_KEY_NAMES = re.compile(
    r"pass(word)?|secret|token|api[_-]?key|^key$|signature|authori[sz]ation|cookie|session|otp|^code$|hash", re.I
)
# Values that look like credentials even under an innocent key: API keys (prefix.secret), bearer tokens, hashes.
SECRET_VALUES = re.compile(
    r"[A-Za-z0-9]{8}\.[A-Za-z0-9]{32}|(?:Api-Key|Bearer|Basic)\s+\S+|pbkdf2_\S+|argon2\S+|md5\$\S+", re.I
)
MAX_TEXT = 500
MAX_ITEMS = 50


def scrub(value, *, depth: int = 0):
    """`value` with every secret-looking key or value replaced by "[redacted]" and sizes capped."""
    if depth > 4:
        return REDACTED
    if isinstance(value, dict):
        return {
            str(key)[:80]: REDACTED if SECRET_KEY_NAMES.search(str(key)) else scrub(item, depth=depth + 1)
            for key, item in list(value.items())[:MAX_ITEMS]
        }
    if isinstance(value, list | tuple | set):
        return [scrub(item, depth=depth + 1) for item in list(value)[:MAX_ITEMS]]
    if value is None or isinstance(value, bool | int | float):
        return value
    return SECRET_VALUES.sub(REDACTED, str(value))[:MAX_TEXT]


def _actor(actor, request):
    """(person or None, label, key's partner id or None) of a person, an API key principal or the caller."""
    if actor is None and request is not None:
        actor = getattr(request, "user", None)
    key = getattr(actor, "key", None)
    if key is not None and hasattr(key, "prefix"):  # portal.api.principals.ApiKeyPrincipal
        return None, f"API key {key.prefix}", key.partner_id
    if actor is not None and getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None):
        return actor, actor.email, None
    if isinstance(actor, str):
        return None, actor[:254], None
    return None, "", None


def _partner(partner, request):
    """The partner given, else the request's host partner, else the partner whose schema is in use (tasks)."""
    if partner is not None:
        return partner
    tenant = getattr(request, "tenant", None) if request is not None else getattr(connection, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return None
    if isinstance(tenant, Partner) and tenant.pk:
        return tenant
    return Partner.objects.filter(schema_name=tenant.schema_name).first()  # schema_context's stand-in tenant


def _outsider(person, label: str, key_partner_id, partner) -> bool:
    """True when whoever acts is not one of the partner's people (or keys)."""
    if partner is None or not label:
        return False
    if person is not None:
        return not Membership.objects.filter(user=person, partner=partner).exists()
    if key_partner_id is not None:
        return key_partner_id != partner.pk
    return not Membership.objects.filter(user__email__iexact=label, partner=partner).exists()


def _client_ip(request) -> str | None:
    # REMOTE_ADDR only: X-Forwarded-For is set by the caller unless a trusted proxy rewrites it.
    address = request.META.get("REMOTE_ADDR") if request is not None else None
    return address or None


def audit_record(*, action: str, actor=None, partner=None, target=None, details: dict | None = None, request=None):
    """Record one event. Defaults come from the current request (caller, host partner, id, address, path).

    `actor` is a person, an API key principal or a label; `target` any model instance. `details` is scrubbed of
    secrets. A failure to write is logged and never breaks the caller's own work.
    """
    request = request if request is not None else current_request.get()
    person, label, key_partner_id = _actor(actor, request)
    partner = _partner(partner, request)
    event = AuditEvent(
        action=action,
        actor=person,
        actor_label=label,
        outsider=_outsider(person, label, key_partner_id, partner),
        partner=partner,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk)[:64] if target is not None and target.pk is not None else "",
        target_label=scrub(str(target))[:200] if target is not None else "",
        details=scrub(details or {}),
        request_id=(getattr(request, "request_id", "") if request is not None else "") or current_request_id.get(),
        ip_address=_client_ip(request),
        method=(request.method or "")[:10] if request is not None else "",
        path=scrub(request.path)[:300] if request is not None else "",
    )
    try:
        with transaction.atomic():  # a savepoint: a failed insert never poisons the caller's transaction
            event.save()
    except Exception:
        logger.exception("could not record audit event %s", action)
        return None
    return event
