"""Entries in the shared cache that cannot outlive a change: a version token per scope, bumped on invalidation.

Only a cache every web process shares can hold them: the `throttle` alias (Redis when `REDIS_CACHE_URL` is set).
Without one (the embedded default: a dummy cache) every read misses and callers ask the database, as before.

A *scope* is a cache key holding a random token (one per key prefix, one for all hosts, one per address, …). An
entry is stored with the tokens of the scopes it depends on, as they were read *before* the database was; a reader
fetches entries and the current tokens in one `MGET` (`TokenRead`) and ignores an entry stored under other tokens.
A change replaces its scope's token (`bump`) now, for callers in this process, and again after the commit, for
the others, which may have read the old row in between. So the very next request after a change, in any process,
reads the database. Used by tenants.hostcache (host → partner) and portal.integrations.keycache (API keys and the
per-address cool-off).
"""

import uuid
from collections.abc import Iterable, Mapping

from django.core.cache import caches
from django.db import transaction

ALIAS = "throttle"  # the cache every web process shares (Redis), or a dummy that never hits
ENTRY_TIMEOUT = 300  # seconds; a backstop only, the tokens make entries stale at once
NONE = "-"  # the token of a scope that holds none yet (a fresh token is never this)


def shared_cache():
    return caches[ALIAS]


class TokenRead:
    """One `MGET` of entries and of the tokens of their scopes: `entries` maps each entry key to its scopes."""

    def __init__(self, entries: Mapping[str, Iterable[str]]):
        self.scopes = {entry: tuple(scopes) for entry, scopes in entries.items()}
        wanted = {*self.scopes, *(scope for scopes in self.scopes.values() for scope in scopes)}
        self.found = shared_cache().get_many(list(wanted))

    def covers(self, entries: Mapping[str, Iterable[str]]) -> bool:
        """Whether this read fetched these entries under these scopes (and may answer for them)."""
        return all(self.scopes.get(entry) == tuple(scopes) for entry, scopes in entries.items())

    def tokens(self, entry: str) -> tuple[str, ...]:
        """The current tokens of the entry's scopes (as read), the ones to store a fresh value under."""
        return tuple(self.found.get(scope) or NONE for scope in self.scopes[entry])

    def get(self, entry: str):
        """The entry's value if it was stored under the current tokens, else None."""
        stored = self.found.get(entry)
        # Anything else under the key (an entry of an older shape, left by the release before) is a miss.
        if not isinstance(stored, tuple | list) or len(stored) != 2 or not isinstance(stored[0], tuple | list):
            return None
        return stored[1] if tuple(stored[0]) == self.tokens(entry) else None

    def remember(self, entry: str, value, timeout: int = ENTRY_TIMEOUT) -> None:
        """Store a value read from the database under the tokens fetched before that read."""
        shared_cache().set(entry, (self.tokens(entry), value), timeout=timeout)


def _replace(scope: str, stale: tuple[str, ...]) -> None:
    cache = shared_cache()
    cache.set(scope, uuid.uuid4().hex, timeout=None)
    if stale:
        cache.delete_many(list(stale))


def bump(scope: str, *stale: str) -> None:
    """The scope changed: replace its token now and again once committed; `stale` entries are deleted too."""
    _replace(scope, stale)
    transaction.on_commit(lambda: _replace(scope, stale))
