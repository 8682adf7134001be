"""Tenant isolation, as one matrix: every route and API operation × every kind of caller × every method.

Callers: anonymous visitors, the victim partner's own people in every role, its own API key, another partner's
people and API key (on the victim's host, on their own host and on the public host, always with the victim's
object ids), and alliance staff. See tests/isolation.py for the rules and how new routes are covered.
"""

from dataclasses import dataclass

from django.test import Client

from portal.api.scopes import ALL_SCOPES
from portal.integrations.services import api_key_create
from tenants.choices import Role
from tenants.services import membership_grant

from .conftest import host_of
from .isolation import (
    DENIED,
    DENIED_FOR_FOREIGN_IDS,
    OPEN_ROUTES,
    PUBLIC_OPEN_ROUTES,
    PUBLIC_URLCONF,
    SAMPLE_KWARGS,
    SHARED,
    TENANT_URLCONF,
    Caller,
    api_operations,
    call_rolled_back,
    path_for,
    public_routes,
    tenant_routes,
)

SAMPLE_KWARGS.setdefault("password_reset_confirm", lambda partner: {"uidb64": "MQ", "token": "set-password"})
SAMPLE_KWARGS.setdefault("two-factor-verify", lambda partner: {})


@dataclass
class Problems:
    found: list

    def add(self, caller, method, path, message):
        self.found.append(f"{caller.name} {method.upper()} {path}: {message}")


def _callers(world) -> list[Caller]:
    """Every kind of caller, each with one client (one session) for the whole matrix."""

    def session(user=None):
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        return client

    _key, beta_raw = api_key_create(partner=world.beta, name="beta integrator", scopes=ALL_SCOPES)
    _key, alpha_raw = api_key_create(partner=world.alpha, name="alpha integrator", scopes=ALL_SCOPES)
    alpha, beta = world.alpha, world.beta
    alpha_host, beta_host, public = host_of(alpha), host_of(beta), host_of(None)
    beta_key, alpha_key = {"HTTP_X_API_KEY": beta_raw}, {"HTTP_AUTHORIZATION": f"Api-Key {alpha_raw}"}
    return [
        Caller("anonymous", alpha_host, alpha, set(), session(), plan=INTRUDER),
        *[
            Caller(f"alpha {role}", alpha_host, alpha, {"alpha"}, session(world.person(alpha, role)), plan=plan)
            for role, plan in [(Role.OWNER, ALL), (Role.MANAGER, READ), (Role.MEMBER, READ), (Role.VIEWER, ALL)]
        ],
        Caller("alpha key", alpha_host, alpha, {"alpha"}, session(), alpha_key, plan=ALL),
        Caller("beta owner on alpha's host", alpha_host, alpha, {"beta"}, session(world.person(beta, Role.OWNER))),
        Caller("beta key on alpha's host", alpha_host, alpha, {"beta"}, session(), beta_key),
        Caller("staff on alpha's host", alpha_host, alpha, set(), session(world.staff), plan=READ),
        Caller(
            "beta owner on beta's host", beta_host, beta, {"beta"}, session(world.person(beta, Role.OWNER)), plan=IDS
        ),
        Caller("beta key on beta's host", beta_host, beta, {"beta"}, session(), beta_key, plan=IDS),
        Caller("anonymous on the public host", public, None, set(), session(), plan=READ),
        Caller(
            "alpha owner on the public host",
            public,
            None,
            {"alpha"},
            session(world.person(alpha, Role.OWNER)),
            plan=READ,
        ),
        Caller("beta key on the public host", public, None, {"beta"}, session(), beta_key, plan=IDS),
        Caller(
            "staff on the public host", public, None, {"alpha", "beta"}, session(world.staff), staff=True, plan=READ
        ),
    ]


# What a caller sends to a route: every documented method (plus GET; pages: GET and POST), only GET, or
# writes only where the path carries another partner's ids.
ALL, READ, IDS = "all", "read", "ids"
INTRUDER = ALL
ADMIN_VIEWS_FOR_STAFF = ("_changelist", "_change", "index", "app_list")


def _methods(caller, route, documented) -> list[str]:
    if route.is_admin:
        if caller.staff:
            return ["get"] if route.name.endswith(ADMIN_VIEWS_FOR_STAFF) else []
        # The admin refuses non-staff as a whole: its index and one page per model are enough.
        return ["get"] if route.name.endswith(("_changelist", "index")) else []
    writes = sorted(documented - {"get"}) if route.is_api else ["post"]
    if caller.plan == ALL or (caller.plan == IDS and route.needs_kwargs):
        return ["get", *writes]
    return ["get"]


def _check_headers(response, caller, method, path, problems):
    if not response.get("Content-Type", "").startswith("text/html"):
        return
    policy = response.get("Content-Security-Policy", "")
    if "script-src 'self'" not in policy or "unsafe-inline" in policy:
        problems.add(caller, method, path, f"weak Content-Security-Policy {policy!r}")
    expected = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
    for header, value in expected.items():
        if response.get(header) != value:
            problems.add(caller, method, path, f"{header} is {response.get(header)!r}")


