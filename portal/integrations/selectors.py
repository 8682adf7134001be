"""Reads of API keys."""

from .models import ApiKey


def api_key_get_valid(*, raw_key: str) -> ApiKey | None:
    """The key that `raw_key` proves, when it is neither revoked, expired, nor of a deactivated partner."""
    prefix, _, _ = raw_key.partition(".")
    # prefix is unique: no ORDER BY needed (the model orders by -created)
    key = ApiKey.objects.select_related("partner").filter(prefix=prefix, revoked=False).order_by().first()
    if key is None or not api_key_valid(key, raw_key=raw_key):
        return None
    return key


def api_key_valid(key: ApiKey, *, raw_key: str) -> bool:
    """`raw_key` proves this key (read now or from the cache), and it is not revoked, expired, nor of a
    deactivated partner."""
    return key.is_valid(raw_key) and not key.revoked and not key.has_expired and key.partner.is_active


def api_key_list(*, partner):
    """A partner's keys, newest first (never the secret: only its prefix)."""
    return ApiKey.objects.filter(partner=partner).select_related("created_by")
