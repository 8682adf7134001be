"""Vehicle pages: role matrix, forms, list filters and pagination, exports, query budget."""

import csv
import io
import re

import pytest
from django.urls import reverse
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from portal.vehicles.models import Vehicle, VehicleModel, VehicleStatusChange
from tenants.choices import Role

from ..conftest import ROLES, client_for
from ..queries import assert_same_queries, query_budget
from .factories import WMI, model_make, vehicle_make, vin_for, wmi_ensure

pytestmark = pytest.mark.django_db
WRITERS = {Role.OWNER, Role.MANAGER, Role.MEMBER}
MODEL_MANAGERS = {Role.OWNER, Role.MANAGER}


def _client(world, role, partner=None):
    partner = partner or world.alpha
    return client_for(partner, world.person(partner, role))


def _count(table, **filters):
    with schema_context("alpha"):
        return table.objects.filter(**filters).count()


@pytest.mark.parametrize("role", ROLES)
def test_every_member_reads(world, role):
    vehicle = vehicle_make(world.alpha, plant="Banan plant")
    client = _client(world, role)
    for url in (
        reverse("vehicles:vehicle_list"),
        reverse("vehicles:vehicle_detail", kwargs={"vin": vehicle.vin}),
        reverse("vehicles:vehicle_detail", kwargs={"vin": vehicle.vin.lower()}),
        reverse("vehicles:model_list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert vehicle.vin in response.content.decode() or url.endswith("models/")
    assert "Banan plant" in client.get(reverse("vehicles:vehicle_detail", kwargs={"vin": vehicle.vin})).content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_register_vehicle_role_matrix(world, role):
    wmi_ensure(world.alpha)
    model = model_make(world.alpha)
    vin = vin_for(WMI["alpha"])
    client = _client(world, role)
    url = reverse("vehicles:vehicle_create")
    data = {"vin": vin, "model": model.pk, "production_date": "2024-05-01", "plant": "P1", "market": "CN"}
    response = client.post(url, data)
    if role in WRITERS:
        assert response.status_code == 302
        assert response["Location"] == reverse("vehicles:vehicle_detail", kwargs={"vin": vin})
        with schema_context("alpha"):
            change = VehicleStatusChange.objects.get(vehicle__vin=vin)
            assert (change.changed_by, change.source) == (world.person(world.alpha, role), "web")
    else:
        assert response.status_code == 403
        assert client.get(url).status_code == 403
        assert _count(Vehicle, vin=vin) == 0


def test_register_form_shows_vin_errors(world):
    model = model_make(world.alpha)
    client = _client(world, Role.MEMBER)
    good = vin_for(WMI["alpha"])
    bad = good[:8] + ("1" if good[8] != "1" else "2") + good[9:]
    data = {"vin": bad, "model": model.pk, "production_date": "2024-05-01", "market": "CN"}
    response = client.post(reverse("vehicles:vehicle_create"), data)
    assert response.status_code == 200
    assert "check digit" in response.content.decode()
    assert _count(Vehicle, vin=bad) == 0
    response = client.post(reverse("vehicles:vehicle_create"), {**data, "market": "EU"})
    assert response.status_code == 302 and _count(Vehicle, vin=bad) == 1
    response = client.post(reverse("vehicles:vehicle_create"), {**data, "market": "EU"})
    assert response.status_code == 200 and "already registered" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_status_change_role_matrix(world, role):
    vehicle = vehicle_make(world.alpha)
    client = _client(world, role)
    url = reverse("vehicles:vehicle_status", kwargs={"vin": vehicle.vin})
    data = {
        "to_status": "registered",
        "registration_country": "TH",
        "registration_region": "Bangkok",
        "plate": "1กข 234",
        "registration_date": "2024-06-01",
    }
    response = client.post(url, data)
    with schema_context("alpha"):
        vehicle.refresh_from_db()
    if role in WRITERS:
        assert response.status_code == 302
        assert (vehicle.status, vehicle.registration_region) == ("registered", "Bangkok")
        assert _count(VehicleStatusChange, vehicle=vehicle) == 2
    else:
        assert response.status_code == 403
        assert vehicle.status == "produced" and _count(VehicleStatusChange, vehicle=vehicle) == 1


def test_status_form_refuses_forbidden_transition_and_missing_fields(world):
    vehicle = vehicle_make(world.alpha)
    client = _client(world, Role.MEMBER)
    url = reverse("vehicles:vehicle_status", kwargs={"vin": vehicle.vin})
    assert client.post(url, {"to_status": "deregistered"}).status_code == 200  # not a choice from "produced"
    response = client.post(url, {"to_status": "registered"})
    assert response.status_code == 200 and "needs the country" in response.content.decode()
    with schema_context("alpha"):
        vehicle.refresh_from_db()
    assert vehicle.status == "produced"


def test_status_form_offers_no_exported_and_says_how_to_export(world):
    vehicle = vehicle_make(world.alpha)
    client = _client(world, Role.MEMBER)
    url = reverse("vehicles:vehicle_status", kwargs={"vin": vehicle.vin})
    page = client.get(url).content.decode()
    assert 'value="exported"' not in page and 'value="registered"' in page
    assert "only when a shipment carrying it ships" in page
    response = client.post(url, {"to_status": "exported"})
    assert response.status_code == 200
    with schema_context("alpha"):
        vehicle.refresh_from_db()
        assert vehicle.status == "produced" and _count(VehicleStatusChange, vehicle=vehicle) == 1


@pytest.mark.parametrize("role", ROLES)
def test_vehicle_model_role_matrix(world, role):
    client = _client(world, role)
    data = {
        "name": f"Page model {role}",
        "category": "L1e",
        "battery_chemistry": "LFP",
        "battery_kwh": "2.16",
        "range_km": "70",
        "connectivity": ["4G", "OTA"],
        "hs_code": "8711.60",
    }
    response = client.post(reverse("vehicles:model_create"), data)
    model = model_make(world.alpha, name=f"Existing {role}")
    edit = client.post(reverse("vehicles:model_update", kwargs={"pk": model.pk}), {**data, "name": f"Renamed {role}"})
    if role in MODEL_MANAGERS:
        assert response.status_code == 302 and edit.status_code == 302
        with schema_context("alpha"):
            assert VehicleModel.objects.get(name=f"Page model {role}").connectivity == ["4G", "OTA"]
            assert VehicleModel.objects.filter(name=f"Renamed {role}").exists()
    else:
        assert response.status_code == 403 and edit.status_code == 403
        assert _count(VehicleModel, name=f"Page model {role}") == 0
        assert _count(VehicleModel, name=f"Existing {role}") == 1


def test_list_filters_sorting_and_pages(world):
    l1e = model_make(world.alpha, category="L1e")
    epac = model_make(world.alpha, category="EPAC")
    vehicles = [vehicle_make(world.alpha, model=l1e if i % 2 else epac) for i in range(6)]
    client = _client(world, Role.VIEWER)
    url = reverse("vehicles:vehicle_list")
    body = client.get(url, {"category": "EPAC"}).content.decode()
    assert all((v.vin in body) == (v.model_id == epac.pk) for v in vehicles)
    body = client.get(url, {"vin": vehicles[0].vin[:14].lower()}).content.decode()
    assert vehicles[0].vin in body
    body = client.get(url, {"ordering": "vin"}).content.decode()
    positions = [body.index(v.vin) for v in sorted(vehicles, key=lambda v: v.vin)]
    assert positions == sorted(positions)
    assert client.get(url, {"production_date_after": "not-a-date"}).status_code == 200
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("portal.vehicles.views.PAGE_SIZE", 4)
        first = client.get(url, {"ordering": "vin"}).content.decode()
        second = client.get(url, {"ordering": "vin", "page": "2"}).content.decode()
    last = max(v.vin for v in vehicles)
    assert "page=2" in first and last not in first
    assert last in second and "page=1" in second


def test_list_page_query_budget_does_not_grow(world):
    model = model_make(world.alpha)
    client = _client(world, Role.VIEWER)
    url = reverse("vehicles:vehicle_list")
    client.get(url)  # warm up (session, caches)
    with query_budget(12) as small:
        assert client.get(url).status_code == 200
    for _ in range(15):
        vehicle_make(world.alpha, model=model)
    with query_budget(12) as many:
        assert client.get(url).status_code == 200
    assert_same_queries(small, many, url)


def test_filtered_list_with_chips_and_count_keeps_its_query_budget(world):
    """Chips and "N of M" add a fixed number of queries (capped counts), whatever the number of rows."""
    model = model_make(world.alpha)
    client = _client(world, Role.VIEWER)
    url = reverse("vehicles:vehicle_list")
    query = {"model": model.pk, "status": "produced", "production_date_after": "2020-01-01"}
    client.get(url, query)
    with query_budget(14) as small:
        assert client.get(url, query).status_code == 200
    for _ in range(15):
        vehicle_make(world.alpha, model=model)
    with query_budget(14) as many:
        body = client.get(url, query).content.decode()
    assert ">15 of 15 vehicles</span>" in body
    assert_same_queries(small, many, url)


def _rows_of_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_export_streams_filtered_rows_and_neutralises_formulas(world):
    model = model_make(world.alpha, name='=HYPERLINK("http://evil")')
    vehicle = vehicle_make(world.alpha, model=model, plant="+cmd|' /C calc'!A0")
    other = vehicle_make(world.alpha)
    client = _client(world, Role.VIEWER)
    response = client.get(reverse("vehicles:vehicle_export_csv"), {"model": model.pk})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows_of_csv(response)
    assert rows[0][0] == "VIN"
    assert [row[0] for row in rows[1:]] == [vehicle.vin]
    assert rows[1][1] == '\'=HYPERLINK("http://evil")' and rows[1][4] == "'+cmd|' /C calc'!A0"
    assert other.vin not in str(rows)


def test_xlsx_export(world):
    model = model_make(world.alpha, name="@SUM(A1)")
    vehicle = vehicle_make(world.alpha, model=model, plant="-2+3")
    response = _client(world, Role.VIEWER).get(reverse("vehicles:vehicle_export_xlsx"), {"vin": vehicle.vin})
    assert response.status_code == 200
    assert "spreadsheetml" in response["Content-Type"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "VIN" and len(rows) == 2
    assert rows[1][:5] == [vehicle.vin, "'@SUM(A1)", model.category, "2024-05-01", "'-2+3"]


def test_beta_cannot_reach_alphas_vehicle_by_vin(world):
    vehicle = vehicle_make(world.alpha, plant="alpha secret plant")
    beta_owner = world.person(world.beta, Role.OWNER)
    # On beta's own host, alpha's VIN does not exist.
    on_beta = client_for(world.beta, beta_owner)
    assert on_beta.get(reverse("vehicles:vehicle_detail", kwargs={"vin": vehicle.vin})).status_code == 404
    assert on_beta.get(f"/api/v1/vehicles/{vehicle.vin}/").status_code == 404
    listed = on_beta.get("/api/v1/vehicles/", {"vin": vehicle.vin}).json()
    assert listed["results"] == []
    exported = b"".join(on_beta.get(reverse("vehicles:vehicle_export_csv"), {"vin": vehicle.vin}).streaming_content)
    assert vehicle.vin.encode() not in exported
    # On alpha's host, beta's people are refused.
    on_alpha = client_for(world.alpha, beta_owner)
    for path in (
        reverse("vehicles:vehicle_detail", kwargs={"vin": vehicle.vin}),
        reverse("vehicles:vehicle_export_csv"),
        reverse("vehicles:vehicle_export_xlsx"),
        f"/api/v1/vehicles/{vehicle.vin}/",
    ):
        response = on_alpha.get(path)
        assert response.status_code in (403, 404)
        assert b"alpha secret plant" not in response.content


def test_list_shows_a_count_without_counting_millions(world):
    model = model_make(world.alpha)
    for _ in range(3):
        vehicle_make(world.alpha, model=model)
    client = _client(world, Role.VIEWER)
    body = client.get(reverse("vehicles:vehicle_list")).content.decode()
    assert ">3 vehicles</span>" in body
    with pytest.MonkeyPatch.context() as patch:
        # A large table: the planner's estimate is shown as such, no COUNT(*).
        patch.setattr("portal.vehicles.views.vehicle_count_estimate", lambda: (1_234_567, False))
        body = client.get(reverse("vehicles:vehicle_list")).content.decode()
    assert "about 1,234,567 vehicles" in body
    with schema_context("alpha"):
        from portal.vehicles.selectors import vehicle_count_estimate

        assert vehicle_count_estimate() == (3, True)
        assert vehicle_count_estimate(exact_below=2) == (None, False)


def test_registration_shows_vin_warnings(world):
    model = model_make(world.alpha)
    vin = vin_for("LUK")  # not in the WMI register
    response = _client(world, Role.MEMBER).post(
        reverse("vehicles:vehicle_create"),
        {"vin": vin, "model": model.pk, "production_date": "2024-05-01", "market": "CN"},
        follow=True,
    )
    assert response.status_code == 200
    assert "not in the alliance WMI register" in response.content.decode()


def test_detail_links_the_vehicles_shipments_and_its_models_certificates(world):
    from ..compliance.factories import eu_l3e_model, shipment_make

    model = eu_l3e_model(world.alpha)
    vehicle = vehicle_make(world.alpha, model=model)
    shipment = shipment_make(world.alpha, vehicles=[vehicle], reference="SHIP-LINKED-1")
    unrelated = shipment_make(world.alpha, reference="SHIP-OTHER-2")
    client = _client(world, Role.VIEWER)
    page = client.get(reverse("vehicles:vehicle_detail", kwargs={"vin": vehicle.vin})).content.decode()
    assert f'href="/compliance/shipments/{shipment.pk}/"' in page and "SHIP-LINKED-1" in page
    assert "SHIP-OTHER-2" not in page and f"/compliance/shipments/{unrelated.pk}/" not in page
    with schema_context("alpha"):
        certificates = list(model.certificates.values_list("pk", flat=True))
    assert len(certificates) == 3
    for pk in certificates:
        assert f'href="/compliance/certificates/{pk}/"' in page
    bare = vehicle_make(world.alpha)
    page = client.get(reverse("vehicles:vehicle_detail", kwargs={"vin": bare.vin})).content.decode()
    assert "On no shipment yet." in page and "No certificate for its model." in page


def test_list_shows_active_filters_as_removable_chips_and_the_filtered_count(world):
    model = model_make(world.alpha, name="Chip model")
    for _ in range(3):
        vehicle_make(world.alpha, model=model)
    vehicle_make(world.alpha)
    client = _client(world, Role.VIEWER)
    url = reverse("vehicles:vehicle_list")
    body = client.get(url, {"model": model.pk, "status": "produced", "ordering": "vin"}).content.decode()
    assert ">3 of 4 vehicles</span>" in body
    chips = re.findall(r'<a class="badge[^"]*" href="([^"]*)" data-testid="filter-chip"[^>]*>(.*?)</a>', body)
    assert len(chips) == 2
    assert "Chip model" in chips[0][1] and "Produced" in chips[1][1]  # names, not ids or codes
    assert chips[0][0] == "?status=produced&amp;ordering=vin" and chips[1][0] == f"?model={model.pk}&amp;ordering=vin"
    assert 'href="?ordering=vin" data-testid="clear-filters"' in body


def test_column_chooser_remembers_each_persons_columns(world):
    vehicle = vehicle_make(world.alpha, plant="Banan works")
    url = reverse("vehicles:vehicle_list")
    viewer, member = _client(world, Role.VIEWER), _client(world, Role.MEMBER)
    assert "Banan works" not in viewer.get(url).content.decode()  # the plant is hidden until chosen
    response = viewer.post(
        reverse("vehicles:vehicle_columns"), {"columns": ["plant", "status"], "next": f"{url}?status=produced"}
    )
    assert response.status_code == 302 and response["Location"] == f"{url}?status=produced"
    body = viewer.get(url).content.decode()
    assert "Banan works" in body and vehicle.vin in body
    assert '<th scope="col">Category</th>' not in body and 'value="plant" id="column-plant" checked' in body
    assert "Banan works" not in member.get(url).content.decode()  # another person's choice is theirs
    elsewhere = viewer.post(
        reverse("vehicles:vehicle_columns"), {"columns": ["plant"], "next": "https://evil.example/"}
    )
    assert elsewhere["Location"] == url
    assert viewer.get(reverse("vehicles:vehicle_columns")).status_code == 405  # no writes on GET
