"""Housekeeping of the integrator platform."""

from celery import shared_task

from .idempotency import idempotency_records_purge
from .throttling import rate_windows_purge
from .webhooks import delivery_attempt


@shared_task
def idempotency_purge() -> int:
    """Delete idempotency answers past their keeping time, and finished rate-limit windows (safe to repeat)."""
    return idempotency_records_purge() + rate_windows_purge()


@shared_task(bind=True, max_retries=None)
def webhook_deliver(self, delivery_id: str) -> str:
    """Attempt one delivery; schedule the next attempt with exponential backoff when it fails."""
    retry_in = delivery_attempt(delivery_id=delivery_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)
    return "done"
