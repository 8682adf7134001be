"""Writes of API keys."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.api.scopes import ALL_SCOPES
from portal.audit.choices import AuditAction
from portal.audit.services import audit_record

from .keycache import key_forget, key_refresh
from .models import ApiKey, default_scopes

# Writing last_used_at on every request would turn every read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_key_create(
    *,
    partner,
    name: str,
    created_by=None,
    expiry_date: datetime | None = None,
    scopes: list[str] | None = None,
) -> tuple[ApiKey, str]:
    """Create a key; the secret is returned once and only its hash is stored."""
    granted = sorted(set(scopes)) if scopes is not None else default_scopes()
    unknown = set(granted) - set(ALL_SCOPES)
    if unknown:
        raise ValidationError(_("Unknown scopes: %(scopes)s") % {"scopes": ", ".join(sorted(unknown))})
    key, secret = ApiKey.objects.create_key(
        name=name, partner=partner, created_by=created_by, expiry_date=expiry_date, scopes=granted
    )
    audit_record(
        action=AuditAction.API_KEY_CREATED,
        actor=created_by,
        partner=partner,
        target=key,
        details={"prefix": key.prefix, "name": key.name, "scopes": granted},
    )
    return key, secret


def api_key_revoke(*, key: ApiKey, by=None) -> ApiKey:
    """Revoke a key: it fails on the very next request."""
    ApiKey.objects.filter(pk=key.pk).update(revoked=True)
    key.revoked = True
    key_forget(key.prefix)  # cached lookups of the key are stale from the next request on, in every process
    audit_record(
        action=AuditAction.API_KEY_REVOKED,
        actor=by,
        partner=key.partner,
        target=key,
        details={"prefix": key.prefix, "name": key.name},
    )
    return key


def api_key_touch(*, key: ApiKey) -> None:
    """Record that the key was just used."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now
        key_refresh(key)
