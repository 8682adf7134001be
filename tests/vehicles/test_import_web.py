"""Import pages: upload form (role matrix, bad uploads change nothing), job page with progress, CSV of rejections."""

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tenants.utils import schema_context

from portal.vehicles.choices import ImportPhase, ImportStatus
from portal.vehicles.importing import pipeline, services
from portal.vehicles.importing.pipeline import import_run
from portal.vehicles.models import ImportJob, ImportRejection, Vehicle

from ..conftest import client_for
from .import_samples import csv_bytes, good_rows, job_make, media_root, setup_partner

LIST = "/vehicles/imports/"
NEW = "/vehicles/imports/new/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    with media_root(tmp_path / "media") as root:
        yield root


@pytest.fixture
def queued(monkeypatch):
    """Jobs queued after commit, with the schema the connection was on (no broker needed)."""
    sent = []
    monkeypatch.setattr(services, "import_job_queue", lambda *, job: sent.append((job.pk, connection.schema_name)))
    return sent


def jobs(partner) -> int:
    with schema_context(partner.schema_name):
        return ImportJob.objects.count()


def stored_files(settings) -> list:
    return (
        [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]
        if Path(settings.MEDIA_ROOT).exists()
        else []
    )


def upload(client, content: bytes, name="vehicles.csv", **fields):
    data = {"market": "CN", "mode": "all_or_nothing", **fields, "file": SimpleUploadedFile(name, content)}
    return client.post(NEW, data)


@pytest.mark.parametrize(("role", "allowed"), [("owner", True), ("manager", True), ("member", True), ("viewer", False)])
def test_upload_role_matrix(world, role, allowed, queued, django_capture_on_commit_callbacks, settings):
    model = setup_partner(world.alpha)
    client = client_for(world.alpha, world.person(world.alpha, role))
    assert client.get(LIST).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_bytes(good_rows(world.alpha, model.name, 2)))
    if allowed:
        assert response.status_code == 302
        with schema_context("alpha"):
            job = ImportJob.objects.get()
            assert response["Location"] == f"/vehicles/imports/{job.pk}/"
            assert (job.created_by, job.status, job.market) == (world.person(world.alpha, role), "queued", "CN")
        assert queued == [(job.pk, "alpha")]
    else:
        assert response.status_code == 403
        assert client.get(NEW).status_code == 403
        assert jobs(world.alpha) == 0 and queued == [] and stored_files(settings) == []


def test_outsiders_and_other_partners_cannot_upload(world, queued, settings):
    setup_partner(world.alpha)
    for user in (None, world.outsider, world.person(world.beta, "owner")):
        response = upload(client_for(world.alpha, user), b"vin,model,production_date\r\n")
        assert response.status_code in (302, 403, 404)
    assert jobs(world.alpha) == 0 and jobs(world.beta) == 0 and stored_files(settings) == []


BAD_UPLOADS = {
    "empty": (b"", "vehicles.csv", "empty"),
    "binary": (bytes(range(256)) * 64, "vehicles.csv", "binary"),
    "one long line": (b"x" * 200_000, "vehicles.csv", "longer than"),
    "no vin column": (b"model;production_date\r\nA;2025-01-01\r\n", "vehicles.csv", "no column for vin"),
    "xlsx not a zip": (b"vin,model\r\n", "vehicles.xlsx", "not an Excel workbook"),
    "damaged xlsx": (b"PK\x03\x04" + b"\x00" * 100, "vehicles.xlsx", "damaged"),
    "png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 200, "vehicles.csv", "binary"),
}


@pytest.mark.parametrize("kind", list(BAD_UPLOADS))
def test_bad_uploads_get_a_clear_error_and_change_nothing(world, kind, queued, settings):
    setup_partner(world.alpha)
    content, name, message = BAD_UPLOADS[kind]
    response = upload(client_for(world.alpha, world.person(world.alpha, "member")), content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert jobs(world.alpha) == 0 and queued == [] and stored_files(settings) == []


def test_upload_over_the_size_limit_is_refused(world, queued, settings, monkeypatch):
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 100)
    setup_partner(world.alpha)
    response = upload(
        client_for(world.alpha, world.person(world.alpha, "member")), b"vin,model,production_date\r\n" * 10
    )
    assert response.status_code == 400
    assert "larger than" in response.content.decode()
    assert jobs(world.alpha) == 0 and stored_files(settings) == []


def run_job(partner, job):
    with schema_context(partner.schema_name):
        connection.set_tenant(partner)
        import_run(job_id=job.pk)
        job.refresh_from_db()
    connection.set_schema_to_public()
    return job


