"""The import run: stream the file into a per-job staging table with COPY, validate in SQL, upsert in one transaction.

Phases (`ImportPhase`): reading → validating → importing → done. Progress and the heartbeat are written in
autocommit between COPY chunks, so the job page sees them while the work goes on. The upsert of the vehicles,
their status history and the job's final counters commit together: a worker killed at any point leaves either
everything or nothing, and a redelivered task starts again from scratch (it drops the old staging table).
"""

import datetime
import logging
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

from portal.audit.choices import AuditAction
from portal.audit.services import audit_record
from portal.core.uploads import UploadError, open_table
from portal.inbox.choices import NoticeKind
from portal.inbox.services import notify
from portal.integrations.models import WebhookEvent
from portal.integrations.webhooks import webhook_event_emit
from tenants.citus import citus_present
from tenants.models import Partner
from tenants.selectors import partner_url

from ..choices import ImportMode, ImportPhase, ImportProblemLevel, ImportStatus
from ..models import ImportJob, ImportRejection
from .selectors import import_job_result
from .targets import ImportTarget, import_target

logger = logging.getLogger(__name__)

STAGE_PREFIX = "vehicle_import_stage_"
CHUNK_ROWS = 50_000  # rows per COPY statement; progress and heartbeat are written between chunks
# After this many new or changed vehicles the planner's statistics are refreshed at once: until autovacuum
# gets round to it, joins on the grown tables would be planned as if they were still small (nested loops).
ANALYZE_AFTER_ROWS = 10_000

REJECTION = ImportRejection._meta.db_table


@dataclass
class Stage:
    """The job's staging table: UNLOGGED, in the partner's schema, named after the job; its columns are the
    line, the kind's own (`ImportTarget.stage_ddl`) and the row's errors and warnings."""

    schema: str
    name: str
    columns: str = ""

    @classmethod
    def for_job(cls, job: ImportJob, target: ImportTarget | None = None) -> "Stage":
        columns = target.stage_ddl if target is not None else ""
        return cls(connection.schema_name, f"{STAGE_PREFIX}{job.pk.hex}", columns)

    @property
    def ident(self) -> sql.Composable:
        return sql.Identifier(self.schema, self.name)

    def drop(self, cursor) -> None:
        cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(self.ident))

    def create(self, cursor) -> None:
        self.drop(cursor)
        cursor.execute(
            sql.SQL(
                """CREATE UNLOGGED TABLE {} (
                    line integer NOT NULL, {}, err_column text[], err_value text[], err_reason text[],
                    warn_column text[], warn_value text[], warn_reason text[]
                ) WITH (autovacuum_enabled = false)"""
            ).format(self.ident, sql.SQL(self.columns))
        )


def stage_error_add(cursor, stage: Stage, *, column: str, value: sql.Composable, reason: str, where: sql.Composable):
    """Add one error (column, the row's value, reason) to the staging rows that match `where` (a target's SQL
    check); the rows are refused with every other error they have."""
    cursor.execute(
        sql.SQL(
            """UPDATE {stage} s SET err_column = coalesce(s.err_column, '{{}}') || %s::text,
                      err_value = coalesce(s.err_value, '{{}}') || left(coalesce(({value})::text, ''), 200),
                      err_reason = coalesce(s.err_reason, '{{}}') || %s::text
               WHERE {where}"""
        ).format(stage=stage.ident, value=value, where=where),
        [column, reason],
    )
    return cursor.rowcount


def _progress(job: ImportJob, **fields) -> None:
    """Write progress + heartbeat in autocommit (visible at once to the job page)."""
    fields["heartbeat_at"] = timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


@contextmanager
def timed(job: ImportJob, step: str):
    """Seconds per step, logged and kept on the returned job (`job.timings`) for the benchmark and operators."""
    started = time.perf_counter()
    try:
        yield
    finally:
        seconds = time.perf_counter() - started
        job.timings[step] = job.timings.get(step, 0.0) + seconds
        logger.info("import %s: %s %.2f s", job.pk, step, seconds)


def _lock_key(job: ImportJob) -> int:
    return zlib.crc32(job.pk.bytes) - 2**31


def _execute(cursor, query, params=None):
    cursor.execute(query, params)
    return cursor


def import_run(*, job_id, partner_id: int | None = None) -> ImportJob:
    """Run (or re-run from scratch) the import job `job_id` in the current partner schema. Idempotent.

    A finished job is left as it is; a job another live process is running is skipped (advisory lock).
    """
    job = ImportJob.objects.get(pk=job_id)
    if job.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED):
        return job
    if partner_id is None:
        tenant = getattr(connection, "tenant", None)
        partner_id = getattr(tenant, "pk", None)
    with connection.cursor() as cursor:
        # Session-level lock: released by PostgreSQL when a killed worker's connection goes away.
        if not _execute(cursor, "SELECT pg_try_advisory_lock(%s)", [_lock_key(job)]).fetchone()[0]:
            logger.info("import %s is running elsewhere; skipped", job.pk)
            return job
    try:
        return _run_locked(job, partner_id)
    finally:
        _quietly("SELECT pg_advisory_unlock(%s)", [_lock_key(job)])


