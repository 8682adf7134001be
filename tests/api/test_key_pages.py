"""The API-key page: owners and managers create (secret shown once), list and revoke; others cannot."""

import pytest
from django.urls import reverse

from portal.integrations.models import ApiKey
from portal.integrations.services import api_key_create
from tenants.choices import Role

from ..conftest import ROLES, client_for

PAGE = "/settings/api-keys/"


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(world, role):
    allowed = role in (Role.OWNER, Role.MANAGER)
    client = client_for(world.alpha, world.person(world.alpha, role))
    before = ApiKey.objects.count()
    assert client.get(PAGE).status_code == (200 if allowed else 403)
    response = client.post(PAGE, {"name": "ERP", "scopes": ["vehicles:write"]})
    assert response.status_code == (200 if allowed else 403)
    assert ApiKey.objects.count() == before + (1 if allowed else 0)


def test_secret_is_shown_once_and_works(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    created = client.post(PAGE, {"name": "MES", "scopes": ["vehicles:read"]})
    secret = created.context["secret"]
    assert secret and secret.encode() in created.content
    assert secret.encode() not in client.get(PAGE).content
    assert client_for(world.alpha).get("/api/v1/me/", HTTP_AUTHORIZATION=f"Api-Key {secret}").status_code == 200
    assert ApiKey.objects.get(name="MES").scopes == ["vehicles:read"]


def test_bad_input_is_explained_and_creates_nothing(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    before = ApiKey.objects.count()
    response = client.post(PAGE, {"name": "", "scopes": ["vehicles:fly"], "expiry_date": "2001-01-01T00:00"})
    form = response.context["form"]
    assert {"name", "scopes", "expiry_date"} <= set(form.errors)
    assert ApiKey.objects.count() == before


def test_revoke_own_key_but_not_another_partners(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    own, _raw = api_key_create(partner=world.alpha, name="own")
    other, _raw = api_key_create(partner=world.beta, name="other")
    confirmed = {"confirmed": "yes"}
    assert client.post(reverse("integrations:api-key-revoke", args=[other.prefix]), confirmed).status_code == 404
    asked = client.post(reverse("integrations:api-key-revoke", args=[own.prefix]))
    assert asked.status_code == 200 and b'data-testid="revoke-confirm"' in asked.content, "asked once first"
    own.refresh_from_db()
    assert not own.revoked, "nothing revoked before the confirmation"
    assert client.post(reverse("integrations:api-key-revoke", args=[own.prefix]), confirmed).status_code == 302
    own.refresh_from_db()
    other.refresh_from_db()
    assert (own.revoked, other.revoked) == (True, False)
