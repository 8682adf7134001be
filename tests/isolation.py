"""Tenant-isolation helper: walks every URL of a partner host so new pages and endpoints are covered automatically.

A route with path parameters needs a sample: add a builder to SAMPLE_KWARGS that creates an object of the
*victim* partner and returns the URL kwargs. The walker then proves that another partner (by session or by
API key) and anonymous visitors get nothing of it.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.integrations.models import WebhookDelivery, WebhookEndpoint
from portal.integrations.services import api_key_create

TENANT_URLCONF = "portal.urls_tenant"

# Routes any visitor may open on a partner host: nothing partner-specific is in them.
OPEN_ROUTES = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "health",
    "api-schema",
    "api-docs",
    "api-redoc",
}


def _victim_delivery(partner):
    endpoint = WebhookEndpoint.objects.create(
        partner=partner, url="https://erp.victim.example/hooks", events=["import.finished"], secret="s" * 64
    )
    return WebhookDelivery.objects.create(endpoint=endpoint, event="import.finished", payload={"data": "victim"})


# url name → builder(victim partner) returning URL kwargs of an object that belongs to the victim.
# Apps add theirs in tests/<app>/samples.py as a dict named SAMPLES (merged below).
SAMPLE_KWARGS: dict[str, Callable] = {
    "v1:api-key-detail": lambda partner: {"prefix": api_key_create(partner=partner, name="victim key")[0].prefix},
    "v1:webhook-detail": lambda partner: {"pk": _victim_delivery(partner).endpoint_id},
    "v1:webhook-delivery-detail": lambda partner: {"pk": _victim_delivery(partner).pk},
    "v1:webhook-delivery-resend": lambda partner: {"pk": _victim_delivery(partner).pk},
    "integrations:api-key-revoke": lambda partner: {
        "prefix": api_key_create(partner=partner, name="victim key")[0].prefix
    },
    "integrations:webhook-toggle": lambda partner: {"pk": _victim_delivery(partner).endpoint_id},
    "integrations:webhook-delete": lambda partner: {"pk": _victim_delivery(partner).endpoint_id},
    "integrations:webhook-delivery-resend": lambda partner: {"pk": _victim_delivery(partner).pk},
}
for _samples in sorted(Path(__file__).parent.glob("*/samples.py")):
    SAMPLE_KWARGS.update(import_module(f"tests.{_samples.parent.name}.samples").SAMPLES)

# Routes that only exist for other hosts' sake and need no membership check: none so far.
DENIED = {301, 302, 401, 403, 404, 405}


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    pattern: URLPattern

    @property
    def needs_kwargs(self) -> bool:
        return bool(self.pattern.pattern.regex.groupindex)


def _walk(patterns, prefix: str = "", namespace: str | None = None) -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner or None)
        elif entry.name:
            yield Route(
                name=":".join(filter(None, [namespace, entry.name])), route=prefix + str(entry.pattern), pattern=entry
            )


def tenant_routes() -> list[Route]:
    """Every named route served on a partner host."""
    return list(_walk(get_resolver(TENANT_URLCONF).url_patterns))


def protected_tenant_routes() -> list[Route]:
    return [route for route in tenant_routes() if route.name.split(":")[-1] not in OPEN_ROUTES]


def path_for(route: Route, victim) -> str:
    """A concrete path of the route that points at the victim partner's data."""
    kwargs = {}
    if route.needs_kwargs:
        builder = SAMPLE_KWARGS.get(route.name)
        assert builder is not None, f"Add a sample for {route.name!r} ({route.route}) to tests/isolation.py"
        kwargs = builder(victim)
    return reverse(route.name, kwargs=kwargs, urlconf=TENANT_URLCONF)


def assert_refused(response, *, secrets: list[str], context: str) -> None:
    """The response refuses (redirect to login, 401, 403, 404, 405) and leaks none of the secrets."""
    assert response.status_code in DENIED, f"{context}: got {response.status_code}"
    body = response.content.decode(errors="replace")
    for secret in secrets:
        assert secret not in body, f"{context}: response contains {secret!r}"
