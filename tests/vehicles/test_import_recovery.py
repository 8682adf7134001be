"""The import sweeper: a run whose worker died is redone (or failed after its last try), a run that was never sent
(the web process died after the commit) is sent again, and nothing recent is touched."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone
from django_tenants.utils import schema_context

from portal.vehicles.choices import ImportPhase, ImportStatus
from portal.vehicles.importing import services
from portal.vehicles.models import ImportJob
from portal.vehicles.tasks import vehicle_import_sweep
from tenants.choices import Role

from ..conftest import client_for
from .import_samples import csv_bytes, job_make, media_root

OLD = timezone.now() - datetime.timedelta(minutes=30)


@pytest.fixture
def sent(monkeypatch, tmp_path):
    calls = []

    def queue(*, job):
        ImportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now())
        calls.append(job.pk)

    monkeypatch.setattr(services, "import_job_queue", queue)
    with media_root(tmp_path):
        yield calls


def _job(world, **fields):
    job = job_make(world.alpha, csv_bytes([]))
    with schema_context("alpha"):
        ImportJob.objects.filter(pk=job.pk).update(**fields)
    return job


def _state(job):
    with schema_context("alpha"):
        return ImportJob.objects.get(pk=job.pk)


def test_dead_runs_are_redone_then_failed_and_forgotten_runs_resent(world, sent):
    dead_once = _job(world, status=ImportStatus.RUNNING, heartbeat_at=OLD, attempts=1, created_at=OLD)
    dead_thrice = _job(world, status=ImportStatus.RUNNING, heartbeat_at=OLD, attempts=3, created_at=OLD)
    never_sent = _job(world, status=ImportStatus.QUEUED, queued_at=None, created_at=OLD)
    fresh = _job(world, status=ImportStatus.QUEUED, queued_at=timezone.now())
    running = _job(world, status=ImportStatus.RUNNING, heartbeat_at=timezone.now(), attempts=1)
    with schema_context("alpha"):
        outcome = services.import_jobs_recover()
    assert outcome == {"requeued": 1, "failed": 1, "resent": 1}
    assert set(sent) == {dead_once.pk, never_sent.pk}
    assert _state(dead_once).status == ImportStatus.QUEUED
    failed = _state(dead_thrice)
    assert failed.status == ImportStatus.FAILED and "worker" in failed.error_message
    assert (_state(fresh).status, _state(running).status) == (ImportStatus.QUEUED, ImportStatus.RUNNING)
    with schema_context("alpha"):
        assert services.import_jobs_recover() == {"requeued": 0, "failed": 0, "resent": 0}, "sent once per sweep"
        ImportJob.objects.filter(pk=never_sent.pk).update(queued_at=OLD)
        assert services.import_jobs_recover()["resent"] == 1, "and again while it never starts"


def test_the_sweeper_is_scheduled_by_beat_in_every_partner_schema():
    entries = [entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == vehicle_import_sweep.name]
    assert len(entries) == 1
    assert "tenant_schemas" not in entries[0], "no tenant_schemas: beat sends it to every active partner"
    assert entries[0]["schedule"] <= services.REQUEUE_STALE_AFTER.total_seconds()


def test_the_sweep_task_recovers_the_schema_it_runs_in(world, sent):
    dead = _job(world, status=ImportStatus.RUNNING, heartbeat_at=OLD, attempts=3, phase=ImportPhase.READING)
    with schema_context("alpha"):
        assert vehicle_import_sweep() == {"requeued": 0, "failed": 1, "resent": 0}
    assert (_state(dead).status, _state(dead).phase) == (ImportStatus.FAILED, ImportPhase.DONE)


def test_reading_a_stale_job_writes_nothing_and_shows_it_stale(world, sent):
    """GET never writes: the pages and the API show a job without a heartbeat as stale; only the sweeper acts."""
    stale = _job(world, status=ImportStatus.RUNNING, heartbeat_at=OLD, attempts=1, phase=ImportPhase.READING)
    before = _state(stale)
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    assert client.get("/vehicles/imports/").status_code == 200
    page = client.get(f"/vehicles/imports/{stale.pk}/")
    assert page.status_code == 200 and 'data-testid="import-stale"' in page.content.decode()
    progress = client.get(f"/vehicles/imports/{stale.pk}/progress/")
    assert progress.status_code == 200 and 'data-testid="import-stale"' in progress.content.decode()
    assert client.get("/api/v1/vehicle-imports/").status_code == 200
    assert client.get(f"/api/v1/vehicle-imports/{stale.pk}/").json()["status"] == ImportStatus.RUNNING
    after = _state(stale)
    assert (after.status, after.phase, after.heartbeat_at, after.error_message) == (
        before.status,
        before.phase,
        before.heartbeat_at,
        before.error_message,
    )
