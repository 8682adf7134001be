"""Battery import page and API: upload, list, templates, roles and isolation."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from portal.vehicles.importing import services
from portal.vehicles.models import ImportJob
from tenants.choices import Role
from tests.conftest import client_for
from tests.vehicles.import_samples import csv_bytes, job_make, media_root

from .factories import identifier_next, model_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "import_job_queue", lambda *, job: None)
    with media_root(tmp_path):
        yield tmp_path


def _file(model_code: str) -> SimpleUploadedFile:
    content = csv_bytes([(identifier_next(), model_code)], header=["identifier", "model"])
    return SimpleUploadedFile("batteries.csv", content)


def test_a_member_uploads_on_the_page_and_lands_on_the_job(world, media):
    model = model_make(world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    assert client.get("/batteries/imports/new/").status_code == 200
    response = client.post(
        "/batteries/imports/new/", {"kind": "batteries", "mode": "valid_rows", "file": _file(model.code)}
    )
    assert response.status_code == 302
    with schema_context("alpha"):
        job = ImportJob.objects.get()
    assert job.kind == "batteries" and response["Location"] == f"/vehicles/imports/{job.pk}/"
    listing = client.get("/batteries/imports/")
    assert listing.status_code == 200 and job.original_name in listing.content.decode()
    assert client.get(response["Location"]).status_code == 200
    # The vehicle import list shows vehicle jobs only.
    assert job.original_name not in client.get("/vehicles/imports/").content.decode()


def test_a_viewer_reads_but_cannot_upload(world, media):
    model = model_make(world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    assert client.get("/batteries/imports/").status_code == 200
    response = client.post(
        "/batteries/imports/new/", {"kind": "batteries", "mode": "valid_rows", "file": _file(model.code)}
    )
    assert response.status_code == 403
    with schema_context("alpha"):
        assert not ImportJob.objects.exists()


def test_the_api_takes_a_file_of_either_kind(world, media):
    model = model_make(world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    response = client.post("/api/v1/battery-imports/", {"kind": "batteries", "file": _file(model.code)})
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["kind"] == "batteries" and "market" not in body
    readings = SimpleUploadedFile("r.csv", csv_bytes([("LA-1", "2026-01-01")], header=["identifier", "measured at"]))
    response = client.post("/api/v1/battery-imports/", {"kind": "battery_readings", "file": readings})
    assert response.status_code == 202 and response.json()["kind"] == "battery_readings"
    listed = client.get("/api/v1/battery-imports/").json()
    assert {row["kind"] for row in listed["results"]} == {"batteries", "battery_readings"}
    assert client.get(f"/api/v1/battery-imports/{body['id']}/").status_code == 200
    # Not a vehicle import: the vehicle endpoint does not answer for it.
    assert client.get(f"/api/v1/vehicle-imports/{body['id']}/").status_code == 404
    wrong = client.post("/api/v1/battery-imports/", {"kind": "vehicles", "file": _file(model.code)})
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["attr"] == "kind"


def test_another_partner_never_sees_the_jobs(world, media):
    model = model_make(world.alpha)
    alpha = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    job_id = alpha.post("/api/v1/battery-imports/", {"kind": "batteries", "file": _file(model.code)}).json()["id"]
    beta = client_for(world.beta, world.person(world.beta, Role.OWNER))
    assert beta.get(f"/api/v1/battery-imports/{job_id}/").status_code == 404
    assert beta.get(f"/vehicles/imports/{job_id}/").status_code == 404
    assert job_id not in beta.get("/batteries/imports/").content.decode()


@pytest.mark.parametrize("language", ["en", "zh-hans", "ar", "th"])
def test_templates_name_the_columns_in_the_readers_language(world, language):
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    for kind in ("batteries", "battery_readings"):
        response = client.get(f"/batteries/imports/template-{kind}.csv", HTTP_ACCEPT_LANGUAGE=language)
        assert response.status_code == 200
        xlsx = client.get(f"/batteries/imports/template-{kind}.xlsx", HTTP_ACCEPT_LANGUAGE=language)
        assert xlsx.status_code == 200
    assert client.get("/batteries/imports/template-vehicles.csv").status_code == 404


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_job_page_names_a_battery_import_by_its_kind(world, media, language):
    """The job page is every kind's: a battery job is a battery import there (title, kind line, breadcrumb to the
    battery imports), never a vehicle import, in the reader's language."""
    battery_job = job_make(world.alpha, b"identifier,model\r\n", name="b.csv", kind="batteries", market="EU")
    vehicle_job = job_make(world.alpha, b"vin,model,production_date\r\n", name="v.csv")
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    with translation.override(language):
        battery, vehicle, imports, market = (
            _("Battery import"),
            _("Vehicle import"),
            _("Battery imports"),
            _("Target market"),
        )
    if language != "en":
        assert (battery, vehicle) != ("Battery import", "Vehicle import")  # translated, or the test proves nothing
    page = client.get(f"/vehicles/imports/{battery_job.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<title>{battery}" in page and f'data-testid="import-kind">{battery}<' in page
    assert f'href="/batteries/imports/">{imports}</a>' in page
    assert vehicle not in page and market not in page  # a battery job has no market to choose
    page = client.get(f"/vehicles/imports/{vehicle_job.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f"<title>{vehicle}" in page and f'data-testid="import-kind">{vehicle}<' in page and market in page


def test_each_kind_gets_its_upload_page_from_the_same_form(world, media):
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    batteries = client.get("/batteries/imports/new/")
    vehicles = client.get("/vehicles/imports/new/")
    assert batteries.templates[0].name == vehicles.templates[0].name == "vehicles/import_form.html"
    assert set(batteries.context["form"].fields) == {"file", "kind", "mode", "dry_run"}
    assert set(vehicles.context["form"].fields) == {"file", "market", "mode", "dry_run"}
    page = batteries.content.decode()
    for kind in ("batteries", "battery_readings"):
        assert f'href="/batteries/imports/template-{kind}.xlsx"' in page
    assert 'href="/vehicles/imports/template.csv"' in vehicles.content.decode()
