"""Tenant isolation across every page and endpoint of a partner host (walks the URL resolver)."""

import pytest

from portal.integrations.services import api_key_create
from tenants.choices import Role

from .conftest import client_for
from .isolation import assert_refused, path_for, protected_tenant_routes

METHODS = ["get", "post", "put", "patch", "delete"]
ROUTES = protected_tenant_routes()


def _secrets(world) -> list[str]:
    """Strings only the victim partner's members may see."""
    return [person.email for (schema, _role), person in world.people.items() if schema == "alpha"]


def test_walker_finds_pages_and_endpoints():
    names = {route.name for route in ROUTES}
    assert {"home", "v1:me", "v1:api-key-list", "v1:api-key-detail"} <= names


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
@pytest.mark.parametrize("method", METHODS)
def test_anonymous_visitor_gets_nothing(world, route, method):
    path = path_for(route, world.alpha)
    response = getattr(client_for(world.alpha), method)(path)
    assert_refused(response, secrets=_secrets(world), context=f"anonymous {method.upper()} {path}")
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("role", [Role.OWNER, Role.VIEWER])
def test_member_of_another_partner_gets_nothing(world, route, method, role):
    path = path_for(route, world.alpha)
    client = client_for(world.alpha, world.person(world.beta, role))
    response = getattr(client, method)(path, content_type="application/json")
    assert_refused(response, secrets=_secrets(world), context=f"beta {role} {method.upper()} {path}")
    assert response.status_code != 302, "a signed-in non-member is refused, not asked to sign in again"


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
@pytest.mark.parametrize("method", METHODS)
def test_another_partners_api_key_gets_nothing(world, route, method):
    _key, raw = api_key_create(partner=world.beta, name="beta integrator")
    path = path_for(route, world.alpha)
    response = getattr(client_for(world.alpha), method)(path, HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert_refused(response, secrets=_secrets(world), context=f"beta key {method.upper()} {path}")


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_another_partners_key_on_the_public_host_reaches_only_its_own_partner(world, route):
    """A key's partner is its only tenant: on the public API host, alpha's objects stay out of reach."""
    if not route.name.startswith("v1:"):
        pytest.skip("pages are served on partner hosts only")
    _key, raw = api_key_create(partner=world.beta, name="beta integrator")
    path = path_for(route, world.alpha)
    client = client_for(None)
    for method in METHODS:
        response = getattr(client, method)(path, HTTP_AUTHORIZATION=f"Api-Key {raw}", content_type="application/json")
        body = response.content.decode()
        for secret in _secrets(world):
            assert secret not in body
        if route.needs_kwargs:
            assert response.status_code in (403, 404, 405), f"{method.upper()} {path}: {response.status_code}"


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.name)
def test_own_member_is_served(world, route):
    """The walk is not vacuous: the same paths work for the partner's own owner."""
    path = path_for(route, world.alpha)
    response = client_for(world.alpha, world.person(world.alpha, Role.OWNER)).get(path)
    assert response.status_code in (200, 405), f"{path}: {response.status_code}"
