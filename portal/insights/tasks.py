"""Celery jobs of industry statistics: beat starts runs; each partner's part runs in that partner's schema.

All three tasks are idempotent (see `pipeline`), acknowledged late and redelivered after a lost worker.
"""

import logging

from celery import shared_task
from django.db import connection

from . import pipeline
from .choices import RunKind

logger = logging.getLogger(__name__)
MAX_RETRIES = 3


@shared_task(name="portal.insights.tasks.insights_run")
def insights_run(kind: str = RunKind.INCREMENTAL) -> int | None:
    """Start a run (beat: incremental every few minutes, full nightly); run it from the public schema.

    An incremental run with nothing to do is not started, so the run list shows only runs that did something.
    """
    pipeline.runs_resume()
    if kind == RunKind.INCREMENTAL and (pipeline.nothing_changed() or pipeline.run_in_progress()):
        return None  # the run in progress (or the next tick) takes the new marks
    return pipeline.run_start(kind=kind).pk


@shared_task(
    bind=True,
    name="portal.insights.tasks.insights_partner_compute",
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
)
def insights_partner_compute(self, run_id: int, partner_id: int) -> str:
    """One partner's facts, in its own schema (the task carries it)."""
    try:
        return pipeline.partner_compute(run_id=run_id, partner_id=partner_id).status
    except Exception as error:
        if self.request.retries < MAX_RETRIES:
            logger.warning(
                "statistics of partner %s in %s failed, retrying: %s", partner_id, connection.schema_name, error
            )
            raise self.retry(exc=error, countdown=2 ** (self.request.retries + 1)) from error
        logger.exception("statistics of partner %s failed for good", partner_id)
        pipeline.part_failed(run_id=run_id, partner_id=partner_id, error=f"{type(error).__name__}: {error}")
        return "failed"


@shared_task(name="portal.insights.tasks.insights_combine", acks_late=True, reject_on_worker_lost=True)
def insights_combine(run_id: int) -> str:
    """Combine the facts into disclosed cells and risk warnings (public schema)."""
    return pipeline.run_combine(run_id=run_id).status
