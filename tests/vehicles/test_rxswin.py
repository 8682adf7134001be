"""RXSWIN per vehicle (UN R156): its form, the vehicle page, the API, the import column, and that no other partner
reads or sets it."""

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from portal.integrations.services import api_key_create
from portal.vehicles.choices import ImportMode, ImportStatus
from portal.vehicles.importing.pipeline import import_run
from portal.vehicles.models import ImportRejection, Vehicle, VehicleStatusChange
from portal.vehicles.rxswin import rxswin_list_parse, rxswin_problem
from tenants.choices import Role

from ..conftest import client_for
from .factories import WMI, model_make, vehicle_make, vin_for, wmi_ensure
from .import_samples import HEADER, csv_bytes, good_rows, job_make, media_root, setup_partner, xlsx_bytes

pytestmark = pytest.mark.django_db
RXSWIN = "R156-ABC-1.2.3"


@pytest.mark.parametrize("value", [RXSWIN, "R156 ABC 2024/07 (v3)", "E1*156R00/00*1234-7.2", "x" * 64, "软件-1"])
def test_these_are_rxswins(value):
    assert rxswin_problem(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "x" * 65,  # too long
        " R156-1",  # leading space
        "R156  1",  # double space
        "R156-1\n",  # a line break
        "R156\x00-1",  # NUL
        "R156-\u202e1",  # a right-to-left override that would reverse what the reader sees
        "R156-\u200b1",  # a zero-width space hiding a difference
        "R156-1;R156-2",  # a list separator
        "R156-1,2",
        "R156\u00a0-1",  # a no-break space
    ],
)
def test_these_are_not(value):
    assert rxswin_problem(value)


def test_a_list_is_split_on_semicolons_and_commas_once_each():
    assert rxswin_list_parse(" A-1; B-2 ,A-1;; ") == ["A-1", "B-2"]


def _vehicle(world, **fields):
    return vehicle_make(world.alpha, **fields)


def _rxswin(partner, vin) -> str:
    with schema_context(partner.schema_name):
        return Vehicle.objects.get(vin=vin).rxswin


def test_a_member_records_the_rxswin_on_the_vehicle_page_and_its_history_keeps_it(world):
    vehicle = _vehicle(world, rxswin="R156-ABC-1.0.0")
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    page = client.get(f"/vehicles/{vehicle.vin}/")
    assert "R156-ABC-1.0.0" in page.content.decode() and f"/vehicles/{vehicle.vin}/rxswin/" in page.content.decode()
    assert client.get(f"/vehicles/{vehicle.vin}/rxswin/").status_code == 200
    response = client.post(f"/vehicles/{vehicle.vin}/rxswin/", {"rxswin": f" {RXSWIN} ", "note": "OTA 1.2.3"})
    assert response.status_code == 302 and _rxswin(world.alpha, vehicle.vin) == RXSWIN
    with schema_context("alpha"):
        change = VehicleStatusChange.objects.filter(vehicle__vin=vehicle.vin).order_by("id").last()
    assert (change.from_status, change.to_status) == ("produced", "produced")
    assert change.note == f"RXSWIN R156-ABC-1.0.0 → {RXSWIN} · OTA 1.2.3"
    assert RXSWIN in client.get(f"/vehicles/{vehicle.vin}/").content.decode()


def test_an_invalid_rxswin_is_refused_on_the_page_and_nothing_changes(world):
    vehicle = _vehicle(world, rxswin=RXSWIN)
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    response = client.post(f"/vehicles/{vehicle.vin}/rxswin/", {"rxswin": "R156-\u202e1"})
    assert response.status_code == 200 and "printable characters only" in response.content.decode()
    assert _rxswin(world.alpha, vehicle.vin) == RXSWIN


def test_a_vehicle_is_registered_with_its_rxswin_on_the_page(world):
    wmi_ensure(world.alpha)
    model = model_make(world.alpha)
    vin = vin_for(WMI["alpha"], 870_001)
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    data = {"vin": vin, "model": model.pk, "production_date": "2025-03-01", "market": "CN", "rxswin": RXSWIN}
    assert client.post("/vehicles/new/", data).status_code == 302
    assert _rxswin(world.alpha, vin) == RXSWIN


