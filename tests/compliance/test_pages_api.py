"""Pages and API endpoints of export compliance: they work, roles hold, other partners see nothing, budgets hold."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from portal.compliance.models import Certificate, Shipment, ShipmentOverride
from portal.integrations.services import api_key_create
from tenants.choices import Role
from tenants.models import Membership

from ..conftest import client_for
from ..queries import assert_same_queries, query_budget
from ..vehicles.factories import model_make
from .factories import PDF, certificate_make, days, eu_l3e_model, pdf, shipment_make, vehicles_make

pytestmark = pytest.mark.django_db
SHIPMENT = {
    "destination": "HU",
    "consignee_name": "Danube Test Importer Kft.",
    "consignee_address": "Budapest",
    "consignee_country": "HU",
    "incoterm": "DAP",
    "hs_code": "8711.60",
    "expected_arrival": days(30).isoformat(),
}


def test_a_member_opens_a_shipment_adds_vehicles_and_reads_the_verdict(world):
    model = eu_l3e_model(world.alpha)
    vehicles = vehicles_make(world.alpha, model, 2)
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    response = client.post("/compliance/shipments/new/", {**SHIPMENT, "reference": "TEST-1"})
    assert response.status_code == 302
    with schema_context(world.alpha.schema_name):
        shipment = Shipment.objects.get(reference="TEST-1")
    added = client.post(
        f"/compliance/shipments/{shipment.pk}/vehicles/",
        {"mode": "list", "vins": "\n".join(vehicle.vin for vehicle in vehicles)},
    )
    assert added.status_code == 302
    page = client.get(f"/compliance/shipments/{shipment.pk}/").content.decode()
    assert 'data-verdict="cleared"' in page and vehicles[0].vin in page and 'data-testid="ship"' in page
    listed = client.get("/compliance/", {"verdict": "cleared"}).content.decode()
    assert "TEST-1" in listed
    export = client.get("/compliance/shipments/export.csv", {"q": "TEST"})
    assert b"TEST-1" in b"".join(export.streaming_content)
    assert client.get("/compliance/shipments/export.xlsx").status_code == 200


def test_bad_input_is_explained_and_changes_nothing(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    response = client.post("/compliance/shipments/new/", {**SHIPMENT, "hs_code": "87-11", "reference": "BAD"})
    assert response.status_code == 200 and "HS code" in response.content.decode()
    shipment = shipment_make(world.alpha)
    response = client.post(
        f"/compliance/shipments/{shipment.pk}/vehicles/", {"mode": "list", "vins": "LAL00000000000000 nonsense"}
    )
    assert response.status_code == 200
    with schema_context(world.alpha.schema_name):
        assert not Shipment.objects.filter(reference="BAD").exists()
        assert Shipment.objects.get(pk=shipment.pk).vehicle_count == 0


def test_viewers_read_but_do_not_write(world):
    shipment = shipment_make(world.alpha)
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    assert viewer.get(f"/compliance/shipments/{shipment.pk}/").status_code == 200
    assert viewer.post(f"/compliance/shipments/{shipment.pk}/cancel/").status_code == 403
    with schema_context(world.alpha.schema_name):
        assert Shipment.objects.get(pk=shipment.pk).status == "open"


def test_the_release_form_is_for_compliance_officers_only_and_asks_once(world):
    model = eu_l3e_model(world.alpha, certified=False)
    shipment = shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 1))
    assert shipment.verdict == "blocked"
    manager = world.person(world.alpha, Role.MANAGER)
    reason = {"reason": "Certificates are with the importer, verified with the type-approval authority."}
    client = client_for(world.alpha, manager)
    assert client.post(f"/compliance/shipments/{shipment.pk}/release/", reason).status_code == 403
    Membership.objects.filter(user=manager, partner=world.alpha).update(is_compliance_officer=True)
    assert 'data-testid="release-submit"' in client.get(f"/compliance/shipments/{shipment.pk}/").content.decode()
    asked = client.post(f"/compliance/shipments/{shipment.pk}/release/", reason)
    assert asked.status_code == 200 and 'data-testid="release-confirm"' in asked.content.decode()
    with schema_context(world.alpha.schema_name):
        assert not ShipmentOverride.objects.filter(shipment_id=shipment.pk).exists(), "nothing before the confirmation"
    confirmed = client.post(f"/compliance/shipments/{shipment.pk}/release/", {**reason, "confirmed": "yes"})
    assert confirmed.status_code == 302
    with schema_context(world.alpha.schema_name):
        assert ShipmentOverride.objects.get(shipment_id=shipment.pk).officer == manager
    assert 'data-testid="override"' in client.get(f"/compliance/shipments/{shipment.pk}/").content.decode()


def test_certificates_upload_and_download_only_for_members(world):
    model = model_make(world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    fake = client.post(
        "/compliance/certificates/new/",
        {
            "certificate_type": _type_id("un38-3"),
            "number": "FAKE",
            "issuing_body": "Lab",
            "vehicle_models": [model.pk],
            "valid_from": "2024-01-01",
            "file": SimpleUploadedFile("looks.pdf", b"MZ\x90\x00binary", "application/pdf"),
        },
    )
    assert fake.status_code == 200 and "Only PDF" in fake.content.decode()
    good = client.post(
        "/compliance/certificates/new/",
        {
            "certificate_type": _type_id("un38-3"),
            "number": "UN-OK",
            "issuing_body": "Lab",
            "vehicle_models": [model.pk],
            "valid_from": "2024-01-01",
            "file": pdf(),
        },
    )
    assert good.status_code == 302
    with schema_context(world.alpha.schema_name):
        certificate = Certificate.objects.get(number="UN-OK")
        assert not Certificate.objects.filter(number="FAKE").exists()
    download = client.get(f"/compliance/certificates/{certificate.pk}/file/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Cache-Control"] == "private, no-store"
    assert (
        client_for(world.alpha, world.person(world.beta, Role.OWNER))
        .get(f"/compliance/certificates/{certificate.pk}/file/")
        .status_code
        == 403
    )
    # The same id on beta's host is beta's schema: alpha's certificate does not exist there.
    assert (
        client_for(world.beta, world.person(world.beta, Role.OWNER))
        .get(f"/compliance/certificates/{certificate.pk}/file/")
        .status_code
        == 404
    )


def _type_id(code):
    from portal.reference.models import CertificateType

    return CertificateType.objects.get(code=code).pk


def test_the_api_runs_and_reads_checks(world):
    model = eu_l3e_model(world.alpha)
    vehicles = vehicles_make(world.alpha, model, 2)
    _key, raw = api_key_create(partner=world.alpha, name="erp", scopes=["compliance:write"])
    client = client_for(world.alpha)
    auth = {"HTTP_AUTHORIZATION": f"Api-Key {raw}"}
    created = client.post("/api/v1/shipments/", SHIPMENT, content_type="application/json", **auth)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["check"]["reasons"][0]["code"] == "no_vehicles"
    added = client.post(
        f"/api/v1/shipments/{pk}/vehicles/",
        {"vins": [v.vin for v in vehicles]},
        content_type="application/json",
        **auth,
    )
    assert added.status_code == 200 and added.json()["shipment"]["verdict"] == "cleared"
    check = client.post(f"/api/v1/shipments/{pk}/check/", content_type="application/json", **auth)
    assert check.status_code == 201 and check.json()["verdict"] == "cleared" and check.json()["trigger"] == "api"
    read = client.get(f"/api/v1/shipment-checks/{check.json()['id']}/", **auth).json()
    assert read["rules_version"] == check.json()["rules_version"]
    refused = client.post(
        f"/api/v1/shipments/{pk}/override/", {"reason": "x" * 30}, content_type="application/json", **auth
    )
    assert refused.status_code == 403, "API keys cannot override"
    shipped = client.post(f"/api/v1/shipments/{pk}/ship/", content_type="application/json", **auth)
    assert shipped.status_code == 200 and shipped.json()["status"] == "shipped"
    rules = client.get("/api/v1/market-requirements/", {"market": "EU"}, **auth).json()
    assert rules["count"] >= 5 and {rule["market"] for rule in rules["results"]} == {"EU"}


def test_a_read_only_key_cannot_write(world):
    _key, raw = api_key_create(partner=world.alpha, name="reader", scopes=["compliance:read"])
    response = client_for(world.alpha).post(
        "/api/v1/shipments/", SHIPMENT, content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {raw}"
    )
    assert response.status_code == 403
    with schema_context(world.alpha.schema_name):
        assert not Shipment.objects.exists()


def test_another_partner_lists_nothing_of_alpha(world):
    shipment_make(world.alpha, consignee_name="Alpha secret consignee")
    certificate_make(world.alpha, "un38-3", [model_make(world.alpha)], number="ALPHA-SECRET")
    beta = client_for(world.beta, world.person(world.beta, Role.OWNER))
    for path in (
        "/api/v1/shipments/",
        "/api/v1/certificates/",
        "/api/v1/shipment-checks/",
        "/compliance/",
        "/compliance/certificates/",
    ):
        body = beta.get(path).content.decode()
        assert "Alpha secret consignee" not in body and "ALPHA-SECRET" not in body, path


@pytest.mark.parametrize(
    "path",
    [
        "/compliance/",
        "/compliance/certificates/",
        "/api/v1/shipments/",
        "/api/v1/certificates/",
        "/api/v1/shipment-checks/",
    ],
)
def test_list_query_budgets_do_not_grow_with_rows(world, path):
    owner = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    model = model_make(world.alpha)

    def add(count):
        for _ in range(count):
            shipment_make(world.alpha)  # checked on creation: rows for /api/v1/shipment-checks/ too
            certificate_make(world.alpha, "un38-3", [model])

    add(2)
    owner.get(path)
    with query_budget(14) as few:
        assert owner.get(path).status_code == 200
    add(6)
    with query_budget(14) as many:
        assert owner.get(path).status_code == 200
    assert_same_queries(few, many, path)


def test_vehicles_come_off_a_shipment_by_page_and_by_api(world):
    model = eu_l3e_model(world.alpha)
    vehicles = vehicles_make(world.alpha, model, 3)
    shipment = shipment_make(world.alpha, vehicles=vehicles)
    member = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    response = member.post(f"/compliance/shipments/{shipment.pk}/remove-vehicles/", {"vin": [vehicles[0].vin]})
    assert response.status_code == 302
    _key, raw = api_key_create(partner=world.alpha, name="erp", scopes=["compliance:write"])
    removed = client_for(world.alpha).delete(
        f"/api/v1/shipments/{shipment.pk}/vehicles/",
        {"vins": [vehicles[1].vin]},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {raw}",
    )
    assert removed.status_code == 200 and removed.json()["removed"] == 1
    assert removed.json()["shipment"]["vehicle_count"] == 1