def _check(caller, route, method, path, response, body, changed, *, secrets, problems, on_public_host):
    status = response.status_code
    if status >= 500 and not (route.short_name == "health" and status == 503):  # 503: no worker in this test
        problems.add(caller, method, path, f"server error {status}")
    for secret in secrets.foreign_to(caller.entitled):
        if secret in body:
            problems.add(caller, method, path, f"leaks {secret!r} (status {status})")
    _check_headers(response, caller, method, path, problems)
    refusal = None
    if on_public_host:
        if not caller.staff and not route.is_api and route.short_name not in PUBLIC_OPEN_ROUTES:
            refusal = DENIED
    elif route.short_name not in OPEN_ROUTES and not caller.is_member_here:
        refusal = DENIED
    foreign_ids = caller.entitled and "alpha" not in caller.entitled and route.needs_kwargs
    if (
        refusal is None
        and foreign_ids
        and method not in SHARED.get(route.name, set())
        and route.short_name not in OPEN_ROUTES
    ):
        refusal = DENIED_FOR_FOREIGN_IDS
    if refusal is not None:
        if status not in refusal:
            problems.add(caller, method, path, f"not refused: {status}")
        if changed:
            problems.add(caller, method, path, f"refused request changed {changed}")


def _check_served(caller, route, method, path, response, documented, problems):
    """The walk is not vacuous: the victim's own owner and key are served what they are entitled to."""
    status = response.status_code
    if route.short_name in OPEN_ROUTES:
        return
    if method == "get" and not route.is_api and caller.name == "alpha owner" and status not in (200, 405):
        problems.add(caller, method, path, f"own owner not served: {status}")
    if route.is_api and method in documented and caller.name in ("alpha owner", "alpha key") and status in (404, 405):
        problems.add(caller, method, path, f"documented operation answers {status}")


def test_isolation_matrix(world, monkeypatch):
    """Nothing of one partner reaches another: every caller × every route × every method, in one pass."""
    from portal.core import health

    from .isolation import plant_secrets

    monkeypatch.setattr(health, "WORKER_TIMEOUT_S", 0.01)  # no worker here: the probe answers 503 at once

    secrets = plant_secrets([world.alpha, world.beta])
    assert all(len(values) >= 10 for values in secrets.by_partner.values()), secrets.by_partner
    callers = _callers(world)
    operations = api_operations(callers[0].client)
    problems = Problems([])
    samples: dict = {}

    tenant = tenant_routes()
    api_names = {route.name for route in tenant if route.is_api}
    undocumented = sorted(api_names - set(operations))
    assert undocumented == [], f"API routes missing from the OpenAPI schema: {undocumented}"
    assert set(operations) <= api_names, "the schema documents operations the resolver does not serve"

    requests = 0
    for caller in callers:
        on_public_host = caller.host_partner is None
        routes = public_routes() if on_public_host else tenant
        urlconf = PUBLIC_URLCONF if on_public_host else TENANT_URLCONF
        for route in routes:
            if caller.headers and not route.is_api:
                continue  # an API key is for the API: on pages it is just an anonymous visitor
            methods = _methods(caller, route, operations.get(route.name, set()))
            if not methods:
                continue
            path = path_for(route, world.alpha, urlconf=urlconf, cache=samples)
            for method in methods:
                response, body, changed = call_rolled_back(
                    caller, method, path, api=route.is_api, watch_writes=method != "get" and not caller.is_member_here
                )
                requests += 1
                _check(
                    caller,
                    route,
                    method,
                    path,
                    response,
                    body,
                    changed,
                    secrets=secrets,
                    problems=problems,
                    on_public_host=on_public_host,
                )
                if not on_public_host:
                    _check_served(caller, route, method, path, response, operations.get(route.name, set()), problems)
    assert requests > 1000
    assert problems.found == [], f"{len(problems.found)} isolation problems:\n" + "\n".join(problems.found[:80])


def test_walker_finds_pages_endpoints_and_the_admin():
    names = {route.name for route in tenant_routes()}
    assert {"home", "v1:me", "v1:api-key-list", "v1:api-key-detail", "audit:event-list"} <= names
    public = {route.name for route in public_routes()}
    assert {"staff-home", "admin:index", "audit:event-list", "v1:vehicle-list"} <= public


def test_the_write_detector_sees_real_writes_and_ignores_bookkeeping(world):
    """A refused request that wrote a row would be caught: the detector the matrix relies on works."""
    from .isolation import changed_tables, writes_so_far

    before = writes_so_far()
    membership_grant(partner=world.alpha, email="detector@example.com", role=Role.VIEWER)
    assert "public.tenants_membership" in changed_tables(before, writes_so_far())
    assert changed_tables({}, {"public.integrations_ratewindow": 1, "alpha.vehicles_vehicle": 2}) == [
        "alpha.vehicles_vehicle"
    ]