def test_viewers_and_other_partners_cannot_set_it(world):
    vehicle = _vehicle(world, rxswin=RXSWIN)
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    assert viewer.post(f"/vehicles/{vehicle.vin}/rxswin/", {"rxswin": "R156-X"}).status_code == 403
    assert "Change RXSWIN" not in viewer.get(f"/vehicles/{vehicle.vin}/").content.decode()
    # Beta's owner on Beta's host: Alpha's VIN does not exist there (page and API alike).
    other = client_for(world.beta, world.person(world.beta, Role.OWNER))
    assert other.get(f"/vehicles/{vehicle.vin}/").status_code == 404
    assert other.post(f"/vehicles/{vehicle.vin}/rxswin/", {"rxswin": "R156-X"}).status_code == 404
    assert other.get(f"/api/v1/vehicles/{vehicle.vin}/").status_code == 404
    posted = other.post(
        f"/api/v1/vehicles/{vehicle.vin}/rxswin/", {"rxswin": "R156-X"}, content_type="application/json"
    )
    assert posted.status_code == 404
    # Beta's owner on Alpha's host: not a member.
    intruder = client_for(world.alpha, world.person(world.beta, Role.OWNER))
    assert intruder.post(f"/vehicles/{vehicle.vin}/rxswin/", {"rxswin": "R156-X"}).status_code in (302, 403, 404)
    assert intruder.get(f"/api/v1/vehicles/{vehicle.vin}/").status_code in (401, 403, 404)
    # Beta's API key, sent to Alpha's host and to the public host.
    _key, raw = api_key_create(partner=world.beta, name="ERP", scopes=["vehicles:write"])
    for host in (world.alpha, None):
        keyed = client_for(host).post(
            f"/api/v1/vehicles/{vehicle.vin}/rxswin/",
            {"rxswin": "R156-X"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Api-Key {raw}",
        )
        assert keyed.status_code in (401, 403, 404)
    assert _rxswin(world.alpha, vehicle.vin) == RXSWIN


def test_the_api_shows_registers_and_changes_the_rxswin(world):
    wmi_ensure(world.alpha)
    model = model_make(world.alpha)
    vehicle = _vehicle(world, model=model, rxswin=RXSWIN)
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    assert client.get(f"/api/v1/vehicles/{vehicle.vin}/").json()["rxswin"] == RXSWIN
    listed = client.get("/api/v1/vehicles/").json()["results"]
    assert {row["vin"]: row["rxswin"] for row in listed}[vehicle.vin] == RXSWIN
    changed = client.post(
        f"/api/v1/vehicles/{vehicle.vin}/rxswin/", {"rxswin": "R156-ABC-2.0.0"}, content_type="application/json"
    )
    assert changed.status_code == 200 and changed.json()["rxswin"] == "R156-ABC-2.0.0"
    assert changed.json()["history"][-1]["note"] == f"RXSWIN {RXSWIN} → R156-ABC-2.0.0"
    refused = client.post(f"/api/v1/vehicles/{vehicle.vin}/rxswin/", {"rxswin": "A;B"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["attr"] == "rxswin"
    assert _rxswin(world.alpha, vehicle.vin) == "R156-ABC-2.0.0"
    vin = vin_for(WMI["alpha"], 870_002)
    body = {"vin": vin, "model": model.pk, "production_date": "2025-03-01", "market": "CN", "rxswin": RXSWIN}
    created = client.post("/api/v1/vehicles/", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["rxswin"] == RXSWIN
    bad = client.post(
        "/api/v1/vehicles/",
        {**body, "vin": vin_for(WMI["alpha"], 870_003), "rxswin": "R156\x07"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["attr"] == "rxswin"
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    denied = viewer.post(
        f"/api/v1/vehicles/{vehicle.vin}/rxswin/", {"rxswin": "R156-V"}, content_type="application/json"
    )
    assert denied.status_code == 403 and _rxswin(world.alpha, vehicle.vin) == "R156-ABC-2.0.0"


def test_the_schema_documents_the_field_and_the_action(world):
    schema = client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).get("/api/schema/?format=json").json()
    assert "rxswin" in schema["components"]["schemas"]["Vehicle"]["properties"]
    assert "/api/v1/vehicles/{vin}/rxswin/" in schema["paths"]
    assert "rxswins" in schema["components"]["schemas"]["Certificate"]["properties"]


@pytest.fixture
def _media(settings, tmp_path):
    with media_root(tmp_path) as root:
        yield root


def _import(partner, content, **fields):
    job = job_make(partner, content, **fields)
    with schema_context(partner.schema_name):
        connection.set_tenant(partner)
        import_run(job_id=job.pk)
        job.refresh_from_db()
    connection.set_schema_to_public()
    return job


def test_the_import_reads_an_optional_rxswin_column_and_refuses_a_bad_one_by_row(world, _media):
    model = setup_partner(world.alpha, model_name="Thunder S1")
    rows = good_rows(world.alpha, model.name, 4)
    cells = [RXSWIN, "", "R156\u200b-1", "R156-ABC-9"]
    content = csv_bytes([(*row, rxswin) for row, rxswin in zip(rows, cells, strict=True)], header=[*HEADER, "RXSWIN"])
    job = _import(world.alpha, content, mode=ImportMode.VALID_ROWS)
    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    assert (job.rows_created, job.rows_rejected) == (3, 1)
    with schema_context("alpha"):
        stored = dict(Vehicle.objects.values_list("vin", "rxswin"))
        (rejection,) = ImportRejection.objects.filter(job=job)
    assert stored == {rows[0][0]: RXSWIN, rows[1][0]: "", rows[3][0]: "R156-ABC-9"}
    assert (rejection.line, rejection.column) == (4, "rxswin") and "printable" in rejection.reason
    # Again, as XLSX under the Chinese name: an empty cell keeps the RXSWIN, a new one replaces it.
    again = [
        (rows[0][0], model.name, "2025-03-01", "Chongqing", ""),
        (rows[3][0], model.name, "2025-03-01", "", "R156-ABC-10"),
    ]
    job = _import(world.alpha, xlsx_bytes(again, header=[*HEADER, "软件识别码"]), name="vehicles.xlsx")
    assert job.status == ImportStatus.SUCCEEDED, job.error_message
    with schema_context("alpha"):
        stored = dict(Vehicle.objects.values_list("vin", "rxswin"))
    assert (stored[rows[0][0]], stored[rows[3][0]]) == (RXSWIN, "R156-ABC-10")


def test_the_bulk_call_takes_an_rxswin_per_row_and_refuses_a_bad_one_by_row(world):
    wmi_ensure(world.alpha)
    model = model_make(world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    rows = [
        {"vin": vin_for(WMI["alpha"], serial), "model": model.pk, "production_date": "2024-02-01"}
        for serial in range(871_001, 871_004)
    ]
    rows[0]["rxswin"] = RXSWIN
    rows[1]["rxswin"] = "R156,1"
    refused = client.post("/api/v1/vehicles/bulk/", {"vehicles": rows}, content_type="application/json")
    assert refused.status_code == 400 and [e["attr"] for e in refused.json()["errors"]] == ["vehicles.1.rxswin"]
    with schema_context("alpha"):
        assert not Vehicle.objects.filter(vin__in=[row["vin"] for row in rows]).exists()
    rows[1]["rxswin"] = ""
    created = client.post("/api/v1/vehicles/bulk/", {"vehicles": rows}, content_type="application/json")
    assert created.status_code == 201, created.json()
    with schema_context("alpha"):
        stored = dict(Vehicle.objects.filter(vin__in=[row["vin"] for row in rows]).values_list("vin", "rxswin"))
    assert stored == {rows[0]["vin"]: RXSWIN, rows[1]["vin"]: "", rows[2]["vin"]: ""}
