"""Imports that say what happened: every error of a row, warnings, dry run → import without a second upload,
outcome sentences, the localised template, and the vehicle history linking the import run."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.utils import translation
from django_tenants.utils import schema_context

from portal.vehicles.choices import ImportMode, ImportProblemLevel, ImportStatus
from portal.vehicles.importing import services
from portal.vehicles.importing.headers import FIELDS, TEMPLATE_LABELS, _lookup, match_header, normalise
from portal.vehicles.importing.pipeline import import_run
from portal.vehicles.importing.selectors import import_job_outcome
from portal.vehicles.importing.services import import_job_commit
from portal.vehicles.models import ImportJob, ImportRejection, Vehicle, VehicleStatusChange
from portal.vehicles.vin import check_digit

from ..conftest import client_for
from .factories import WMI, vin_for
from .import_samples import csv_bytes, good_rows, job_make, media_root, setup_partner

API = "/api/v1/vehicle-imports/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    with media_root(tmp_path) as root:
        yield root


@pytest.fixture
def queued(monkeypatch):
    """Runs queued after commit (no broker): the job ids."""
    sent = []
    monkeypatch.setattr(services, "import_job_queue", lambda *, job: sent.append(job.pk))
    return sent


def run(partner, job) -> ImportJob:
    with schema_context(partner.schema_name):
        connection.set_tenant(partner)
        import_run(job_id=job.pk)
        job.refresh_from_db()
    connection.set_schema_to_public()
    return job


def wrong_check_digit(vin: str) -> str:
    """The VIN with a check digit that does not match (an error in CN, only a warning in the EU)."""
    wrong = "0" if check_digit(vin) != "0" else "1"
    return vin[:8] + wrong + vin[9:]


def problems(partner, job, level) -> list[tuple]:
    with schema_context(partner.schema_name):
        rows = ImportRejection.objects.filter(job=job, level=level).order_by("line", "id")
        return list(rows.values_list("line", "column"))


def test_every_error_of_a_row_is_reported(world):
    model = setup_partner(world.alpha)
    rows = [*good_rows(world.alpha, model.name, 1), ("LAL", "No such model", "yesterday", "P")]
    job = run(world.alpha, job_make(world.alpha, csv_bytes(rows), mode=ImportMode.VALID_ROWS))
    assert (job.rows_rejected, job.rows_created) == (1, 1)  # rows, not problems
    assert problems(world.alpha, job, ImportProblemLevel.ERROR) == [
        (3, "vin"),
        (3, "model"),
        (3, "production_date"),
    ]


def test_an_advisory_check_digit_is_a_warning_in_the_eu_and_an_error_in_china(world):
    model = setup_partner(world.alpha)
    vin = wrong_check_digit(vin_for(WMI["alpha"]))
    content = csv_bytes([(vin, model.name, "2025-03-01", "P")])
    eu = run(world.alpha, job_make(world.alpha, content, market="EU"))
    assert (eu.status, eu.rows_created, eu.rows_rejected, eu.rows_warned) == (ImportStatus.SUCCEEDED, 1, 0, 1)
    assert problems(world.alpha, eu, ImportProblemLevel.WARNING) == [(2, "vin")]
    body = client_for(world.alpha, world.person(world.alpha, "viewer")).get(f"{API}{eu.pk}/").json()
    assert body["rows_warned"] == 1 and "check digit" in body["warnings"][0]["message"]
    page = client_for(world.alpha, world.person(world.alpha, "viewer")).get(f"/vehicles/imports/{eu.pk}/")
    assert 'data-testid="warnings"' in page.content.decode()
    with schema_context("alpha"):
        Vehicle.objects.all().delete()
    cn = run(world.alpha, job_make(world.alpha, content, market="CN"))
    assert (cn.rows_rejected, cn.rows_warned) == (1, 0)
    assert problems(world.alpha, cn, ImportProblemLevel.WARNING) == []


def _dry_run(world, rows, **fields):
    content = csv_bytes(rows)
    return run(world.alpha, job_make(world.alpha, content, dry_run=True, **fields))


def test_a_dry_run_is_imported_without_a_second_upload(world, queued, django_capture_on_commit_callbacks):
    model = setup_partner(world.alpha)
    member = world.person(world.alpha, "member")
    dry = _dry_run(world, good_rows(world.alpha, model.name, 3), user=member)
    assert import_job_outcome(dry).text == "Dry run: would import 3, reject 0."
    client = client_for(world.alpha, member)
    page = client.get(f"/vehicles/imports/{dry.pk}/").content.decode()
    assert "Import these rows" in page and f"/vehicles/imports/{dry.pk}/commit/" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/vehicles/imports/{dry.pk}/commit/")
    with schema_context("alpha"):
        run_job = ImportJob.objects.get(committed_from=dry)
        assert (run_job.dry_run, run_job.file.name, run_job.created_by) == (False, dry.file.name, member)
    assert response.status_code == 302 and response["Location"] == f"/vehicles/imports/{run_job.pk}/"
    assert queued == [run_job.pk]
    run_job = run(world.alpha, run_job)
    assert import_job_outcome(run_job).text == "Imported 3, rejected 0."
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(f"/vehicles/imports/{dry.pk}/commit/")
    assert again["Location"] == f"/vehicles/imports/{run_job.pk}/"  # imported once
    assert queued == [run_job.pk]
    dry_page = client.get(f"/vehicles/imports/{dry.pk}/").content.decode()
    assert 'data-testid="committed"' in dry_page and 'data-testid="commit"' not in dry_page


def test_all_or_nothing_dry_run_offers_the_valid_rows_and_says_the_file_would_be_refused(world, queued):
    model = setup_partner(world.alpha)
    rows = [*good_rows(world.alpha, model.name, 5), *[("BAD", model.name, "2025-01-01", "P")] * 3]
    dry = _dry_run(world, rows)
    outcome = import_job_outcome(dry)
    assert outcome.text.startswith("Dry run: would import 5, reject 3.") and "would be refused" in outcome.text
    client = client_for(world.alpha, world.person(world.alpha, "member"))
    assert "Import the 5 valid rows" in client.get(f"/vehicles/imports/{dry.pk}/").content.decode()
    client.post(f"/vehicles/imports/{dry.pk}/commit/", {"mode": ImportMode.VALID_ROWS})
    with schema_context("alpha"):
        assert ImportJob.objects.get(committed_from=dry).mode == ImportMode.VALID_ROWS


@pytest.mark.parametrize(("role", "allowed"), [("member", True), ("viewer", False)])
def test_commit_role_matrix_and_only_dry_runs(world, role, allowed, queued):
    model = setup_partner(world.alpha)
    dry = _dry_run(world, good_rows(world.alpha, model.name, 1))
    response = client_for(world.alpha, world.person(world.alpha, role)).post(f"/vehicles/imports/{dry.pk}/commit/")
    with schema_context("alpha"):
        commits = ImportJob.objects.filter(committed_from=dry).count()
    assert (response.status_code, commits) == ((302, 1) if allowed else (403, 0))


def test_a_real_run_or_an_unfinished_dry_run_cannot_be_committed(world, queued):
    model = setup_partner(world.alpha)
    real = run(world.alpha, job_make(world.alpha, csv_bytes(good_rows(world.alpha, model.name, 1))))
    pending = job_make(world.alpha, csv_bytes(good_rows(world.alpha, model.name, 1, start=5)), dry_run=True)
    with schema_context("alpha"):
        for job in (real, pending):
            with pytest.raises(services.ValidationError):
                import_job_commit(user=None, dry_run_job=job)
        assert not ImportJob.objects.filter(committed_from__isnull=False).exists()


def test_api_commit_answers_202_with_the_new_run(world, queued, django_capture_on_commit_callbacks):
    model = setup_partner(world.alpha)
    dry = _dry_run(world, good_rows(world.alpha, model.name, 2))
    client = client_for(world.alpha, world.person(world.alpha, "member"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}{dry.pk}/commit/", {}, content_type="application/json")
    assert response.status_code == 202
    body = response.json()
    assert (body["committed_from"], body["dry_run"], body["status"]) == (str(dry.pk), False, "queued")
    assert [str(pk) for pk in queued] == [body["id"]]
    viewer = client_for(world.alpha, world.person(world.alpha, "viewer"))
    assert viewer.post(f"{API}{dry.pk}/commit/", {}, content_type="application/json").status_code == 403


def test_outcomes_never_read_succeeded_over_rejected_rows(world):
    model = setup_partner(world.alpha)
    rows = [*good_rows(world.alpha, model.name, 5), *[("BAD", model.name, "2025-01-01", "P")] * 3]
    partly = run(world.alpha, job_make(world.alpha, csv_bytes(rows), mode=ImportMode.VALID_ROWS))
    outcome = import_job_outcome(partly)
    assert (outcome.text, outcome.tone) == ("Imported 5, rejected 3.", "warning")
    refused = run(world.alpha, job_make(world.alpha, csv_bytes(rows[5:] + good_rows(world.alpha, model.name, 1))))
    outcome = import_job_outcome(refused)
    assert outcome.label == "Refused" and outcome.text.startswith("Refused: nothing imported")
    page = client_for(world.alpha, world.person(world.alpha, "viewer")).get("/vehicles/imports/").content.decode()
    assert "Succeeded" not in page and "Partly imported" in page and "Refused" in page


def test_the_history_links_the_imports_that_changed_a_vehicle(world):
    model = setup_partner(world.alpha)
    vin = vin_for(WMI["alpha"])
    first = run(world.alpha, job_make(world.alpha, csv_bytes([(vin, model.name, "2025-03-01", "Banan")])))
    second = run(world.alpha, job_make(world.alpha, csv_bytes([(vin, model.name, "2025-03-01", "Liangjiang")])))
    third = run(world.alpha, job_make(world.alpha, csv_bytes([(vin, model.name, "2025-03-01", "Liangjiang")])))
    assert (second.rows_updated, third.rows_unchanged) == (1, 1)
    with schema_context("alpha"):
        history = list(VehicleStatusChange.objects.filter(vehicle__vin=vin).order_by("id"))
        assert [change.import_job_id for change in history] == [first.pk, second.pk]  # nothing for "unchanged"
        assert (history[1].from_status, history[1].to_status) == ("produced", "produced")
    page = client_for(world.alpha, world.person(world.alpha, "viewer")).get(f"/vehicles/{vin}/").content.decode()
    assert f"/vehicles/imports/{first.pk}/" in page and f"/vehicles/imports/{second.pk}/" in page


def test_template_names_the_columns_in_the_readers_language_and_reads_them_back(world):
    client = client_for(world.alpha, world.person(world.alpha, "viewer"))
    response = client.get("/vehicles/imports/template.csv", HTTP_ACCEPT_LANGUAGE="ar")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    with translation.override("ar"):
        assert header == [str(TEMPLATE_LABELS[field]) for field in FIELDS]
    assert header[0] != "VIN" and "تاريخ الإنتاج" in header
    assert match_header(header) == {field: index for index, field in enumerate(FIELDS)}
    xlsx = client.get("/vehicles/imports/template.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    assert [cell.value for cell in next(sheet.iter_rows(max_row=1))] == [
        str(TEMPLATE_LABELS[field]) for field in FIELDS
    ]


def test_localised_names_never_mean_two_fields():
    for code in ("en", "zh-hans", "ar", "th"):
        with translation.override(code):
            names = [normalise(str(TEMPLATE_LABELS[field])) for field in FIELDS]
        assert len(set(names)) == len(names), code
        assert all(_lookup()[name] == field for name, field in zip(names, FIELDS, strict=True)), code


def test_a_file_from_the_thai_template_imports_statuses_named_in_thai(world):
    model = setup_partner(world.alpha)
    with translation.override("th"):
        header = [str(TEMPLATE_LABELS[field]) for field in ("vin", "model", "production_date", "status")]
        deregistered = translation.gettext("Deregistered")
    assert deregistered != "Deregistered"
    vin = vin_for(WMI["alpha"])
    job = run(
        world.alpha, job_make(world.alpha, csv_bytes([(vin, model.name, "2025-03-01", deregistered)], header=header))
    )
    assert (job.status, job.rows_created) == (ImportStatus.SUCCEEDED, 1)
    with schema_context("alpha"):
        assert Vehicle.objects.get(vin=vin).status == "deregistered"
