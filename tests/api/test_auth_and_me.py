"""API authentication: sessions and per-partner API keys; /api/v1/me/; consistent error bodies."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.integrations.models import ApiKey
from portal.integrations.services import api_key_create, api_key_revoke
from tenants.choices import Role
from tenants.services import partner_deactivate, partner_reactivate

from ..conftest import client_for

ME = "/api/v1/me/"


def _key_header(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Api-Key {raw}"}


@pytest.fixture
def alpha_key(world):
    key, raw = api_key_create(partner=world.alpha, name="ERP")
    return key, raw


def test_me_with_session_shows_person_partner_and_role(world):
    response = client_for(world.alpha, world.person(world.alpha, Role.MANAGER)).get(ME)
    assert response.status_code == 200
    body = response.json()
    assert body["kind"] == "user"
    assert body["user"]["email"] == "manager@alpha.example.com"
    assert body["partner"]["slug"] == "alpha"
    assert body["role"] == Role.MANAGER
    assert [m["partner"]["slug"] for m in body["memberships"]] == ["alpha"]


def test_me_for_a_non_member_session_is_refused(world):
    response = client_for(world.alpha, world.person(world.beta, Role.OWNER)).get(ME)
    assert response.status_code == 403
    assert "alpha" not in response.content.decode().lower()


def test_me_anonymous_gets_401_with_standard_error_body(world):
    response = client_for(world.alpha).get(ME)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"
    body = response.json()
    assert body["type"] == "client_error"
    assert body["errors"][0]["code"] == "not_authenticated"


def test_api_key_on_its_partner_host(world, alpha_key):
    key, raw = alpha_key
    response = client_for(world.alpha).get(ME, **_key_header(raw))
    assert response.status_code == 200
    assert response.json()["kind"] == "api_key"
    assert response.json()["partner"]["slug"] == "alpha"
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_api_key_on_public_host_acts_for_its_own_partner(world, alpha_key):
    _key, raw = alpha_key
    response = client_for(None).get(ME, HTTP_X_API_KEY=raw)
    assert response.status_code == 200
    assert response.json()["partner"]["slug"] == "alpha"


def test_api_key_sent_to_another_partners_host_is_refused(world, alpha_key):
    _key, raw = alpha_key
    response = client_for(world.beta).get(ME, **_key_header(raw))
    assert response.status_code == 401
    assert "beta" not in response.content.decode().lower()


def test_revoked_key_fails_on_the_very_next_request(world, alpha_key):
    key, raw = alpha_key
    client = client_for(world.alpha)
    assert client.get(ME, **_key_header(raw)).status_code == 200
    api_key_revoke(key=key)
    assert client.get(ME, **_key_header(raw)).status_code == 401


def test_expired_key_and_garbage_key_fail(world):
    _key, raw = api_key_create(partner=world.alpha, name="old", expiry_date=timezone.now() - timedelta(seconds=1))
    client = client_for(world.alpha)
    assert client.get(ME, **_key_header(raw)).status_code == 401
    assert client.get(ME, **_key_header("not-a-key")).status_code == 401


def test_key_of_deactivated_partner_fails(world, alpha_key):
    _key, raw = alpha_key
    partner_deactivate(partner=world.alpha)
    try:
        assert client_for(None).get(ME, **_key_header(raw)).status_code == 401
    finally:
        partner_reactivate(partner=world.alpha)


def test_keys_are_stored_hashed_and_shown_once(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.MANAGER))
    created = client.post("/api/v1/api-keys/", {"name": "MES line 3"}, content_type="application/json")
    assert created.status_code == 201
    raw = created.json()["key"]
    stored = ApiKey.objects.get(name="MES line 3")
    assert raw not in stored.hashed_key
    assert stored.partner == world.alpha
    listed = client.get("/api/v1/api-keys/").json()
    assert all("key" not in item and "hashed_key" not in str(item) for item in listed["results"])
    assert stored.hashed_key not in str(listed)
    assert client_for(world.alpha).get(ME, **_key_header(raw)).status_code == 200


@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.OWNER, True), (Role.MANAGER, True), (Role.MEMBER, False), (Role.VIEWER, False)]
)
def test_key_management_role_matrix(world, role, allowed):
    client = client_for(world.alpha, world.person(world.alpha, role))
    before = ApiKey.objects.count()
    response = client.post("/api/v1/api-keys/", {"name": f"by {role}"}, content_type="application/json")
    assert response.status_code == (201 if allowed else 403)
    assert ApiKey.objects.count() == before + (1 if allowed else 0)


def test_revoking_via_api_is_limited_to_own_partner(world):
    beta_key, _raw = api_key_create(partner=world.beta, name="beta ERP")
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    assert client.delete(f"/api/v1/api-keys/{beta_key.prefix}/").status_code == 404
    beta_key.refresh_from_db()
    assert beta_key.revoked is False
    own_key, _raw = api_key_create(partner=world.alpha, name="alpha ERP")
    assert client.delete(f"/api/v1/api-keys/{own_key.prefix}/").status_code == 204
    own_key.refresh_from_db()
    assert own_key.revoked is True


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("{not json", "application/json"), ('{"name": ""}', "application/json"), ("name=x", "text/plain")],
)
def test_malformed_bodies_get_a_clear_4xx_and_change_nothing(world, body, content_type):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    before = ApiKey.objects.count()
    response = client.post("/api/v1/api-keys/", body, content_type=content_type)
    assert response.status_code in (400, 415)
    assert response.json()["errors"][0]["detail"]
    assert ApiKey.objects.count() == before
