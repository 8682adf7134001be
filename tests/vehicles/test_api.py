"""Vehicle registry API: role matrix, lookup by VIN, status action, bulk endpoint, filters, query budget."""

import pytest
from django_tenants.utils import schema_context

from portal.integrations.services import api_key_create
from portal.vehicles.api.serializers import VehicleDetailSerializer
from portal.vehicles.choices import ChangeSource
from portal.vehicles.models import Vehicle, VehicleModel, VehicleStatusChange
from portal.vehicles.selectors import VEHICLE_ROW_FIELDS, vehicle_detail_row, vehicle_get, vehicle_list
from portal.vehicles.services import vehicle_status_change
from tenants.choices import Role

from ..conftest import ROLES, client_for
from ..queries import assert_same_queries, query_budget
from .factories import WMI, model_make, vehicle_make, vin_for, wmi_ensure

pytestmark = pytest.mark.django_db
WRITERS = {Role.OWNER, Role.MANAGER, Role.MEMBER}
MODEL_MANAGERS = {Role.OWNER, Role.MANAGER}
MODEL_DATA = {
    "category": "L3e",
    "battery_chemistry": "NMC",
    "battery_kwh": "7.20",
    "range_km": 150,
    "connectivity": ["4G", "GNSS", "OTA"],
    "hs_code": "8711.60",
}


def _client(world, role):
    return client_for(world.alpha, world.person(world.alpha, role))


def _count(table, **filters):
    with schema_context("alpha"):
        return table.objects.filter(**filters).count()


@pytest.mark.parametrize("role", ROLES)
def test_read_role_matrix(world, role):
    vehicle = vehicle_make(world.alpha)
    client = _client(world, role)
    listed = client.get("/api/v1/vehicles/")
    assert listed.status_code == 200 and vehicle.vin in [row["vin"] for row in listed.json()["results"]]
    detail = client.get(f"/api/v1/vehicles/{vehicle.vin.lower()}/")
    assert detail.status_code == 200
    assert detail.json()["history"][0]["to_status"] == "produced"
    assert client.get(f"/api/v1/vehicle-models/{vehicle.model_id}/").json()["name"] == vehicle.model.name
    assert client.get("/api/v1/vehicle-models/").status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_vehicle_model_write_role_matrix(world, role):
    client = _client(world, role)
    created = client.post(
        "/api/v1/vehicle-models/", {"name": f"API {role}", **MODEL_DATA}, content_type="application/json"
    )
    model = model_make(world.alpha, name=f"API existing {role}")
    changed = client.patch(f"/api/v1/vehicle-models/{model.pk}/", {"range_km": 999}, content_type="application/json")
    if role in MODEL_MANAGERS:
        assert created.status_code == 201, created.json()
        assert created.json()["connectivity"] == ["4G", "GNSS", "OTA"]
        assert changed.status_code == 200 and changed.json()["range_km"] == 999
    else:
        assert created.status_code == 403 and changed.status_code == 403
        assert _count(VehicleModel, name=f"API {role}") == 0
        assert _count(VehicleModel, pk=model.pk, range_km=999) == 0


