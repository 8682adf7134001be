"""Health probes: database, broker, a worker round-trip and the beat heartbeat."""

import time
from datetime import timedelta

from celery import current_app
from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import Heartbeat
from .tasks import ping

WORKER_TIMEOUT_S = 5.0
BEAT_STALE_AFTER = timedelta(minutes=2)


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        detail = check()
    except Exception as error:  # noqa: BLE001 - a health probe reports every failure
        return {"ok": False, "error": f"{type(error).__name__}: {error}"[:300]}
    result = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    if detail:
        result.update(detail)
    return result


def check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_broker():
    with current_app.connection_for_write() as conn:  # the project's app (portal/celery.py), without a cycle
        conn.ensure_connection(max_retries=1, timeout=2)
        return {"transport": conn.transport_cls if isinstance(conn.transport_cls, str) else conn.transport.driver_name}


def check_worker():
    answer = ping.apply_async(expires=WORKER_TIMEOUT_S).get(timeout=WORKER_TIMEOUT_S, disable_sync_subtasks=False)
    if not answer.get("pong"):
        raise RuntimeError("unexpected answer from worker")


def check_beat():
    beat = Heartbeat.objects.filter(name="beat").first()
    if beat is None:
        raise RuntimeError("no heartbeat from Celery beat yet")
    age = timezone.now() - beat.seen_at
    if age > BEAT_STALE_AFTER:
        raise RuntimeError(f"last heartbeat {int(age.total_seconds())} s ago")
    return {"seen_at": beat.seen_at.isoformat()}


def health_report(*, include_worker: bool = True) -> dict:
    """All probes; `ok` is false when the database, broker or worker fails (beat is advisory)."""
    checks = {"database": _timed(check_database), "broker": _timed(check_broker)}
    if include_worker:
        checks["worker"] = _timed(check_worker)
    checks["beat"] = _timed(check_beat)
    required = [name for name in checks if name != "beat"]
    return {
        "ok": all(checks[name]["ok"] for name in required),
        "checks": checks,
        "broker_url": settings.CELERY_BROKER_URL.split("@")[-1].split("//")[0] + "//",
    }
