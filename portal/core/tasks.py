"""Housekeeping tasks: the worker round-trip probe and the beat heartbeat."""

from celery import shared_task
from django.db import connection
from django.utils import timezone

from .models import Heartbeat


@shared_task
def ping() -> dict:
    """Answer with the schema the task ran in, so callers can prove tenant routing."""
    return {"pong": True, "schema": connection.schema_name}


@shared_task
def beat_heartbeat() -> str:
    """Record that Celery beat is alive (upsert, safe to repeat)."""
    Heartbeat.objects.update_or_create(name="beat", defaults={"seen_at": timezone.now()})
    return "ok"
