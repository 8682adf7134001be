"""API keys and the per-address cool-off, read from the shared cache so a call costs one cache round trip.

Only a cache every web process shares can hold them: the `throttle` alias (Redis when `REDIS_CACHE_URL` is set).
Without one (the embedded default: a dummy cache) every get misses and every call asks the database, as before.

Nothing cached can outlive a change. Each entry is stored with the *tokens* it was read under: one per key prefix
(replaced when the key is saved, revoked or deleted), one for all keys (replaced when any partner is saved,
deactivated or reactivated) and, for the cool-off, one per address (replaced on each failed call). A reader fetches
the entry and the current tokens in one `MGET`; an entry whose tokens differ is ignored. Tokens are fetched before
the database is read and replaced after the change is committed, so a reader racing a revocation stores an entry
under the old token, which the next request ignores: a revoked key fails on the very next request, in every
process. Expiry is checked on every call against the cached expiry date. Keys are not tenant-prefixed: the
prefix is unique over all partners, and the key's secret is verified against its hash on every call.
"""

import re
import uuid

from django.core.cache import caches
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tenants.models import Partner
from tenants.signals import partner_deactivated, partner_reactivated

from .models import ApiKey

ALIAS = "throttle"  # the cache every web process shares (Redis), or a dummy that never hits
ENTRY_TIMEOUT = 300  # seconds; a backstop only, tokens make entries stale at once
PREFIX = re.compile(r"^[A-Za-z0-9]{1,16}$")
NONE = "-"  # the token of a cache holding no token yet (a fresh token is never this)


def _cache():
    return caches[ALIAS]


def _entry_key(prefix: str) -> str:
    return f"apikey:entry:{prefix}"


def _token_key(prefix: str) -> str:
    return f"apikey:token:{prefix}"


ALL_TOKEN = "apikey:token:*all*"


def _clean_key(ip: str) -> str:
    return f"apikey:cooloff:allowed:{ip}"


def _failure_key(ip: str) -> str:
    return f"apikey:cooloff:token:{ip}"


class Lookup:
    """What one `MGET` found for a call: the cached key (or None) and the tokens to store a fresh one under."""

    def __init__(self, prefix: str, ip: str):
        self.prefix = prefix if PREFIX.match(prefix or "") else None
        self.ip = ip
        keys = [_clean_key(ip), _failure_key(ip)]
        if self.prefix:
            keys += [_entry_key(self.prefix), _token_key(self.prefix), ALL_TOKEN]
        found = _cache().get_many(keys)
        self.failure_token = found.get(_failure_key(ip)) or NONE
        self.allowed = found.get(_clean_key(ip)) == self.failure_token
        self.key_tokens = (found.get(_token_key(self.prefix)) or NONE, found.get(ALL_TOKEN) or NONE)
        entry = found.get(_entry_key(self.prefix)) if self.prefix else None
        self.key = entry[1] if entry and tuple(entry[0]) == self.key_tokens else None

    def remember_allowed(self) -> None:
        """The address may call (the database said so): until its next failure, do not ask again."""
        _cache().set(_clean_key(self.ip), self.failure_token, timeout=ENTRY_TIMEOUT)

    def remember_key(self, key: ApiKey) -> None:
        """Store the key read from the database under the tokens fetched before that read."""
        if self.prefix and key.prefix == self.prefix:
            _cache().set(_entry_key(self.prefix), (self.key_tokens, key), timeout=ENTRY_TIMEOUT)


def key_refresh(key: ApiKey) -> None:
    """The key's own row changed in a way that cannot affect who may call (last use): refresh the entry."""
    cache = _cache()
    tokens = (cache.get(_token_key(key.prefix)) or NONE, cache.get(ALL_TOKEN) or NONE)
    entry = cache.get(_entry_key(key.prefix))
    if entry and tuple(entry[0]) == tokens:
        cache.set(_entry_key(key.prefix), (tokens, key), timeout=ENTRY_TIMEOUT)


def _replace(token_key: str, *stale: str) -> None:
    cache = _cache()
    cache.set(token_key, uuid.uuid4().hex, timeout=None)
    if stale:
        cache.delete_many(list(stale))


def _after_commit(token_key: str, *stale: str) -> None:
    """Replace the token now (callers in the same process) and again once the change is committed (others)."""
    _replace(token_key, *stale)
    transaction.on_commit(lambda: _replace(token_key, *stale))


def key_forget(prefix: str) -> None:
    """A key was revoked, changed or deleted: its cached entry is stale from the next request on."""
    _after_commit(_token_key(prefix), _entry_key(prefix))


def keys_forget_all() -> None:
    """A partner changed (deactivated, reactivated, edited): no cached key is trusted any more."""
    _after_commit(ALL_TOKEN)


def failure_recorded(ip: str) -> None:
    """An invalid key came from this address: its cool-off must be checked in the database again."""
    _after_commit(_failure_key(ip), _clean_key(ip))


@receiver(post_save, sender=ApiKey, dispatch_uid="keycache_key_saved")
@receiver(post_delete, sender=ApiKey, dispatch_uid="keycache_key_deleted")
def _key_changed(sender, instance, **kwargs):
    if kwargs.get("update_fields") == frozenset({"last_used_at"}):
        return
    key_forget(instance.prefix)


@receiver(post_save, sender=Partner, dispatch_uid="keycache_partner_saved")
@receiver(post_delete, sender=Partner, dispatch_uid="keycache_partner_deleted")
@receiver(partner_deactivated, dispatch_uid="keycache_partner_deactivated")
@receiver(partner_reactivated, dispatch_uid="keycache_partner_reactivated")
def _partner_changed(sender, **kwargs):
    keys_forget_all()
