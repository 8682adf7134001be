"""Host → partner, read from the shared cache so a request costs one cache round trip instead of two queries.

django-tenants resolves every request's host with `SET search_path = public` and a query joining the domain and
its partner. With a cache every web process shares (the `throttle` alias: Redis when `REDIS_CACHE_URL` is set) the
partner is kept under its host name; without one (the embedded default: a dummy cache) every get misses and each
request asks the database, as before.

Nothing cached can outlive a change (tenants.cachetokens, as for the API keys of portal.integrations.keycache):
each entry is stored with the token it was read under, one token for every host, replaced when any partner or
domain is saved, deleted, deactivated or reactivated (now, for this process, and again after the commit, for the
others). A reader fetches its entry and the token in one `MGET` before it reads the database; an entry under
another token is ignored. So a partner shut, renamed or given another host is seen as such by the very next
request, in every process.
"""

from collections.abc import Callable, Iterable, Mapping

from . import cachetokens

TOKEN = "tenant-host:token"  # one scope for every host
# Entries a higher layer reads on some requests (an API call's key and cool-off: portal.integrations), fetched in
# the host's `MGET` instead of a round trip of their own: functions of the request that name them with their scopes.
_request_entries: list[Callable] = []


def request_entries_register(entries_of: Callable[..., Mapping[str, Iterable[str]]]) -> None:
    """Read `entries_of(request)`'s entries with every request's host (called from an app's ready())."""
    if entries_of not in _request_entries:
        _request_entries.append(entries_of)


def request_entries(request) -> dict[str, tuple[str, ...]]:
    entries = {}
    for entries_of in _request_entries:
        entries.update(entries_of(request))
    return entries


def _entry_key(hostname: str) -> str:
    return f"tenant-host:entry:{hostname}"


class HostLookup:
    """What one `MGET` found for a host: the cached partner (or None) and the token to store a fresh one under."""

    def __init__(self, hostname: str, extra: Mapping[str, Iterable[str]] | None = None):
        self.entry = _entry_key(hostname)
        self.read = cachetokens.TokenRead({**(extra or {}), self.entry: (TOKEN,)})
        self.tenant = self.read.get(self.entry)

    def remember(self, tenant) -> None:
        """Store the partner read from the database under the token fetched before that read."""
        self.read.remember(self.entry, tenant)


def hosts_forget() -> None:
    """A partner or a domain changed: no cached host is trusted any more (now, and again once committed)."""
    cachetokens.bump(TOKEN)


def signals_connect() -> None:
    """Forget every host when a partner or a domain changes (called once, from the app's ready())."""
    from django.db.models.signals import post_delete, post_save

    from .models import Domain, Partner
    from .signals import partner_deactivated, partner_reactivated

    def changed(sender, **kwargs):
        hosts_forget()

    for model in (Partner, Domain):
        post_save.connect(changed, sender=model, weak=False, dispatch_uid=f"hostcache_{model.__name__}_saved")
        post_delete.connect(changed, sender=model, weak=False, dispatch_uid=f"hostcache_{model.__name__}_deleted")
    partner_deactivated.connect(changed, weak=False, dispatch_uid="hostcache_partner_deactivated")
    partner_reactivated.connect(changed, weak=False, dispatch_uid="hostcache_partner_reactivated")
