"""A real Celery worker killed with SIGKILL in the middle of an import: no partial vehicles, and the job never
stays "running" — a redelivered task re-runs it from scratch (idempotent), and the sweeper fails stale jobs.

The data must be committed for the worker process to see it, so these tests run outside the test transaction
(like the browser tests) and clean up after themselves. The worker gets its own broker queue (a database of the
session's embedded Redis no other test uses) and its own data and media folders.
"""

import datetime
import os
import signal
import time
import zlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django_tenants.utils import schema_context

from portal.celery import app
from portal.reference.models import WmiAssignment
from portal.vehicles.choices import ImportMode, ImportPhase, ImportStatus
from portal.vehicles.importing.services import import_jobs_recover
from portal.vehicles.models import ImportJob, Vehicle, VehicleModel, VehicleStatusChange
from portal.vehicles.tasks import vehicle_import_run
from tenants.models import Partner

from ..embedded_broker import private_broker_url
from ..processes import ROOT, start, stop, subprocess_env, wait_for
from .factories import vin_for
from .import_samples import csv_bytes, media_root

ROWS = 120_000
WMI = "LKW"  # a WMI no other test uses


class Worker:
    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.broker = private_broker_url()
        self.process = None

    def start(self, name: str):
        env = subprocess_env(
            CELERY_BROKER_URL=self.broker,
            PORTAL_DATA_DIR=str(self.data_dir),
            MEDIA_ROOT=str(worker_media_root(self.data_dir)),
        )
        args = ["-m", "celery", "-A", "portal", "worker", "--pool", "solo", "-l", "info"]
        log = ROOT / "artifacts" / "logs" / f"import-worker-{name}.log"
        self.process = start([*args, "--without-mingle", "--without-gossip", "--without-heartbeat"], env, log)

    def send(self, job):
        with app.connection_for_write(self.broker) as conn, schema_context("alpha"):
            vehicle_import_run.apply_async(args=[str(job.pk)], connection=conn)

    def kill(self):
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


def worker_media_root(data_dir: Path) -> Path:
    """Where a worker whose PORTAL_DATA_DIR is `data_dir` keeps media (the same place relative to the data dir)."""
    from portal.settings import test as worker_settings  # what the worker reads, not this process's overrides

    try:
        return data_dir / Path(worker_settings.MEDIA_ROOT).relative_to(worker_settings.DATA_DIR)
    except ValueError:
        return data_dir / "media"


@pytest.fixture
def committed(django_db_setup, django_db_blocker, tmp_path):
    """Committed test data in alpha's schema (a model, the WMI, a 120,000-row file), removed afterwards."""
    with django_db_blocker.unblock(), media_root(worker_media_root(tmp_path)):
        alpha = Partner.objects.get(schema_name="alpha")
        WmiAssignment.objects.get_or_create(wmi=WMI, defaults={"partner": alpha})
        with schema_context("alpha"):
            model = VehicleModel.objects.create(
                name="Killed import model", category="L3e", battery_chemistry="LFP", battery_kwh="3"
            )
            content = csv_bytes([(vin_for(WMI, i), model.name, "2025-03-01", "P") for i in range(1, ROWS + 1)])
            job = ImportJob(original_name="big.csv", size_bytes=len(content), market="CN", mode=ImportMode.VALID_ROWS)
            job.file.save("big.bin", ContentFile(content), save=False)
            job.save()
        try:
            yield alpha, job
        finally:
            connection.set_schema_to_public()
            with schema_context("alpha"), connection.cursor() as cursor:
                # Plain SQL: the ORM's cascade collector would fetch 120,000 rows to delete them one batch at a time.
                cursor.execute(
                    f"DELETE FROM {VehicleStatusChange._meta.db_table} h USING {Vehicle._meta.db_table} v "
                    "WHERE h.vehicle_id = v.id AND v.vin LIKE %s",
                    [f"{WMI}%"],
                )
                cursor.execute(f"DELETE FROM {Vehicle._meta.db_table} WHERE vin LIKE %s", [f"{WMI}%"])
            with schema_context("alpha"):
                ImportJob.objects.filter(pk=job.pk).delete()
                VehicleModel.objects.filter(pk=model.pk).delete()
            WmiAssignment.objects.filter(wmi=WMI).delete()


def test_stage_table_is_named_after_the_job(db):
    """(Also makes pytest-django create the test database: it does so only when a collected test uses it.)"""
    from portal.vehicles.importing.pipeline import Stage

    job = ImportJob()
    with schema_context("alpha"):
        assert Stage.for_job(job).name == f"vehicle_import_stage_{job.pk.hex}"
        assert Stage.for_job(job).schema == "alpha"


def job_state(job) -> ImportJob:
    with schema_context("alpha"):
        return ImportJob.objects.get(pk=job.pk)


def vehicles() -> int:
    with schema_context("alpha"):
        return Vehicle.objects.filter(vin__startswith=WMI).count()


def dead_worker_gone(job) -> bool:
    """The killed worker's database session has ended (its advisory lock on the job is free again)."""
    key = zlib.crc32(job.pk.bytes) - 2**31
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        free = cursor.fetchone()[0]
        if free:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])
    return free


@pytest.mark.broker
@pytest.mark.parametrize("phase", [ImportPhase.READING, ImportPhase.IMPORTING])
def test_worker_killed_mid_import(committed, tmp_path, phase, django_db_blocker):
    _alpha, job = committed
    worker = Worker(tmp_path)
    with django_db_blocker.unblock():
        worker.start(f"{phase}-1")
        try:
            worker.send(job)
            # Progress is visible from outside while the worker runs (written in autocommit between chunks).
            wait_for(lambda: job_state(job).phase == phase and job_state(job).rows_processed > 0, 120, phase)
            worker.kill()
        finally:
            if worker.process.poll() is None:
                stop(worker.process)
        wait_for(lambda: dead_worker_gone(job), 60, "the killed worker's session to end")
        state = job_state(job)
        assert vehicles() == 0, "a killed import left partial data"
        assert state.status == ImportStatus.RUNNING and state.rows_created == 0

        if phase == ImportPhase.READING:
            # No worker comes back: the sweeper ends the job visibly (its message waits among the broker's unacked
            # messages until a worker starts, which then finds the job failed and leaves it so).
            time.sleep(1.1)
            with schema_context("alpha"):
                assert import_jobs_recover(stale_after=datetime.timedelta(seconds=1), max_attempts=1)["failed"] == 1
                assert not connection.introspection.table_names().count(f"vehicle_import_stage_{job.pk.hex}")
            state = job_state(job)
            assert state.status == ImportStatus.FAILED and "worker" in state.error_message
            assert vehicles() == 0
        else:
            # The broker redelivers the killed task (acks_late; Redis keeps it as unacked and hands it out again after
            # the visibility timeout): the next worker runs it again from scratch, nobody sends it again.
            worker.start(f"{phase}-2")
            try:
                wait_for(lambda: job_state(job).status == ImportStatus.SUCCEEDED, 180, "the redelivered run")
            finally:
                stop(worker.process)
            state = job_state(job)
            assert (state.rows_created, state.rows_rejected, vehicles()) == (ROWS, 0, ROWS)
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'vehicle_import_stage_%%'")
                assert cursor.fetchone()[0] == 0, "a staging table was left behind"