def _run_locked(job: ImportJob, partner_id: int | None) -> ImportJob:
    job.timings = {}
    now = timezone.now()
    _progress(
        job,
        status=ImportStatus.RUNNING,
        phase=ImportPhase.READING,
        attempts=job.attempts + 1,
        started_at=now,
        finished_at=None,
        error_message="",
        rows_total=0,
        rows_processed=0,
        rows_valid=0,
        rows_rejected=0,
        rows_created=0,
        rows_updated=0,
        rows_unchanged=0,
        rows_warned=0,
    )
    ImportRejection.objects.filter(job=job).delete()  # a redelivered run starts again from scratch
    target = import_target(job.kind)
    stage = Stage.for_job(job, target)
    try:
        with connection.cursor() as cursor:
            stage.create(cursor)
        with timed(job, "read, check and COPY"):
            _load(job, stage, partner_id, target)
        with timed(job, "duplicates and rejections"):
            _validate(job, stage, target)
        _finish(job, stage, target)
    except UploadError as error:
        _fail(job, str(error))
    except Exception:
        logger.exception("import %s failed", job.pk)
        _fail(job, _("The import stopped on an unexpected error; nothing was imported. Please try again."))
        raise
    finally:
        _quietly(sql.SQL("DROP TABLE IF EXISTS {}").format(stage.ident))
    return job


