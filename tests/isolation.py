"""The tenant-isolation matrix: every URL pattern and every API operation, as every kind of caller.

Routes come from the URL resolver (partner and public hosts) and API operations from the OpenAPI schema served
at /api/schema/, so a new page or endpoint is covered the day it is added. A route with path parameters needs a
sample: a builder in SAMPLES (tests/<app>/samples.py) that creates an object of the *victim* partner and
returns the URL kwargs. Every caller then gets the victim's ids.

Secrets are planted in both partners' data (PLANTS in tests/<app>/samples.py, plus every text value found in a
partner's own schema) and the matrix fails when a response carries a secret of a partner its caller does not
belong to, when an intruder is not refused, when a refused request changed a row, or on any server error.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django_tenants.utils import schema_context

from portal.audit.choices import AuditAction
from portal.audit.services import audit_record
from portal.integrations.models import WebhookDelivery, WebhookEndpoint
from portal.integrations.services import api_key_create

TENANT_URLCONF = "portal.urls_tenant"
PUBLIC_URLCONF = "portal.urls_public"

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
    "two-factor-verify",
    "handoff",  # the target host's end of a workspace hand-off: the signed token is the credential
    "join",  # accepting a team invitation: the signed link is the credential
}
# Public-host routes any visitor may open (the rest of the public host is for staff, or answers per caller).
# A battery's passport page is public by law (its public attributes only: tests/batteries/test_passport_access.py).
PUBLIC_OPEN_ROUTES = OPEN_ROUTES | {"home", "password_change", "password_change_done", "two-factor", "passport"}
DENIED = {301, 302, 401, 403, 404, 405}
# A foreign id may also be refused for a malformed body before the lookup: nothing is learnt or changed.
DENIED_FOR_FOREIGN_IDS = DENIED | {400}
METHODS = ["get", "post", "put", "patch", "delete"]
PAGE_METHODS = ["get", "post", "delete"]
# Tables a refused request may still write: counters and records about the attempt itself.
BOOKKEEPING_TABLES = {
    "integrations_ratewindow",
    "integrations_apikey",  # last_used_at of the key that was refused elsewhere
    "integrations_idempotencyrecord",
    "audit_auditevent",
    "axes_accessattempt",
    "axes_accessattemptexpiration",
    "axes_accessfailurelog",
    "axes_accesslog",
    "django_session",
}
SECRET_MIN_LENGTH = 10


def _victim_delivery(partner):
    endpoint = WebhookEndpoint.objects.create(
        partner=partner, url="https://erp.victim.example/hooks", events=["import.finished"], secret="s" * 64
    )
    return WebhookDelivery.objects.create(endpoint=endpoint, event="import.finished", payload={"data": "victim"})


def _plant_integrations(partner) -> list[str]:
    slug = partner.schema_name
    key, _raw = api_key_create(partner=partner, name=f"SECRET-{slug}-key-name")
    endpoint = WebhookEndpoint.objects.create(
        partner=partner, url=f"https://secret-{slug}-hooks.example/in", events=["import.finished"], secret="x" * 64
    )
    WebhookDelivery.objects.create(endpoint=endpoint, event="import.finished", payload={"data": f"SECRET-{slug}-hook"})
    audit_record(action=AuditAction.LOGIN, partner=partner, details={"note": f"SECRET-{slug}-audit"})
    return [key.name, endpoint.url, f"SECRET-{slug}-hook", f"SECRET-{slug}-audit"]


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
    "v1:audit-event-detail": lambda partner: {
        "pk": audit_record(action=AuditAction.LOGIN, partner=partner, details={"note": "victim"}).pk
    },
}
# planter(partner) → strings only that partner's members (and staff) may ever see.
PLANTS: list[Callable] = [_plant_integrations]
# Routes whose objects the whole alliance shares by design (the market, the product catalogue): for these
# methods another partner's member is served, not refused.
SHARED: dict[str, set[str]] = {}
for _samples in sorted(Path(__file__).parent.glob("*/samples.py")):
    _module = import_module(f"tests.{_samples.parent.name}.samples")
    SAMPLE_KWARGS.update(_module.SAMPLES)
    PLANTS.extend(getattr(_module, "PLANTS", []))
    SHARED.update(getattr(_module, "SHARED", {}))


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    pattern: URLPattern

    @property
    def needs_kwargs(self) -> bool:
        return bool(self.pattern.pattern.regex.groupindex)

    @property
    def short_name(self) -> str:
        return self.name.split(":")[-1]

    @property
    def is_api(self) -> bool:
        return self.name.startswith("v1:")

    @property
    def is_admin(self) -> bool:
        return self.name.startswith("admin:")


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


def public_routes() -> list[Route]:
    """Every named route served on the public host (the admin included)."""
    return list(_walk(get_resolver(PUBLIC_URLCONF).url_patterns))


def protected_tenant_routes() -> list[Route]:
    return [route for route in tenant_routes() if route.short_name not in OPEN_ROUTES]


def path_for(route: Route, victim, *, urlconf: str = TENANT_URLCONF, cache: dict | None = None) -> str:
    """A concrete path of the route that points at the victim partner's data (samples built once per cache)."""
    kwargs = {}
    if route.needs_kwargs:
        if cache is not None and route.name in cache:
            kwargs = cache[route.name]
        else:
            builder = SAMPLE_KWARGS.get(route.name) or _admin_sample(route)
            assert builder is not None, f"Add a sample for {route.name!r} ({route.route}) to tests/<app>/samples.py"
            kwargs = builder(victim)
            if cache is not None:
                cache[route.name] = kwargs
    return reverse(route.name, kwargs=kwargs, urlconf=urlconf)


