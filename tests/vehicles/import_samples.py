"""Helpers of the import tests: files in every encoding, jobs of a partner, and the isolation samples."""

import datetime
import io
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.core.files.base import ContentFile
from django.test.utils import override_settings
from django.utils.functional import empty
from django_tenants.utils import schema_context

from portal.vehicles.choices import ImportMode, ImportStatus
from portal.vehicles.models import ImportJob, ImportRejection

from .factories import WMI, model_make, vin_for, wmi_ensure

HEADER = ["vin", "model", "production_date", "plant"]


def csv_bytes(rows, *, header=HEADER, sep=",", encoding="utf-8", newline="\r\n") -> bytes:
    lines = [sep.join(header), *(sep.join(str(cell) for cell in row) for row in rows)]
    return (newline.join(lines) + newline).encode(encoding)


def xlsx_bytes(rows, *, header=HEADER) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def good_rows(partner, model_name: str, count: int, *, start: int = 1, date="2025-03-01", plant="Chongqing"):
    wmi = WMI[partner.schema_name]
    return [(vin_for(wmi, start + i), model_name, date, plant) for i in range(count)]


def setup_partner(partner, *, model_name: str | None = None):
    """The partner's WMI in the register and one vehicle model; returns the model."""
    wmi_ensure(partner)
    return model_make(partner, **({"name": model_name} if model_name else {}))


def job_make(partner, content: bytes, *, name="vehicles.csv", user=None, **fields) -> ImportJob:
    """An ImportJob in the partner's schema with `content` as its file (not queued)."""
    values = {"market": "CN", "mode": ImportMode.ALL_OR_NOTHING, "dry_run": False}
    values.update(fields)
    with schema_context(partner.schema_name):
        job = ImportJob(original_name=name, size_bytes=len(content), created_by=user, **values)
        job.file.save(f"{job.pk.hex}.bin", ContentFile(content), save=False)
        job.save()
        return job


def finished_job_make(partner) -> ImportJob:
    """A finished job with one rejected row (no file on disk): what the isolation walker needs."""
    with schema_context(partner.schema_name):
        job = ImportJob.objects.create(
            original_name=f"victim-{uuid.uuid4().hex[:6]}.csv",
            file="vehicle-imports/victim.bin",
            status=ImportStatus.FAILED,
            rows_rejected=1,
        )
        ImportRejection.objects.create(job=job, line=2, column="vin", value="VICTIMSECRET", reason="victim reason")
    return job


def _job_kwargs(partner) -> dict:
    return {"pk": finished_job_make(partner).pk}


def _dry_run_kwargs(partner) -> dict:
    """A finished dry run with its file stored: importing it would add a job (which the matrix would see)."""
    job = job_make(partner, b"vin,model,production_date\r\n", name="victim-dry-run.csv", dry_run=True)
    with schema_context(partner.schema_name):
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.SUCCEEDED, rows_valid=1, rows_processed=1)
    return {"pk": job.pk}


IMPORT_SAMPLES = {
    "vehicles:import_detail": _job_kwargs,
    "vehicles:import_progress": _job_kwargs,
    "vehicles:import_errors_csv": _job_kwargs,
    "v1:vehicle-import-detail": _job_kwargs,
    "v1:vehicle-import-errors": _job_kwargs,
    "v1:vehicle-import-errors-csv": _job_kwargs,
    "v1:vehicle-import-warnings": _job_kwargs,
    "vehicles:import_commit": _dry_run_kwargs,
    "v1:vehicle-import-commit": _dry_run_kwargs,
}

TODAY = datetime.date.today()


def _storage_reset() -> None:
    from django.core.files.storage import default_storage

    default_storage._setup() if default_storage._wrapped is empty else None
    default_storage._wrapped.__dict__.pop("relative_media_root", None)


@contextmanager
def media_root(path):
    """MEDIA_ROOT at `path` for the duration; django-tenants' storage caches its root, so the cache is reset too."""
    with override_settings(MEDIA_ROOT=str(path)):
        _storage_reset()
        try:
            yield Path(path)
        finally:
            _storage_reset()
    _storage_reset()