def _quietly(query, params=None) -> None:
    """Clean-up that must not hide the real error (the connection may be gone)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute(query, params)
    except Exception:
        logger.warning("import clean-up failed: %s", query, exc_info=True)


def _fail(job: ImportJob, message: str) -> None:
    with transaction.atomic():  # the failed state and its announcements together
        ImportRejection.objects.filter(job=job).delete()
        _progress(
            job, status=ImportStatus.FAILED, phase=ImportPhase.DONE, error_message=message, finished_at=timezone.now()
        )
        _audit_finished(job)


def _audit_finished(job: ImportJob) -> None:
    """How an import ended, told once, in the transaction that records its final state: the audit trail (the worker
    has no request: the uploader is the actor), the uploader's inbox and the partner's webhooks."""
    audit_record(
        action=AuditAction.IMPORT_FINISHED,
        actor=job.created_by,
        target=job,
        details={
            "status": job.status,
            "dry_run": job.dry_run,
            "rows": job.rows_processed,
            "created": job.rows_created,
            "updated": job.rows_updated,
            "rejected": job.rows_rejected,
            "error": job.error_message,
        },
    )
    notify(  # the uploader's inbox
        person=job.created_by_id,
        kind=NoticeKind.IMPORT,
        variant="import_failed" if job.status == ImportStatus.FAILED else "import_dry_run" if job.dry_run else "",
        params={
            "file": job.original_name,
            "created": job.rows_created,
            "updated": job.rows_updated,
            "valid": job.rows_valid,
            "rejected": job.rows_rejected,
        },
        url=reverse(import_target(job.kind).detail_url, args=[job.pk]),
    )
    import_finished_emit(job)


def import_job_links(job: ImportJob, *, partner: Partner) -> dict[str, str]:
    """Absolute links of a job for webhook receivers: its page (`url`) and its API resource (`api_url`), by kind."""
    target = import_target(job.kind)
    return {
        "url": partner_url(partner, reverse(target.detail_url, args=[job.pk])),
        "api_url": partner_url(partner, reverse(target.api_detail_url, args=[job.pk])),
    }


def import_finished_emit(job: ImportJob) -> None:
    """One `import.finished` event per job, of every kind, when it reaches its final state (imported, refused,
    failed, dry run). Called in the transaction that records that state: the delivery rows commit with it and are
    sent after the commit; if it rolls back nothing is sent (the run then ends as failed, and tells that)."""
    partner = Partner.objects.filter(schema_name=connection.schema_name).first()
    if partner is None:
        return
    webhook_event_emit(
        partner=partner,
        event=WebhookEvent.IMPORT_FINISHED,
        data={
            "import_job": str(job.pk),
            "kind": job.kind,
            "file": job.original_name,
            "status": job.status,
            "outcome": import_job_result(job),
            "dry_run": job.dry_run,
            "mode": job.mode,
            "committed_from": str(job.committed_from_id) if job.committed_from_id else None,
            "rows": job.rows_processed,
            "valid": job.rows_valid,
            "created": job.rows_created,
            "updated": job.rows_updated,
            "unchanged": job.rows_unchanged,
            "rejected": job.rows_rejected,
            "warned": job.rows_warned,
            "error": job.error_message,
            "started_at": job.started_at.isoformat() if job.started_at else None,
            "finished_at": job.finished_at.isoformat() if job.finished_at else None,
            **import_job_links(job, partner=partner),
        },
    )


def _load(job: ImportJob, stage: Stage, partner_id: int | None, target: ImportTarget) -> None:
    """Parse + check rows in Python and COPY them into the staging table, CHUNK_ROWS per statement."""
    copy_sql = sql.SQL("COPY {} ({}) FROM STDIN").format(
        stage.ident, sql.SQL(", ").join(map(sql.Identifier, target.stage_columns))
    )
    processed = 0
    with open_table(job.file.path, name=job.original_name) as table:
        checker = target.checker(job=job, columns=target.match_header(table.header), partner_id=partner_id)
        rows = table.rows
        check = checker.check
        exhausted = False
        while not exhausted:
            exhausted = True
            # Its own transaction (a savepoint inside a caller's): a file that breaks mid-chunk aborts this COPY
            # only, and the job can still be marked failed on the same connection.
            with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as copy:
                write = copy.write_row
                count = 0
                for line, cells in rows:
                    write(check(line, cells))
                    count += 1
                    if count >= CHUNK_ROWS:
                        exhausted = False
                        break
            processed += count
            fraction = table.fraction_read()
            estimate = int(processed / fraction) if fraction else processed
            _progress(job, rows_processed=processed, rows_total=max(processed, estimate))
    if processed == 0:
        raise UploadError(str(target.empty_message))
    _progress(job, rows_total=processed, rows_processed=processed, phase=ImportPhase.VALIDATING)


_INTO = sql.SQL('(job_id, level, line, "column", value, reason) ')


def _rows_copy(cursor, problems: sql.Composable, params: list) -> None:
    """On Citus: the rejections read with the SELECT (routed to the partner's worker) and written with COPY.

    Citus 13.2 runs `INSERT … SELECT` into a table with an identity column through the coordinator, and when the
    SELECT has a LATERAL function scan over a table without a shard key (the `unnest` below) it inserts no row at
    all and reports `INSERT 0 0` (the same SELECT alone returns the rows; docs/scaling.md).
    """
    cursor.execute(problems, params)
    found = cursor.fetchall()
    if not found:
        return
    copy_sql = sql.SQL("COPY {} ").format(sql.Identifier(REJECTION)) + _INTO + sql.SQL("FROM STDIN")
    with cursor.cursor.copy(copy_sql) as copy:
        for row in found:
            copy.write_row(row)


def _validate(job: ImportJob, stage: Stage, target: ImportTarget) -> None:
    """Duplicates within the file (later lines refused), then every problem of every row into ImportRejection:
    each error of a refused row, and the warnings of the rows that are not refused."""
    duplicate = str(target.duplicate_message) % {"line": "{line}"}
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("ANALYZE {}").format(stage.ident))
        if target.sql_checks is not None:
            target.sql_checks(cursor, stage, job)
        cursor.execute(
            sql.SQL(
                """UPDATE {stage} s SET err_column = ARRAY[%s], err_value = ARRAY[({key})::text],
                          err_reason = ARRAY[replace(%s, '{{line}}', d.first_line::text)]
                   FROM (SELECT line, first_line FROM (
                            SELECT line, min(line) OVER (PARTITION BY {key}) AS first_line
                            FROM {stage} WHERE err_reason IS NULL) w
                         WHERE line <> first_line) d
                   WHERE s.line = d.line"""
            ).format(stage=stage.ident, key=sql.SQL(target.duplicate_key)),
            [target.duplicate_column, duplicate],
        )
        for level, prefix, rows in (
            (ImportProblemLevel.ERROR, "err", sql.SQL("s.err_reason IS NOT NULL")),
            (ImportProblemLevel.WARNING, "warn", sql.SQL("s.err_reason IS NULL AND s.warn_reason IS NOT NULL")),
        ):
            problems = sql.SQL(
                """SELECT %s, %s, s.line, coalesce(p.col, ''), left(coalesce(p.val, ''), 200), left(p.why, 300)
                   FROM {stage} s CROSS JOIN LATERAL unnest({col}, {val}, {why}) WITH ORDINALITY AS p(col, val, why, n)
                   WHERE {rows}
                   ORDER BY s.line, p.n"""
            ).format(
                stage=stage.ident,
                col=sql.Identifier("s", f"{prefix}_column"),
                val=sql.Identifier("s", f"{prefix}_value"),
                why=sql.Identifier("s", f"{prefix}_reason"),
                rows=rows,
            )
            if citus_present():
                _rows_copy(cursor, problems, [job.pk, level])
            else:
                cursor.execute(
                    sql.SQL("INSERT INTO {} ").format(sql.Identifier(REJECTION)) + _INTO + problems, [job.pk, level]
                )
        cursor.execute(
            sql.SQL(
                """SELECT count(*) FILTER (WHERE err_reason IS NOT NULL),
                          count(*) FILTER (WHERE err_reason IS NULL AND warn_reason IS NOT NULL)
                   FROM {stage}"""
            ).format(stage=stage.ident)
        )
        rejected, warned = cursor.fetchone()
    _progress(job, rows_rejected=rejected, rows_valid=job.rows_processed - rejected, rows_warned=warned)


def _finish(job: ImportJob, stage: Stage, target: ImportTarget) -> None:
    done = {"phase": ImportPhase.DONE, "finished_at": None, "status": ImportStatus.SUCCEEDED}
    if job.dry_run:
        with connection.cursor() as cursor:
            created, updated, unchanged = target.counts(cursor, stage)
        done.update(rows_created=created, rows_updated=updated, rows_unchanged=unchanged)
    elif job.rows_rejected and job.mode == ImportMode.ALL_OR_NOTHING:
        done.update(
            status=ImportStatus.FAILED,
            error_message=_(
                "%(count)d rows were refused, so nothing was imported (all or nothing). "
                "Fix them and upload the file again, or choose “import the valid rows”."
            )
            % {"count": job.rows_rejected},
        )
    else:
        _progress(job, phase=ImportPhase.IMPORTING)
        with timed(job, "upsert transaction"), transaction.atomic():
            created, updated, unchanged = target.upsert(job, stage)
            done.update(rows_created=created, rows_updated=updated, rows_unchanged=unchanged)
            done["finished_at"] = timezone.now()
            _progress(job, **done)  # commits with the vehicles: both or neither
            _audit_finished(job)
        if created + updated >= ANALYZE_AFTER_ROWS and target.analyze:
            _quietly(sql.SQL("ANALYZE {}").format(sql.SQL(", ").join(map(sql.Identifier, target.analyze))))
        return
    done["finished_at"] = timezone.now()
    with transaction.atomic():  # the final state and its announcements together
        _progress(job, **done)
        _audit_finished(job)


def stale_jobs_requeue(*, older_than_s: float, max_attempts: int) -> list:
    """Running jobs of the current schema whose heartbeat is older than `older_than_s` and that may run again:
    put back to "queued" (staging table dropped, progress cleared) and return their ids, to be sent again."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_s)
    stale = ImportJob.objects.filter(status=ImportStatus.RUNNING, heartbeat_at__lt=cutoff, attempts__lt=max_attempts)
    ids = list(stale.values_list("pk", flat=True))
    if not ids:
        return []
    stale.filter(pk__in=ids).update(
        status=ImportStatus.QUEUED, phase=ImportPhase.WAITING, rows_processed=0, rows_total=0
    )
    for pk in ids:
        _quietly(
            sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(connection.schema_name, f"{STAGE_PREFIX}{pk.hex}"))
        )
    return ids