def _admin_sample(route: Route) -> Callable | None:
    """Admin routes: an app label, or the first row of the model the route edits (public schema)."""
    if not route.is_admin:
        return None
    names = set(route.pattern.pattern.regex.groupindex)
    if names == {"app_label"}:
        return lambda partner: {"app_label": "tenants"}
    if names == {"content_type_id", "object_id"}:
        return lambda partner: {
            "content_type_id": ContentType.objects.get_for_model(partner).pk,
            "object_id": partner.pk,
        }
    if route.name == "admin:auth_user_password_change":  # Django's UserAdmin names it after auth.User
        return lambda partner: {"id": str(_first_pk(get_user_model()))}
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if route.name.startswith(prefix) and len(names) == 1:
            (name,) = names
            return lambda partner, model=model, name=name: {name: str(_first_pk(model))}
    return None


def _first_pk(model):
    return model.objects.order_by("pk").values_list("pk", flat=True).first() or 1


def assert_refused(response, *, secrets: list[str], context: str) -> None:
    """The response refuses (redirect to login, 401, 403, 404, 405) and leaks none of the secrets."""
    assert response.status_code in DENIED, f"{context}: got {response.status_code}"
    body = response.content.decode(errors="replace")
    for secret in secrets:
        assert secret not in body, f"{context}: response contains {secret!r}"


# Secrets ---------------------------------------------------------------------------------------------------------


def harvest_schema_strings(schema_name: str) -> set[str]:
    """Every distinctive text value stored in a partner's own schema (its private data, whatever the app)."""
    found: set[str] = set()
    tenant_labels = {app.split(".")[-1] for app in settings.TENANT_APPS} - {"contenttypes"}
    with schema_context(schema_name):
        for model in apps.get_models():
            if model._meta.app_label not in tenant_labels:
                continue
            text_fields = [
                f.name
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField)
                and not f.choices
                and not isinstance(f, models.FileField)
            ]
            if not text_fields:
                continue
            for row in model.objects.values_list(*text_fields)[:500]:
                found.update(value for value in row if isinstance(value, str) and len(value) >= SECRET_MIN_LENGTH)
    return found


@dataclass
class Secrets:
    """What each partner's members alone may see; `of(caller)` is everything the caller must never get."""

    by_partner: dict[str, set[str]] = field(default_factory=dict)

    def foreign_to(self, entitled: set[str]) -> list[str]:
        return sorted(
            {secret for schema, secrets in self.by_partner.items() if schema not in entitled for secret in secrets}
        )


