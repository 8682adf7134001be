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
prefix is unique over all partners, and the key's secret is verified against its hash on every call. The token
mechanism is tenants.cachetokens, shared with the host cache (tenants.hostcache).
"""

import re

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from tenants import cachetokens
from tenants.models import Partner
from tenants.signals import partner_deactivated, partner_reactivated

from .models import ApiKey

ALIAS = cachetokens.ALIAS  # the cache every web process shares (Redis), or a dummy that never hits
PREFIX = re.compile(r"^[A-Za-z0-9]{1,16}$")
ALL_TOKEN = "apikey:token:*all*"  # the scope of every key: any partner changed


def _entry_key(prefix: str) -> str:
    return f"apikey:entry:{prefix}"


def _token_key(prefix: str) -> str:
    return f"apikey:token:{prefix}"


def _clean_key(ip: str) -> str:
    return f"apikey:cooloff:allowed:{ip}"


def _failure_key(ip: str) -> str:
    return f"apikey:cooloff:token:{ip}"


def _valid_prefix(prefix: str | None) -> str | None:
    return prefix if PREFIX.match(prefix or "") else None


def entries(prefix: str | None, ip: str) -> dict[str, tuple[str, ...]]:
    """The entries a call reads, each with its scopes: the address's cool-off answer and, for a well-formed
    prefix, the key (its own scope and the one of every key)."""
    found = {_clean_key(ip): (_failure_key(ip),)}
    if prefix := _valid_prefix(prefix):
        found[_entry_key(prefix)] = (_token_key(prefix), ALL_TOKEN)
    return found


class Lookup:
    """What one `MGET` found for a call: the cached key (or None), whether the address may call, and the tokens
    to store fresh answers under. `read`: the request's read of the host (tenants.hostcache), used when it
    fetched these very entries, so the call costs no round trip of its own."""

    def __init__(self, prefix: str, ip: str, read: cachetokens.TokenRead | None = None):
        self.prefix = _valid_prefix(prefix)
        self.ip = ip
        wanted = entries(self.prefix, ip)
        self.read = read if read is not None and read.covers(wanted) else cachetokens.TokenRead(wanted)
        self.allowed = self.read.get(_clean_key(ip)) is True
        self.key = self.read.get(_entry_key(self.prefix)) if self.prefix else None

    def remember_allowed(self) -> None:
        """The address may call (the database said so): until its next failure, do not ask again."""
        self.read.remember(_clean_key(self.ip), True)

    def remember_key(self, key: ApiKey) -> None:
        """Store the key read from the database under the tokens fetched before that read."""
        if self.prefix and key.prefix == self.prefix:
            self.read.remember(_entry_key(self.prefix), key)


def key_refresh(key: ApiKey) -> None:
    """The key's own row changed in a way that cannot affect who may call (last use): refresh a current entry."""
    entry = _entry_key(key.prefix)
    read = cachetokens.TokenRead({entry: (_token_key(key.prefix), ALL_TOKEN)})
    if read.get(entry) is not None:
        read.remember(entry, key)


def key_forget(prefix: str) -> None:
    """A key was revoked, changed or deleted: its cached entry is stale from the next request on."""
    cachetokens.bump(_token_key(prefix), _entry_key(prefix))


def keys_forget_all() -> None:
    """A partner changed (deactivated, reactivated, edited): no cached key is trusted any more."""
    cachetokens.bump(ALL_TOKEN)


def failure_recorded(ip: str) -> None:
    """An invalid key came from this address: its cool-off must be checked in the database again."""
    cachetokens.bump(_failure_key(ip), _clean_key(ip))


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