def stale_jobs_fail(*, older_than_s: float) -> int:
    """Mark running jobs of the current schema whose heartbeat is older than `older_than_s` as failed.

    Their staging tables (left by the dead worker) are dropped too.
    """
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_s)
    stale = ImportJob.objects.filter(status=ImportStatus.RUNNING, heartbeat_at__lt=cutoff)
    ids = list(stale.values_list("pk", flat=True))
    if not ids:
        return 0
    finished_at = timezone.now()
    with transaction.atomic():
        failed = stale.filter(pk__in=ids).update(
            status=ImportStatus.FAILED,
            phase=ImportPhase.DONE,
            finished_at=finished_at,
            error_message=_(
                "The import stopped: the worker running it went away (no sign of life for %(minutes)d minutes). "
                "Nothing was imported; upload the file again."
            )
            % {"minutes": max(1, round(older_than_s / 60))},
        )
        # A final state too: the jobs this update failed (not one that finished meanwhile) are told as every other
        # ending is (the audit trail, the uploader's inbox, the webhooks): the uploader learns to upload again.
        for job in ImportJob.objects.filter(pk__in=ids, status=ImportStatus.FAILED, finished_at=finished_at):
            _audit_finished(job)
    for pk in ids:
        _quietly(
            sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(connection.schema_name, f"{STAGE_PREFIX}{pk.hex}"))
        )
    return failed
