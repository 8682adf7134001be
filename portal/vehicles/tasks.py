"""Celery tasks of the vehicle registry: the bulk import and its stale-job sweeper."""

from celery import shared_task

from .importing.pipeline import import_run
from .importing.services import import_jobs_recover


@shared_task(acks_late=True, reject_on_worker_lost=True)
def vehicle_import_run(job_id: str) -> dict:
    """Run an import job in the schema the task was sent from. Idempotent: a redelivery starts again cleanly."""
    job = import_run(job_id=job_id)
    return {"job": str(job.pk), "status": job.status}


@shared_task
def vehicle_import_sweep() -> dict:
    """Redo or fail imports whose worker died, send again runs that were never sent; beat runs it per partner."""
    return import_jobs_recover()
