"""Battery passport API: scopes batteries:read / batteries:write, role matrix, errors keyed by field, isolation."""

import pytest
from django_tenants.utils import schema_context

from portal.batteries.models import Battery, BatteryModel, BatteryReading
from portal.batteries.registry.selectors import passport_locate
from portal.integrations.services import api_key_create
from tenants.choices import Role
from tests.vehicles.factories import vehicle_make

from ..conftest import ROLES, client_for
from ..queries import assert_same_queries, query_budget
from .factories import battery_make, identifier_next, model_make

pytestmark = pytest.mark.django_db
WRITERS = {Role.OWNER, Role.MANAGER, Role.MEMBER}


def _key_client(world, scopes):
    _key, raw = api_key_create(partner=world.alpha, name="ERP", scopes=scopes)
    client = client_for(world.alpha)
    client.defaults["HTTP_AUTHORIZATION"] = f"Api-Key {raw}"
    return client


def test_read_scope_reads_and_cannot_write(world):
    battery = battery_make(world.alpha)
    client = _key_client(world, ["batteries:read"])
    listed = client.get("/api/v1/batteries/")
    assert listed.status_code == 200 and [row["identifier"] for row in listed.json()["results"]] == [battery.identifier]
    detail = client.get(f"/api/v1/batteries/{battery.identifier.lower()}/").json()
    assert detail["complete"] is True and detail["missing"] == []
    assert {entry["access"] for entry in detail["passport"]} == {"public", "legitimate_interest", "authority"}
    created = client.post(
        "/api/v1/batteries/",
        {"identifier": identifier_next(), "battery_model": battery.battery_model.code},
        content_type="application/json",
    )
    assert created.status_code == 403
    with schema_context("alpha"):
        assert Battery.objects.count() == 1


def test_other_scopes_read_nothing(world):
    battery_make(world.alpha)
    client = _key_client(world, ["vehicles:write"])
    assert client.get("/api/v1/batteries/").status_code == 403
    assert client.get("/api/v1/battery-models/").status_code == 403


def test_write_scope_creates_fits_and_records(world):
    vehicle = vehicle_make(world.alpha)
    model = model_make(world.alpha)
    client = _key_client(world, ["batteries:write"])
    identifier = identifier_next()
    created = client.post(
        "/api/v1/batteries/",
        {"identifier": identifier, "battery_model": model.code, "vin": vehicle.vin, "fitted_on": "2026-01-02"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["vin"] == vehicle.vin and body["fitments"][0]["fitted_on"] == "2026-01-02"
    assert passport_locate(identifier).partner == world.alpha
    reading = client.post(
        f"/api/v1/batteries/{identifier}/readings/",
        {"measured_at": "2026-02-01T08:00:00Z", "cycles": 12, "state_of_health": "99.10"},
        content_type="application/json",
    )
    assert reading.status_code == 201, reading.json()
    again = client.post(
        f"/api/v1/batteries/{identifier}/readings/",
        {"measured_at": "2026-02-01T08:00:00Z", "cycles": 13},
        content_type="application/json",
    )
    assert again.status_code == 201
    with schema_context("alpha"):
        assert BatteryReading.objects.get(battery__identifier=identifier).cycles == 13
    changed = client.patch(
        f"/api/v1/batteries/{identifier}/", {"status": "repurposed"}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["status"] == "repurposed"


def test_bad_input_is_a_400_keyed_by_field(world):
    model = model_make(world.alpha)
    client = _key_client(world, ["batteries:write"])
    response = client.post(
        "/api/v1/batteries/",
        {"identifier": "no spaces allowed", "battery_model": model.code},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "identifier"
    unknown = client.post(
        "/api/v1/batteries/",
        {"identifier": identifier_next(), "battery_model": model.code, "values": {"made_up": 1}},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["attr"] == "values"
    with schema_context("alpha"):
        assert not Battery.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_people_role_matrix(world, role):
    model = model_make(world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, role))
    identifier = identifier_next()
    created = client.post(
        "/api/v1/batteries/", {"identifier": identifier, "battery_model": model.code}, content_type="application/json"
    )
    model_created = client.post(
        "/api/v1/battery-models/",
        {"code": f"API-{role}", "name": "x", "category": "EV", "chemistry": "NMC"},
        content_type="application/json",
    )
    assert (created.status_code == 201) == (role in WRITERS)
    assert (model_created.status_code == 201) == (role in {Role.OWNER, Role.MANAGER})
    with schema_context("alpha"):
        assert Battery.objects.filter(identifier=identifier).exists() == (role in WRITERS)
        assert BatteryModel.objects.filter(code=f"API-{role}").exists() == (role in {Role.OWNER, Role.MANAGER})


def test_another_partner_s_battery_is_not_found(world):
    battery = battery_make(world.beta)
    client = _key_client(world, ["batteries:write"])
    assert client.get(f"/api/v1/batteries/{battery.identifier}/").status_code == 404
    assert (
        client.patch(
            f"/api/v1/batteries/{battery.identifier}/", {"status": "waste"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/batteries/{battery.identifier}/").status_code == 404
    with schema_context("beta"):
        assert Battery.objects.get(pk=battery.pk).status == "original"
    assert passport_locate(battery.identifier).partner == world.beta


def test_list_query_budget(world):
    model = model_make(world.alpha)
    battery_make(world.alpha, battery_model=model)
    client = _key_client(world, ["batteries:read"])
    client.get("/api/v1/batteries/")
    with query_budget(20) as few:
        client.get("/api/v1/batteries/")
    for _ in range(10):
        battery_make(world.alpha, battery_model=model)
    with query_budget(20) as many:
        client.get("/api/v1/batteries/")
    assert_same_queries(few, many, "battery API list")
