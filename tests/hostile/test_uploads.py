"""Hostile uploads: decompression and XML bombs, wrong encodings, binaries, oversize files, hostile names.
Each is refused at once with a clear message and leaves nothing behind (no job, no stored file)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from portal.collaboration.models import Document
from portal.vehicles.choices import ImportStatus
from portal.vehicles.importing import readers, services
from portal.vehicles.importing.errors import ImportFileError
from portal.vehicles.importing.pipeline import import_run
from portal.vehicles.models import ImportJob, Vehicle
from tenants.choices import Role

from ..collaboration.factories import project_for
from ..conftest import client_for
from ..vehicles.import_samples import media_root
from .corpus import FAILS_WHEN_RUN, HOSTILE_FILES, entity_bomb_xlsx, zip_bomb_xlsx


@pytest.fixture
def media(tmp_path, monkeypatch):
    monkeypatch.setattr(services, "import_job_queue", lambda *, job: None)
    with media_root(tmp_path / "media") as root:
        yield root


def _stored(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize("case", sorted(HOSTILE_FILES))
def test_hostile_import_files_are_refused_clearly_on_the_page_and_the_api(world, media, case):
    name, build = HOSTILE_FILES[case]
    content = build()
    member = world.person(world.alpha, Role.MEMBER)
    page = client_for(world.alpha, member).post(
        "/vehicles/imports/new/",
        {"market": "CN", "mode": "all_or_nothing", "file": SimpleUploadedFile(name, content)},
    )
    if case in FAILS_WHEN_RUN:
        _fails_visibly_when_run(world, page, case)
        return
    assert page.status_code == 400, "the form is shown again, with the reason"
    assert page.context["form"].errors["file"], case
    api = client_for(world.alpha, member).post(
        "/api/v1/vehicle-imports/", {"market": "CN", "file": SimpleUploadedFile(name, content)}
    )
    assert api.status_code == 400, case
    assert api.json()["errors"][0]["attr"] == "file" and api.json()["errors"][0]["detail"]
    with schema_context("alpha"):
        assert ImportJob.objects.count() == 0
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


def test_a_decompression_bomb_is_refused_from_its_directory_alone(tmp_path, monkeypatch):
    """The check reads the ZIP directory, never the inflated data: openpyxl is not even called."""
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(zip_bomb_xlsx(inflated_mb=200))
    assert path.stat().st_size < 2 * 1024**2
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: pytest.fail("the bomb was opened"))
    with pytest.raises(ImportFileError, match="unpack"):
        readers.check_upload(path, name="bomb.xlsx")


def test_xml_entities_are_refused_not_expanded(tmp_path):
    path = tmp_path / "laughs.xlsx"
    path.write_bytes(entity_bomb_xlsx())
    with pytest.raises(ImportFileError, match="damaged"), readers.open_table(path, name="laughs.xlsx") as table:
        list(table.rows)


def test_an_oversize_import_is_refused_before_it_is_stored(world, media, monkeypatch):
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 1024)
    response = client_for(world.alpha, world.person(world.alpha, Role.MEMBER)).post(
        "/api/v1/vehicle-imports/", {"market": "CN", "file": SimpleUploadedFile("big.csv", b"vin\n" + b"A" * 2048)}
    )
    assert response.status_code == 400 and "larger than" in response.json()["errors"][0]["detail"]
    assert _stored(media) == []


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
    assert response.status_code in (200, 302)
    for document in Document.objects.filter(project=project):
        stored = (tmp_path / document.file.name).resolve()
        assert stored.is_relative_to(tmp_path.resolve()), "no path traversal out of the documents folder"
        assert "\x00" not in document.name and "\u202e" not in document.name and len(document.name) <= 255
        assert "/" not in document.name


@pytest.mark.parametrize(
    ("body", "content"),
    [
        (b"%PDF-1.4 " + b"x" * (10 * 1024 * 1024), "application/pdf"),
        (b"MZ\x90\x00 not a pdf", "application/pdf"),
        (b"<html><script>alert(1)</script></html>", "text/html"),
    ],
)
def test_documents_that_are_too_big_or_not_what_they_claim_are_refused(world, tmp_path, settings, body, content):
    settings.COLLABORATION_DOCUMENTS_ROOT = str(tmp_path)
    project = project_for(world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    response = client.post(
        f"/projects/{project.pk}/documents/", {"file": SimpleUploadedFile("evidence.pdf", body, content_type=content)}
    )
    assert response.status_code in (200, 302)
    assert not Document.objects.filter(project=project).exists()
    assert not [path for path in tmp_path.rglob("*") if path.is_file()]


def test_an_oversize_json_body_gets_a_clear_400(world):
    client = client_for(world.alpha, world.person(world.alpha, Role.OWNER))
    body = '{"name": "' + "x" * (3 * 1024 * 1024) + '"}'
    response = client.post("/api/v1/vehicle-models/", body, content_type="application/json")
    assert response.status_code in (400, 413)