def test_job_page_polls_progress_while_running_and_reloads_when_done(world):
    model = setup_partner(world.alpha)
    job = job_make(world.alpha, csv_bytes(good_rows(world.alpha, model.name, 3)))
    viewer = client_for(world.alpha, world.person(world.alpha, "viewer"))
    page = viewer.get(f"/vehicles/imports/{job.pk}/").content.decode()
    assert 'hx-trigger="every 1s"' in page and f"/vehicles/imports/{job.pk}/progress/" in page
    assert 'class="progress"' in page and "vehicle-import.js" in page
    run_job(world.alpha, job)
    fragment = viewer.get(f"/vehicles/imports/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200 and fragment["HX-Refresh"] == "true"
    assert 'data-progress="100"' in fragment.content.decode()
    page = viewer.get(f"/vehicles/imports/{job.pk}/").content.decode()
    assert "hx-trigger" not in page
    assert job.original_name in viewer.get(LIST).content.decode()


def test_progress_is_written_between_chunks(world, monkeypatch):
    model = setup_partner(world.alpha)
    monkeypatch.setattr(pipeline, "CHUNK_ROWS", 4)
    seen = []
    original = pipeline._progress

    def spy(job, **fields):
        original(job, **fields)
        seen.append((job.phase, job.rows_processed))

    monkeypatch.setattr(pipeline, "_progress", spy)
    run_job(world.alpha, job_make(world.alpha, csv_bytes(good_rows(world.alpha, model.name, 10))))
    reading = [rows for phase, rows in seen if phase == ImportPhase.READING]
    assert reading[-3:] == [4, 8, 10]


def test_rejected_rows_page_and_csv_neutralise_formulas(world):
    model = setup_partner(world.alpha)
    rows = [
        *good_rows(world.alpha, model.name, 1),
        ("=HYPERLINK(1)", model.name, "2025-01-01", "P"),
        ("LAL", "@SUM", "x", "y"),
    ]
    job = run_job(world.alpha, job_make(world.alpha, csv_bytes(rows)))
    assert job.status == ImportStatus.FAILED and job.rows_rejected == 2
    viewer = client_for(world.alpha, world.person(world.alpha, "viewer"))
    page = viewer.get(f"/vehicles/imports/{job.pk}/").content.decode()
    assert "=HYPERLINK(1)" in page and "nothing was imported" in page
    response = viewer.get(f"/vehicles/imports/{job.pk}/rejected.csv")
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert lines[0] == ["line", "column", "value", "reason"]
    assert [line[:3] for line in lines[1:]] == [  # every error of each row, not only the first
        ["3", "vin", "'=HYPERLINK(1)"],  # too short,
        ["3", "vin", "'=HYPERLINK(1)"],  # the letter I,
        ["3", "vin", "'=HYPERLINK(1)"],  # and = ( )
        ["4", "vin", "LAL"],
        ["4", "model", "'@SUM"],
        ["4", "production_date", "x"],
    ]
    with schema_context("alpha"):
        assert Vehicle.objects.count() == 0


def test_other_partners_see_no_import_page_file_or_csv(world):
    model = setup_partner(world.alpha)
    job = run_job(world.alpha, job_make(world.alpha, csv_bytes(good_rows(world.alpha, model.name, 1))))
    with schema_context("alpha"):
        ImportRejection.objects.create(job=job, line=9, column="vin", value="ALPHASECRET", reason="r")
        file_name = job.file.name
    for partner, user in (
        (world.alpha, world.person(world.beta, "owner")),
        (world.beta, world.person(world.beta, "owner")),
    ):
        client = client_for(partner, user)
        for url in (f"/vehicles/imports/{job.pk}/", f"/vehicles/imports/{job.pk}/rejected.csv"):
            response = client.get(url)
            assert response.status_code in (302, 403, 404)
            assert b"ALPHASECRET" not in b"".join(getattr(response, "streaming_content", [response.content]))
        assert job.original_name not in client.get(LIST).content.decode()
    # Uploaded files are never served by a URL, not even to their own partner.
    owner = client_for(world.alpha, world.person(world.alpha, "owner"))
    for url in (f"/media/{file_name}", f"/media/alpha/{file_name}", f"/{file_name}"):
        assert owner.get(url).status_code == 404


def test_demo_seed_is_idempotent(world):
    import io as _io

    from portal.reference.models import WmiAssignment
    from portal.vehicles.importing import demo

    setup_partner(world.alpha)
    WmiAssignment.objects.get_or_create(wmi="LCT", defaults={"partner": world.alpha})
    for _ in range(2):
        demo.seed(partners={"cq-thunder": world.alpha}, stdout=_io.StringIO())
    with schema_context("alpha"):
        jobs_by_name = {job.original_name: job for job in ImportJob.objects.all()}
        assert set(jobs_by_name) == {"erp-export-2025-05.csv", "erp-export-2025-06.csv", "eu-assembly-2025-07.csv"}
        real, dry = jobs_by_name["erp-export-2025-05.csv"], jobs_by_name["erp-export-2025-06.csv"]
        eu = jobs_by_name["eu-assembly-2025-07.csv"]
        assert (real.status, real.rows_created, real.rows_rejected) == ("succeeded", 40, 3)
        assert (dry.status, dry.rows_created, dry.rows_rejected) == ("succeeded", 40, 3)  # waits to be imported
        assert (eu.status, eu.market, eu.rows_created, eu.rows_rejected, eu.rows_warned) == (
            "succeeded",
            "EU",
            40,
            3,
            40,
        )
        assert Vehicle.objects.count() == 80
