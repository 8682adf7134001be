"""Hostile uploads: decompression and XML bombs, wrong encodings, binaries, oversize files, hostile names.

The corpus runs against every endpoint that reads an uploaded table (vehicle and battery import pages and APIs, a
shipment's VIN file, supply reports, the admin imports of the rule tables and the screening list): each file is
refused at once with a clear message, no 5xx, and nothing is written (no job, no stored file, no row)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from portal.collaboration.models import Document
from portal.compliance.models import ShipmentVehicle
from portal.core.uploads import UploadError, open_table, upload_check
from portal.reference.models import CertificateType, Embargo, MarketBloc, MarketRequirement, ScreenedParty
from portal.supply.models import SupplyReport
from portal.vehicles.choices import ImportStatus
from portal.vehicles.importing import services
from portal.vehicles.importing.pipeline import import_run
from portal.vehicles.models import ImportJob, Vehicle, VehicleModel
from tenants.choices import Role

from ..collaboration.factories import project_for
from ..compliance.factories import shipment_make
from ..conftest import client_for
from ..vehicles.import_samples import media_root
from .corpus import FAILS_WHEN_RUN, HOSTILE_FILES, entity_bomb_xlsx, zip_bomb_xlsx

CASES = sorted(HOSTILE_FILES)


@pytest.fixture
def media(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "import_job_queue", lambda *, job: None)
    with media_root(tmp_path / "media") as root:
        yield root


def _stored(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def _upload(case) -> SimpleUploadedFile:
    name, build = HOSTILE_FILES[case]
    return SimpleUploadedFile(name, build())


@pytest.mark.parametrize("case", CASES)
def test_hostile_import_files_are_refused_clearly_on_the_page_and_the_api(world, media, case):
    member = world.person(world.alpha, Role.MEMBER)
    page = client_for(world.alpha, member).post(
        "/vehicles/imports/new/", {"market": "CN", "mode": "all_or_nothing", "file": _upload(case)}
    )
    if case in FAILS_WHEN_RUN:
        _fails_visibly_when_run(world, page, case)
        return
    assert page.status_code == 400, "the form is shown again, with the reason"
    assert page.context["form"].errors["file"], case
    api = client_for(world.alpha, member).post("/api/v1/vehicle-imports/", {"market": "CN", "file": _upload(case)})
    assert api.status_code == 400, case
    assert api.json()["errors"][0]["attr"] == "file" and api.json()["errors"][0]["detail"]
    with schema_context("alpha"):
        assert (ImportJob.objects.count(), Vehicle.objects.count()) == (0, 0)
    assert _stored(media) == [], "a refused upload leaves no file behind"


def _fails_visibly_when_run(world, page, case):
    """Files whose trouble shows only past the header: stored, then the run fails with a reason, importing nothing."""
    assert page.status_code == 302, case
    with schema_context("alpha"):
        job = ImportJob.objects.get()
        import_run(job_id=job.pk)
        job.refresh_from_db()
        assert (job.status, job.rows_created, Vehicle.objects.count()) == (ImportStatus.FAILED, 0, 0), case
        assert job.error_message, case


@pytest.mark.parametrize("case", CASES)
def test_hostile_vin_files_are_refused_on_a_shipment(world, case):
    shipment = shipment_make(world.alpha)
    with schema_context("alpha"):
        before = ShipmentVehicle.objects.count()
    response = client_for(world.alpha, world.person(world.alpha, Role.MEMBER)).post(
        f"/compliance/shipments/{shipment.pk}/vehicles/", {"mode": "file", "file": _upload(case)}
    )
    assert response.status_code in (200, 400), case
    assert response.context["file_form"].errors["file"], case
    with schema_context("alpha"):
        assert ShipmentVehicle.objects.count() == before, "a refused file added vehicles"


@pytest.mark.parametrize("case", CASES)
def test_hostile_supply_files_are_refused(world, case):
    response = client_for(world.alpha, world.person(world.alpha, Role.MEMBER)).post("/supply/", {"file": _upload(case)})
    assert response.status_code == 400, case
    assert response.context["upload"].errors["file"], case
    with schema_context("alpha"):
        assert SupplyReport.objects.count() == 0


REFERENCE_TABLES = {
    "marketbloc": MarketBloc,
    "certificatetype": CertificateType,
    "marketrequirement": MarketRequirement,
    "embargo": Embargo,
    "screenedparty": ScreenedParty,
}


def _table_state(model) -> tuple[int, int]:
    return model.objects.count(), model.history.count()


@pytest.mark.parametrize("table", sorted(REFERENCE_TABLES))
@pytest.mark.parametrize("case", CASES)
def test_hostile_files_are_refused_by_the_admin_imports_of_the_rule_tables(world, table, case):
    model = REFERENCE_TABLES[table]
    before = _table_state(model)
    name = HOSTILE_FILES[case][0]
    file_format = "1" if name.endswith(".xlsx") else "0"  # the admin's choice: ReaderCSV, ReaderXLSX
    response = client_for(None, world.staff).post(
        f"/admin/reference/{table}/import/", {"format": file_format, "import_file": _upload(case)}
    )
    assert response.status_code == 200, case
    errors = " ".join(response.context["form"].errors["import_file"])
    assert errors and "encountered while trying to read" not in errors, f"{case}: the reader's own words: {errors}"
    assert "result" not in response.context or not response.context["result"], "nothing reached the resource"
    assert _table_state(model) == before, "a refused file changed the table"


def test_the_admin_import_reads_a_gbk_semicolon_file_through_the_reader(world):
    """The rule tables' import accepts what the reader accepts (here GBK, semicolons), then confirms and writes."""
    before = ScreenedParty.objects.count()
    content = (
        "name;aliases;country;list_source;date_added\n重庆测试贸易有限公司;CQ Test Trading;CN;Test list;2026-01-05\n"
    )
    staff = client_for(None, world.staff)
    response = staff.post(
        "/admin/reference/screenedparty/import/",
        {"format": "0", "import_file": SimpleUploadedFile("list.csv", content.encode("gbk"))},
    )
    assert response.status_code == 200 and not response.context["form"].errors
    confirm = response.context["confirm_form"].initial
    response = staff.post("/admin/reference/screenedparty/process_import/", confirm)
    assert response.status_code == 302, response.content[:500]
    assert ScreenedParty.objects.count() == before + 1
    assert ScreenedParty.objects.filter(name="重庆测试贸易有限公司", country="CN").exists()


