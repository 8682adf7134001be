"""ETag and If-None-Match on the vehicle detail: 304 without a body while nothing changed; a write changes it."""

import pytest

from tenants.choices import Role

from ..conftest import client_for
from .factories import vehicle_make

pytestmark = pytest.mark.django_db


def test_detail_answers_304_without_body_until_a_write_changes_it(world):
    vehicle = vehicle_make(world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    path = f"/api/v1/vehicles/{vehicle.vin}/"
    first = client.get(path)
    etag = first["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and first.json()["vin"] == vehicle.vin
    again = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get(path, HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert client.get(path, HTTP_IF_NONE_MATCH='"stale"').status_code == 200
    changed = client.post(
        f"{path}status/",
        {"to_status": "registered", "registration_country": "HU", "registration_date": "2024-06-01"},
        content_type="application/json",
    )
    assert changed.status_code == 200
    after = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag and after.json()["status"] == "registered"


def test_another_partner_gets_404_not_304_for_a_known_etag(world):
    vehicle = vehicle_make(world.alpha)
    path = f"/api/v1/vehicles/{vehicle.vin}/"
    etag = client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).get(path)["ETag"]
    other = client_for(world.beta, world.person(world.beta, Role.OWNER)).get(path, HTTP_IF_NONE_MATCH=etag)
    assert other.status_code == 404


def test_the_schema_documents_if_none_match_and_304(world):
    schema = client_for(None).get("/api/schema/", {"format": "json"}).json()
    detail = schema["paths"]["/api/v1/vehicles/{vin}/"]["get"]
    assert "304" in detail["responses"] and "200" in detail["responses"]
    headers = [p["name"] for p in detail["parameters"] if p["in"] == "header"]
    assert "If-None-Match" in headers