def test_vehicle_model_duplicate_name_is_a_400(world):
    model_make(world.alpha, name="Twin")
    response = _client(world, Role.MANAGER).post(
        "/api/v1/vehicle-models/", {"name": "Twin", **MODEL_DATA}, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("role", ROLES)
def test_register_and_status_role_matrix(world, role):
    wmi_ensure(world.alpha)
    model = model_make(world.alpha)
    vin = vin_for(WMI["alpha"])
    client = _client(world, role)
    payload = {"vin": vin.lower(), "model": model.pk, "production_date": "2024-04-01", "plant": "Banan"}
    created = client.post("/api/v1/vehicles/", payload, content_type="application/json")
    existing = vehicle_make(world.alpha, model=model)
    changed = client.post(
        f"/api/v1/vehicles/{existing.vin}/status/",
        {"to_status": "registered", "registration_country": "HU", "registration_date": "2024-06-01", "note": "Pest"},
        content_type="application/json",
    )
    if role in WRITERS:
        assert created.status_code == 201 and created.json()["vin"] == vin
        assert changed.status_code == 200 and changed.json()["status"] == "registered"
        assert changed.json()["history"][-1]["note"] == "Pest"
        assert _count(VehicleStatusChange, vehicle__vin=vin, source="api") == 1
    else:
        assert created.status_code == 403 and changed.status_code == 403
        assert _count(Vehicle, vin=vin) == 0
        assert _count(Vehicle, vin=existing.vin, status="produced") == 1
        assert _count(VehicleStatusChange, vehicle__vin=existing.vin) == 1


def test_register_errors_are_400(world):
    vehicle = vehicle_make(world.alpha)
    client = _client(world, Role.MEMBER)
    dup = client.post(
        "/api/v1/vehicles/",
        {"vin": vehicle.vin, "model": vehicle.model_id, "production_date": "2024-04-01"},
        content_type="application/json",
    )
    assert dup.status_code == 400 and "already registered" in str(dup.json())
    bad_market = client.post(
        "/api/v1/vehicles/",
        {"vin": vin_for(WMI["alpha"]), "model": vehicle.model_id, "production_date": "2024-04-01", "market": "ZZZ"},
        content_type="application/json",
    )
    assert bad_market.status_code == 400
    forbidden = client.post(
        f"/api/v1/vehicles/{vehicle.vin}/status/", {"to_status": "deregistered"}, content_type="application/json"
    )
    assert forbidden.status_code == 400
    missing = client.post(
        f"/api/v1/vehicles/{vehicle.vin}/status/", {"to_status": "registered"}, content_type="application/json"
    )
    assert missing.status_code == 400 and "registration_country" in str(missing.json())
    assert _count(Vehicle, vin=vehicle.vin, status="produced") == 1
    assert client.get("/api/v1/vehicles/NOSUCHVIN/").status_code == 404


def _bulk_rows(model, count, start):
    return [
        {"vin": vin_for(WMI["alpha"], serial), "model": model.pk, "production_date": "2024-02-01"}
        for serial in range(start, start + count)
    ]


def test_bulk_creates_all_in_one_call(world):
    wmi_ensure(world.alpha)
    model = model_make(world.alpha)
    rows = _bulk_rows(model, 200, 800_000)
    response = _client(world, Role.MEMBER).post(
        "/api/v1/vehicles/bulk/", {"vehicles": rows, "market": "CN"}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["created"] == 200
    assert _count(Vehicle, model=model) == 200


def test_bulk_one_invalid_row_writes_nothing_and_errors_by_index(world):
    wmi_ensure(world.alpha)
    model = model_make(world.alpha)
    rows = _bulk_rows(model, 30, 810_000)
    rows[17]["vin"] = rows[17]["vin"][:8] + ("1" if rows[17]["vin"][8] != "1" else "2") + rows[17]["vin"][9:]
    rows[21]["production_date"] = "2024-13-01"
    response = _client(world, Role.MEMBER).post(
        "/api/v1/vehicles/bulk/", {"vehicles": rows}, content_type="application/json"
    )
    assert response.status_code == 400
    attrs = {error["attr"] for error in response.json()["errors"]}
    assert attrs == {"vehicles.17.vin", "vehicles.21.production_date"}
    assert _count(Vehicle, model=model) == 0


def test_bulk_limit_is_10000(world):
    model = model_make(world.alpha)
    rows = [{"vin": "X", "model": model.pk, "production_date": "2024-01-01"}] * 10_001
    response = _client(world, Role.MEMBER).post(
        "/api/v1/vehicles/bulk/", {"vehicles": rows}, content_type="application/json"
    )
    assert response.status_code == 400
    assert _count(Vehicle, model=model) == 0


def test_bulk_is_refused_to_viewers_and_read_only_keys(world):
    model = model_make(world.alpha)
    rows = _bulk_rows(model, 2, 820_000)
    viewer = _client(world, Role.VIEWER).post(
        "/api/v1/vehicles/bulk/", {"vehicles": rows}, content_type="application/json"
    )
    assert viewer.status_code == 403
    _key, raw = api_key_create(partner=world.alpha, name="read only", scopes=["vehicles:read"])
    keyed = client_for(world.alpha).post(
        "/api/v1/vehicles/bulk/",
        {"vehicles": rows},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {raw}",
    )
    assert keyed.status_code == 403
    assert _count(Vehicle, model=model) == 0


def test_integrator_key_with_write_scope_registers_in_bulk(world):
    wmi_ensure(world.alpha)
    model = model_make(world.alpha)
    _key, raw = api_key_create(partner=world.alpha, name="ERP", scopes=["vehicles:write"])
    response = client_for(None).post(
        "/api/v1/vehicles/bulk/",
        {"vehicles": _bulk_rows(model, 3, 830_000)},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {raw}",
    )
    assert response.status_code == 201
    assert _count(VehicleStatusChange, vehicle__model=model, changed_by=None, source="api") == 3


def test_list_filters_ordering_and_cursor_pages(world):
    l1e = model_make(world.alpha, category="L1e")
    epac = model_make(world.alpha, category="EPAC")
    vehicles = [vehicle_make(world.alpha, model=epac if i % 2 else l1e) for i in range(5)]
    client = _client(world, Role.VIEWER)
    epac_vins = {row["vin"] for row in client.get("/api/v1/vehicles/", {"category": "EPAC"}).json()["results"]}
    assert epac_vins == {v.vin for v in vehicles if v.model_id == epac.pk}
    prefix = client.get("/api/v1/vehicles/", {"vin": vehicles[3].vin[:15].lower()}).json()["results"]
    assert vehicles[3].vin in [row["vin"] for row in prefix]
    first = client.get("/api/v1/vehicles/", {"ordering": "vin", "page_size": 2, "model": l1e.pk}).json()
    assert [row["vin"] for row in first["results"]] == sorted(v.vin for v in vehicles if v.model_id == l1e.pk)[:2]
    assert first["next"] and "cursor=" in first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 0 or second["results"][0]["vin"] > first["results"][-1]["vin"]
    assert client.get("/api/v1/vehicles/", {"production_date_after": "nope"}).status_code == 400


def test_list_api_query_budget_does_not_grow(world):
    model = model_make(world.alpha)
    client = _client(world, Role.VIEWER)
    client.get("/api/v1/vehicles/")
    with query_budget(10) as small:
        assert client.get("/api/v1/vehicles/").status_code == 200
    for _ in range(15):
        vehicle_make(world.alpha, model=model)
    with query_budget(10) as many:
        assert len(client.get("/api/v1/vehicles/").json()["results"]) >= 15
    assert_same_queries(small, many, "/api/v1/vehicles/")


def test_detail_reads_the_vehicle_and_its_history_in_one_query(world):
    person = world.person(world.alpha, Role.MEMBER)
    vehicle = vehicle_make(world.alpha, user=person)
    client = _client(world, Role.VIEWER)
    client.get(f"/api/v1/vehicles/{vehicle.vin}/")
    with query_budget(10) as short:
        first = client.get(f"/api/v1/vehicles/{vehicle.vin}/").json()
    with schema_context("alpha"):
        vehicle_status_change(
            vehicle=vehicle,
            to_status="registered",
            user=person,
            registration_country="HU",
            registration_date=vehicle.production_date,
            note="Pest",
        )
        vehicle_status_change(vehicle=vehicle, to_status="deregistered", source=ChangeSource.API, note="by key")
        changes = list(VehicleStatusChange.objects.filter(vehicle=vehicle).order_by("changed_at", "id"))
    with query_budget(10) as long:
        history = client.get(f"/api/v1/vehicles/{vehicle.vin}/").json()["history"]
    assert_same_queries(short, long, "vehicle detail")
    assert not [sql for sql in long.sql().splitlines() if sql.startswith('SELECT "vehicles_vehiclestatuschange"')]
    assert len(first["history"]) == 1 and first["history"][0]["from_status"] is None
    assert [
        (row["from_status"], row["to_status"], row["changed_by"], row["source"], row["note"]) for row in history
    ] == [
        (None, "produced", person.email, changes[0].source, changes[0].note),
        ("produced", "registered", person.email, "web", "Pest"),
        ("registered", "deregistered", None, "api", "by key"),
    ]
    # As DRF's DateTimeField writes them (UTC: "Z"), to the microsecond.
    assert [row["changed_at"] for row in history] == [
        change.changed_at.isoformat().replace("+00:00", "Z") for change in changes
    ]


def test_openapi_documents_the_vehicle_endpoints(world):
    schema = client_for(None).get("/api/schema/", {"format": "json"}).json()
    paths = schema["paths"]
    assert "/api/v1/vehicles/bulk/" in paths and "/api/v1/vehicles/{vin}/status/" in paths
    assert "400" in paths["/api/v1/vehicles/bulk/"]["post"]["responses"]


def test_exported_is_refused_with_how_to_export(world):
    """Only a shipment that ships exports a vehicle: the API says so, and nothing changes."""
    vehicle = vehicle_make(world.alpha)
    response = _client(world, "owner").post(
        f"/api/v1/vehicles/{vehicle.vin}/status/", {"to_status": "exported"}, content_type="application/json"
    )
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["attr"] == "to_status" and error["code"] == "export_by_shipment"
    assert "shipment" in error["detail"]
    assert _count(Vehicle, vin=vehicle.vin, status="produced") == 1
    assert _count(VehicleStatusChange, vehicle__vin=vehicle.vin) == 1


def _wrong_check_digit(vin: str) -> str:
    from portal.vehicles.vin import check_digit

    return vin[:8] + ("0" if check_digit(vin) != "0" else "1") + vin[9:]


def test_create_and_bulk_return_warnings_in_the_201_body(world):
    """An advisory check digit (EU) registers the vehicle and says so; in China it is an error."""
    wmi_ensure(world.alpha)
    model = model_make(world.alpha)
    client = _client(world, "member")
    eu_vin = _wrong_check_digit(vin_for(WMI["alpha"]))
    payload = {"vin": eu_vin, "model": model.pk, "production_date": "2024-04-01", "market": "EU"}
    created = client.post("/api/v1/vehicles/", payload, content_type="application/json")
    assert created.status_code == 201
    assert [warning["code"] for warning in created.json()["warnings"]] == ["check_digit"]
    clean = client.post("/api/v1/vehicles/", {**payload, "vin": vin_for(WMI["alpha"])}, content_type="application/json")
    assert clean.status_code == 201 and clean.json()["warnings"] == []
    cn = client.post(
        "/api/v1/vehicles/",
        {**payload, "vin": _wrong_check_digit(vin_for(WMI["alpha"])), "market": "CN"},
        content_type="application/json",
    )
    assert cn.status_code == 400
    rows = [
        {"vin": vin_for(WMI["alpha"]), "model": model.name, "production_date": "2024-05-01"},
        {"vin": _wrong_check_digit(vin_for(WMI["alpha"])), "model": model.name, "production_date": "2024-05-01"},
    ]
    bulk = client.post("/api/v1/vehicles/bulk/", {"market": "EU", "vehicles": rows}, content_type="application/json")
    assert bulk.status_code == 201 and bulk.json()["created"] == 2
    assert [(warning["index"], warning["field"]) for warning in bulk.json()["warnings"]] == [(1, "vin")]


def test_detail_row_is_the_orm_row_and_each_partner_reads_its_own(world):
    """The detail's SQL is compiled once per process and names no schema: each partner's call still reads its own
    schema (the same VIN at two partners), and the body is the one the ORM path writes."""
    person = world.person(world.alpha, Role.MEMBER)
    vehicle = vehicle_make(world.alpha, user=person, plant="Alpha plant")
    with schema_context("alpha"):
        vehicle_status_change(
            vehicle=vehicle,
            to_status="registered",
            user=person,
            registration_country="HU",
            registration_date=vehicle.production_date,
            note="Pest",
        )
        ours = vehicle_detail_row(vin=vehicle.vin.lower())
        orm = vehicle_get(vin=vehicle.vin, with_history=True)
        values = vehicle_list().filter(vin=vehicle.vin).values(*VEHICLE_ROW_FIELDS).get()
        assert {key: ours[key] for key in VEHICLE_ROW_FIELDS} == values
        assert ours["history_rows"] == orm.history_rows
        assert VehicleDetailSerializer(ours).data == VehicleDetailSerializer(orm).data
    beta_model = model_make(world.beta)
    with schema_context("beta"):  # the same VIN at another partner (written directly: the WMI is alpha's)
        Vehicle.objects.create(
            vin=vehicle.vin, model=beta_model, production_date=vehicle.production_date, plant="Beta plant"
        )
    alpha = _client(world, Role.VIEWER).get(f"/api/v1/vehicles/{vehicle.vin}/").json()
    beta = client_for(world.beta, world.person(world.beta, Role.VIEWER)).get(f"/api/v1/vehicles/{vehicle.vin}/")
    assert (alpha["plant"], alpha["registration_country"], len(alpha["history"])) == ("Alpha plant", "HU", 2)
    assert (beta.json()["plant"], beta.json()["history"]) == ("Beta plant", [])
    other = vin_for(WMI["alpha"])
    assert _client(world, Role.VIEWER).get(f"/api/v1/vehicles/{other}/").status_code == 404