def test_an_oversize_admin_import_is_refused_before_it_is_stored(world, monkeypatch):
    monkeypatch.setattr("portal.reference.admin.MAX_IMPORT_BYTES", 1024)
    before = _table_state(ScreenedParty)
    response = client_for(None, world.staff).post(
        "/admin/reference/screenedparty/import/",
        {"format": "0", "import_file": SimpleUploadedFile("big.csv", b"name\n" + b"A" * 2048)},
    )
    assert response.status_code == 200
    assert "larger than" in " ".join(response.context["form"].errors["import_file"])
    assert _table_state(ScreenedParty) == before


def test_a_decompression_bomb_is_refused_from_its_directory_alone(tmp_path, monkeypatch):
    """The check reads the ZIP directory, never the inflated data: openpyxl is not even called."""
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(zip_bomb_xlsx(inflated_mb=200))
    assert path.stat().st_size < 2 * 1024**2
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: pytest.fail("the bomb was opened"))
    with pytest.raises(UploadError, match="unpack"):
        upload_check(path, name="bomb.xlsx")
    with pytest.raises(UploadError, match="unpack"):
        upload_check(io.BytesIO(path.read_bytes()), name="bomb.xlsx")  # an upload still in memory, likewise


def test_xml_entities_are_refused_not_expanded(tmp_path):
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(entity_bomb_xlsx())
    with pytest.raises(UploadError, match="damaged"), open_table(path, name="laughs.xlsx") as table:
        list(table.rows)


