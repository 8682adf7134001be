"""Reads of the import: jobs, one job, its rejected rows, and the rejected rows as CSV lines."""

import datetime
import io
from collections.abc import Iterator

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.core.spreadsheets import SafeCsvWriter

from ..choices import ImportPhase, ImportStatus
from ..models import ImportJob, ImportRejection

# A running job without a heartbeat for this long has lost its worker: its pages say so (they write nothing);
# the beat sweeper (portal.vehicles.tasks.vehicle_import_sweep) runs it again or fails it.
STALE_AFTER = datetime.timedelta(minutes=10)


def import_job_list() -> QuerySet[ImportJob]:
    return ImportJob.objects.select_related("created_by").order_by("-created_at")


def import_job_get(*, job_id) -> ImportJob | None:
    try:
        return import_job_list().get(pk=job_id)
    except (ImportJob.DoesNotExist, ValueError, TypeError, ValidationError):  # not a UUID: no such job
        return None


def import_rejection_list(*, job: ImportJob) -> QuerySet[ImportRejection]:
    return ImportRejection.objects.filter(job=job).order_by("line", "id")


def import_rejections_csv(*, job: ImportJob) -> Iterator[str]:
    """The rejected rows as CSV text, a chunk at a time (for a streaming response)."""
    buffer = io.StringIO()
    writer = SafeCsvWriter(buffer)
    writer.writerow([_("line"), _("column"), _("value"), _("reason")])
    rows = import_rejection_list(job=job).values_list("line", "column", "value", "reason")
    for count, (line, column, value, reason) in enumerate(rows.iterator(chunk_size=5000), start=1):
        writer.writerow([line, column, value, reason])
        if count % 1000 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def import_job_progress(job: ImportJob) -> int:
    """Percent done for the progress bar: reading is most of the work, then validating and importing."""
    if job.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED):
        return 100
    if job.phase == ImportPhase.READING and job.rows_total:
        return min(80, int(80 * job.rows_processed / job.rows_total))
    return {ImportPhase.VALIDATING: 85, ImportPhase.IMPORTING: 92}.get(job.phase, 0)


def import_job_is_stale(job: ImportJob, *, now: datetime.datetime | None = None) -> bool:
    """A running job without a heartbeat for STALE_AFTER: shown as such (the beat sweeper redoes or fails it)."""
    if job.status != ImportStatus.RUNNING or job.heartbeat_at is None:
        return False
    return job.heartbeat_at < (now or timezone.now()) - STALE_AFTER