def plant_secrets(partners) -> Secrets:
    """Plant secrets in each partner's data, then harvest its schema; strings two partners share are no secrets."""
    planted = {partner.schema_name: set() for partner in partners}
    for partner in partners:
        for plant in PLANTS:
            planted[partner.schema_name].update(plant(partner))
        planted[partner.schema_name].update(partner.memberships.values_list("user__email", flat=True))
        planted[partner.schema_name].update(harvest_schema_strings(partner.schema_name))
    shared = set.intersection(*planted.values()) if len(planted) > 1 else set()
    return Secrets({schema: values - shared for schema, values in planted.items()})


# Callers ---------------------------------------------------------------------------------------------------------


@dataclass
class Caller:
    """Someone calling one host: a session (or none) and optional headers; `entitled` = partners it belongs to."""

    name: str
    host: str
    host_partner: object | None  # the partner served by `host`; None for the public host
    entitled: set[str]
    client: Client
    headers: dict = field(default_factory=dict)
    staff: bool = False
    plan: str = "all"  # which methods it sends: see tests/test_isolation.py

    @property
    def is_member_here(self) -> bool:
        return self.host_partner is not None and self.host_partner.schema_name in self.entitled

    def call(self, method: str, path: str, *, api: bool):
        extra = {"content_type": "application/json", "data": "{}"} if api and method != "get" else {}
        return getattr(self.client, method)(path, HTTP_HOST=self.host, **self.headers, **extra)


def writes_so_far() -> dict[str, int]:
    """Rows inserted, updated or deleted by this transaction so far, per table (pg_stat_xact_*)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname || '.' || relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_all_tables "
            "WHERE n_tup_ins + n_tup_upd + n_tup_del > 0"
        )
        return dict(cursor.fetchall())


def changed_tables(before: dict[str, int], after: dict[str, int]) -> list[str]:
    return sorted(
        table
        for table, count in after.items()
        if count != before.get(table, 0) and table.split(".")[-1] not in BOOKKEEPING_TABLES
    )


def response_text(response) -> str:
    """The whole body; a streamed one is read now, while the request's schema is still the connection's."""
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return content.decode(errors="replace")


def call_rolled_back(caller: Caller, method: str, path: str, *, api: bool, watch_writes: bool):
    """One request inside a savepoint that is rolled back afterwards (the shared samples stay as they were).

    Returns the response, its body and the tables it changed (when `watch_writes`).
    """
    cookies = caller.client.cookies
    caller.client.cookies = type(cookies)(cookies)  # a sign-out or a new session stays with this request
    with transaction.atomic():
        before = writes_so_far() if watch_writes else {}
        response = caller.call(method, path, api=api)
        body = response_text(response)
        changed = changed_tables(before, writes_so_far()) if watch_writes else []
        transaction.set_rollback(True)
    caller.client.cookies = cookies
    connection.set_schema_to_public()
    return response, body, changed


def api_operations(client: Client) -> dict[str, set[str]]:
    """route name → HTTP methods the OpenAPI schema at /api/schema/ documents for it."""
    schema = client.get("/api/schema/", {"format": "json"}, HTTP_HOST="localhost").json()
    operations: dict[str, set[str]] = {}
    for path, item in schema["paths"].items():
        concrete = _concrete(path)
        if concrete is None:
            continue
        match = resolve(concrete, urlconf=TENANT_URLCONF)
        name = ":".join(filter(None, [match.namespace, match.url_name]))
        operations.setdefault(name, set()).update(
            method for method in item if method in {"get", "post", "put", "patch", "delete"}
        )
    return operations


def _concrete(path: str) -> str | None:
    """An OpenAPI path with its {parameters} filled by the first dummy value the URL resolver accepts."""
    for dummy in ("1", "0" * 32, "x1"):
        candidate = re.sub(r"\{[^}]+\}", dummy, path)
        try:
            resolve(candidate, urlconf=TENANT_URLCONF)
        except Resolver404:
            continue
        return candidate
    return None
