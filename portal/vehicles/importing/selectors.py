"""Reads of the import: jobs, one job, its rejected rows, and the rejected rows as CSV lines."""

import datetime
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.core.spreadsheets import SafeCsvWriter

from ..choices import ImportMode, ImportPhase, ImportProblemLevel, ImportStatus
from ..models import ImportJob, ImportRejection
from .targets import VEHICLES

# A running job without a heartbeat for this long has lost its worker: its pages say so (they write nothing);
# the beat sweeper (portal.vehicles.tasks.vehicle_import_sweep) runs it again or fails it.
STALE_AFTER = datetime.timedelta(minutes=10)


def import_job_list(*, kinds: tuple[str, ...] | None = (VEHICLES,)) -> QuerySet[ImportJob]:
    """Jobs of the given kinds (default the vehicles'; None: every kind), newest first."""
    jobs = ImportJob.objects.select_related("created_by", "committed_from").order_by("-created_at")
    return jobs if kinds is None else jobs.filter(kind__in=kinds)


def import_job_get(*, job_id, kinds: tuple[str, ...] | None = None) -> ImportJob | None:
    """One job of any kind (or of the given kinds); None for an unknown id or one that is not a UUID."""
    try:
        return import_job_list(kinds=kinds).get(pk=job_id)
    except (ImportJob.DoesNotExist, ValueError, TypeError, ValidationError):  # not a UUID: no such job
        return None


def import_rejection_list(*, job: ImportJob) -> QuerySet[ImportRejection]:
    """Every error of every refused row, by line (a row may have several)."""
    return ImportRejection.objects.filter(job=job, level=ImportProblemLevel.ERROR).order_by("line", "id")


def import_warning_list(*, job: ImportJob) -> QuerySet[ImportRejection]:
    """The warnings of the rows that were not refused (e.g. an advisory VIN check digit in the EU), by line."""
    return ImportRejection.objects.filter(job=job, level=ImportProblemLevel.WARNING).order_by("line", "id")


def import_job_commit_of(*, job: ImportJob) -> ImportJob | None:
    """The run that imported this dry run's file, if any (the latest that did not fail, else the latest)."""
    commits = list(job.commits.order_by("-created_at")[:5])
    return next((run for run in commits if run.status != ImportStatus.FAILED), commits[0] if commits else None)


@dataclass(frozen=True)
class Outcome:
    """What happened to an import, in words: a short label (the badge), a sentence, and its tone."""

    label: str
    text: str
    tone: str  # success, warning, danger, info, secondary, primary: Bootstrap's text-bg-<tone> / alert-<tone>


def _imported(job: ImportJob) -> int:
    return job.rows_created + job.rows_updated


def import_job_result(job: ImportJob) -> str:
    """What happened, as a stable code for machines (the `import.finished` webhook's `outcome`): queued, running,
    refused (all or nothing, rows had errors), failed, dry_run, partly_imported (rows refused) or imported."""
    if job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING):
        return job.status
    if job.status == ImportStatus.FAILED:
        refused = job.rows_rejected and not job.dry_run and job.mode == ImportMode.ALL_OR_NOTHING
        return "refused" if refused else "failed"
    if job.dry_run:
        return "dry_run"
    return "partly_imported" if job.rows_rejected else "imported"


def import_job_outcome(job: ImportJob) -> Outcome:
    """Never a green "succeeded" over refused rows: the counts say what was imported, refused, or would be."""
    if job.status == ImportStatus.QUEUED:
        return Outcome(_("Queued"), _("Waiting for a worker."), "secondary")
    if job.status == ImportStatus.RUNNING:
        return Outcome(_("Running"), str(job.get_phase_display()), "primary")
    rejected = job.rows_rejected
    if job.status == ImportStatus.FAILED:
        if import_job_result(job) == "refused":
            text = ngettext(
                "Refused: nothing imported, %(count)d row has errors (all or nothing).",
                "Refused: nothing imported, %(count)d rows have errors (all or nothing).",
                rejected,
            ) % {"count": rejected}
            return Outcome(_("Refused"), text, "danger")
        return Outcome(_("Failed"), _("Failed: nothing imported."), "danger")
    counts = {"valid": job.rows_valid, "imported": _imported(job), "rejected": rejected}
    if job.dry_run:
        text = _("Dry run: would import %(valid)d, reject %(rejected)d.") % counts
        if rejected and job.mode == ImportMode.ALL_OR_NOTHING:
            text += " " + _("In “all or nothing” mode the file would be refused.")
        return Outcome(_("Dry run"), text, "info")
    text = _("Imported %(imported)d, rejected %(rejected)d.") % counts
    if job.rows_unchanged:
        text += " " + ngettext(
            "%(count)d row was already up to date.", "%(count)d rows were already up to date.", job.rows_unchanged
        ) % {"count": job.rows_unchanged}
    if rejected:
        return Outcome(_("Partly imported"), text, "warning")
    return Outcome(_("Imported"), text, "success")


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
