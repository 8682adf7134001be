"""Writes of the import: create a job from an upload (checked at once), queue its run, recover stale jobs."""

import datetime

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from portal.audit.choices import AuditAction
from portal.audit.services import audit_record
from portal.core.caller import person_of
from portal.core.uploads import MAX_UPLOAD_BYTES, UploadError, upload_check

from ..choices import ImportMode, ImportStatus
from ..models import ImportJob
from .pipeline import stale_jobs_fail, stale_jobs_requeue
from .targets import VEHICLES, import_target

# The sweeper gives a job whose worker died (or whose run was never sent: the web process died after the
# commit) another run well before its page shows it as stale; after MAX_ATTEMPTS runs the job fails visibly.
REQUEUE_STALE_AFTER = datetime.timedelta(minutes=5)
RESEND_QUEUED_AFTER = datetime.timedelta(minutes=5)
MAX_ATTEMPTS = 3
MARKETS = ("EU",)  # besides ISO country codes


def market_is_valid(market: str) -> bool:
    return market in MARKETS or market in countries


def import_job_create(
    *, user, upload: UploadedFile, market: str, mode: str, dry_run: bool, kind: str = VEHICLES
) -> ImportJob:
    """Store the upload as an ImportJob after a quick check of its kind and header; queue the run after commit.

    `kind` names what the file holds (`targets.import_kinds()`: vehicles, or another domain's registered kind).
    Raises ValidationError (with a clear message) and stores nothing when the upload is not a readable table.
    """
    try:
        target = import_target(kind)
    except KeyError:
        raise ValidationError({"kind": _("Unknown kind of import.")}) from None
    market = (market or "").strip().upper()
    if not market_is_valid(market):
        raise ValidationError({"market": _("Unknown market %(market)s.") % {"market": market}})
    if mode not in ImportMode.values:
        raise ValidationError({"mode": _("Unknown mode.")})
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    if upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(limit)d MB.") % {"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}}
        )
    name = (upload.name or "upload")[-255:]
    job = ImportJob(
        created_by=person_of(user),
        original_name=name,
        kind=kind,
        size_bytes=upload.size,
        market=market,
        mode=mode,
        dry_run=dry_run,
    )
    job.file.save(f"{job.pk.hex}.bin", upload, save=False)  # never the user's name: no path tricks
    try:
        target.match_header(upload_check(job.file.path, name=name))
    except UploadError as error:
        job.file.delete(save=False)
        raise ValidationError({"file": str(error)}) from error
    try:
        _job_save_and_queue(job, details={"file": name, "bytes": upload.size})
    except Exception:
        job.file.delete(save=False)
        raise
    return job


def _job_save_and_queue(job: ImportJob, *, details: dict) -> None:
    with transaction.atomic():
        job.save()
        audit_record(
            action=AuditAction.IMPORT_CREATED,
            actor=job.created_by,
            target=job,
            details={**details, "kind": job.kind, "market": job.market, "mode": job.mode, "dry_run": job.dry_run},
        )
        transaction.on_commit(lambda: import_job_queue(job=job))


def import_job_commit(*, user, dry_run_job: ImportJob, mode: str | None = None) -> ImportJob:
    """Import for real the file a finished dry run checked, without uploading it again: a new run of the stored
    file (checked again, since the registry may have changed meanwhile), linked to the dry run.

    `mode` defaults to the dry run's. A dry run is committed once: a second commit answers with the first.
    """
    mode = mode or dry_run_job.mode
    if mode not in ImportMode.values:
        raise ValidationError({"mode": _("Unknown mode.")})
    with transaction.atomic():
        source = ImportJob.objects.select_for_update().get(pk=dry_run_job.pk)  # two clicks commit once
        if not source.dry_run:
            raise ValidationError(_("Only a dry run can be imported this way; this import has already run."))
        if source.status != ImportStatus.SUCCEEDED:
            raise ValidationError(_("The dry run has not finished checking the file, or it failed: upload again."))
        existing = source.commits.exclude(status=ImportStatus.FAILED).order_by("created_at").first()
        if existing is not None:
            return existing
        if not source.file or not source.file.storage.exists(source.file.name):
            raise ValidationError(_("The file of this dry run is no longer stored: upload it again."))
        job = ImportJob(
            created_by=person_of(user),
            original_name=source.original_name,
            kind=source.kind,
            size_bytes=source.size_bytes,
            market=source.market,
            mode=mode,
            dry_run=False,
            committed_from=source,
        )
        job.file.name = source.file.name  # the same stored file: nothing is uploaded or copied
        _job_save_and_queue(job, details={"file": source.original_name, "committed_from": str(source.pk)})
    return job


def import_job_queue(*, job: ImportJob) -> None:
    """Send the run to Celery from the partner's schema (tenant-schemas-celery puts it in the message)."""
    from ..tasks import vehicle_import_run

    assert connection.schema_name != "public", "imports run in a partner schema"
    ImportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now())
    result = vehicle_import_run.apply_async(args=[str(job.pk)])
    ImportJob.objects.filter(pk=job.pk, celery_task_id="").update(celery_task_id=result.id or "")


def import_jobs_recover(
    *,
    stale_after: datetime.timedelta = REQUEUE_STALE_AFTER,
    resend_after: datetime.timedelta = RESEND_QUEUED_AFTER,
    max_attempts: int = MAX_ATTEMPTS,
) -> dict:
    """The sweeper: no import stays half-done or forgotten. Idempotent (runs are, and a job runs one at a time).

    - running, worker gone (no heartbeat), runs left: back to the queue and sent again (it starts from scratch);
    - running, worker gone, no runs left: failed with the reason;
    - queued but never started long after it was sent (or never sent: the web process died after the commit):
      sent again.
    """
    requeued = stale_jobs_requeue(older_than_s=stale_after.total_seconds(), max_attempts=max_attempts)
    failed = stale_jobs_fail(older_than_s=stale_after.total_seconds())
    cutoff = timezone.now() - resend_after
    forgotten = ImportJob.objects.filter(status=ImportStatus.QUEUED, created_at__lt=cutoff).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=cutoff)
    )
    resend = set(forgotten.values_list("pk", flat=True)) | set(requeued)
    for job in ImportJob.objects.filter(pk__in=resend):
        import_job_queue(job=job)
    return {"requeued": len(requeued), "failed": failed, "resent": len(resend) - len(requeued)}