def test_an_oversize_import_is_refused_before_it_is_stored(world, media, monkeypatch):
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 1024)
    response = client_for(world.alpha, world.person(world.alpha, Role.MEMBER)).post(
        "/api/v1/vehicle-imports/", {"market": "CN", "file": SimpleUploadedFile("big.csv", b"vin\n" + b"A" * 2048)}
    )
    assert response.status_code == 400 and "larger than" in response.json()["errors"][0]["detail"]
    assert _stored(media) == []
    with schema_context("alpha"):
        assert ImportJob.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("../../../etc/passwd.pdf", b"%PDF-1.4 x", "application/pdf"),
        ("\u202efdp.exe", b"%PDF-1.4 x", "application/pdf"),
        ("x" * 400 + ".pdf", b"%PDF-1.4 x", "application/pdf"),
        ("nul\x00.pdf", b"%PDF-1.4 x", "application/pdf"),
    ],
)
def test_hostile_document_names_are_stored_under_safe_names(world, tmp_path, settings, name, content, content_type):
    settings.COLLABORATION_DOCUMENTS_ROOT = str(tmp_path)
    project = project_for(world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    response = client.post(
        f"/projects/{project.pk}/documents/", {"file": SimpleUploadedFile(name, content, content_type=content_type)}
    )
    assert response.status_code == 302, "a harmless document under a hostile name is accepted, renamed"
    assert Document.objects.filter(project=project).count() == 1
    for document in Document.objects.filter(project=project):
        stored = (tmp_path / document.file.name).resolve()
        assert stored.is_relative_to(tmp_path.resolve()), "no path traversal out of the documents folder"
        assert "\x00" not in document.name and "\u202e" not in document.name and len(document.name) <= 255
        assert "/" not in document.name


@pytest.mark.parametrize(
    ("body", "content", "reason"),
    [
        (b"%PDF-1.4 " + b"x" * (10 * 1024 * 1024), "application/pdf", "larger than 10 MB"),
        (b"MZ\x90\x00 not a pdf", "application/pdf", "does not match its type"),
        (b"<html><script>alert(1)</script></html>", "text/html", "Only PDF, PNG, JPEG and office documents"),
    ],
)
def test_documents_that_are_too_big_or_not_what_they_claim_are_refused(
    world, tmp_path, settings, body, content, reason
):
    settings.COLLABORATION_DOCUMENTS_ROOT = str(tmp_path)
    project = project_for(world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    response = client.post(
        f"/projects/{project.pk}/documents/",
        {"file": SimpleUploadedFile("evidence.pdf", body, content_type=content)},
        follow=True,
    )
    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert any(reason in message for message in shown), f"the refusal and its reason are shown: {shown}"
    assert not Document.objects.filter(project=project).exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_an_oversize_json_body_gets_a_clear_400(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    with schema_context("alpha"):
        before = VehicleModel.objects.count()
    body = '{"name": "' + "x" * (3 * 1024 * 1024) + '"}'
    response = client.post("/api/v1/vehicle-models/", body, content_type="application/json")
    assert response.status_code in (400, 413)
    with schema_context("alpha"):
        assert VehicleModel.objects.count() == before


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("kind", ["batteries", "battery_readings"])
def test_hostile_files_are_refused_by_the_battery_import_page_and_api(world, media, case, kind):
    """The battery passports' imports read files through the same pipeline: refused at upload with the reason on
    the file, or (trouble past the header) stored and failed with a reason when run; nothing imported."""
    from portal.batteries.models import Battery, BatteryReading

    member = world.person(world.alpha, Role.MEMBER)
    page = client_for(world.alpha, member).post(
        "/batteries/imports/new/", {"kind": kind, "mode": "all_or_nothing", "file": _upload(case)}
    )
    api = client_for(world.alpha, member).post("/api/v1/battery-imports/", {"kind": kind, "file": _upload(case)})
    for response in (page, api):
        if response.status_code in (302, 202):
            assert case in FAILS_WHEN_RUN, case
            continue
        assert response.status_code == 400, case
    if page.status_code == 400:
        assert page.context["form"].errors["file"], case
    if api.status_code == 400:
        assert api.json()["errors"][0]["attr"] == "file" and api.json()["errors"][0]["detail"]
    with schema_context("alpha"):
        for job in ImportJob.objects.all():
            import_run(job_id=job.pk)
            job.refresh_from_db()
            assert (job.kind, job.status, job.rows_created) == (kind, ImportStatus.FAILED, 0), case
            assert job.error_message, case
        assert (Battery.objects.count(), BatteryReading.objects.count()) == (0, 0)
    if page.status_code == 400 and api.status_code == 400:
        assert _stored(media) == [], "a refused upload leaves no file behind"
