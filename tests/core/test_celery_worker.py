"""A real Celery worker process, through the broker: tasks run in the schema they were sent from, in order."""

import os

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from portal.celery import app
from portal.core import health
from portal.core.tasks import ping

from ..conftest import client_for
from ..processes import ROOT, start, stop, subprocess_env


def _brokers() -> list[str]:
    """The session's embedded Redis always; Redis or RabbitMQ too when CELERY_BROKER_URL names another broker."""
    brokers = [os.environ["PORTAL_TEST_EMBEDDED_BROKER_URL"]]
    configured = os.environ.get("CELERY_BROKER_URL", "")
    if configured and configured not in brokers:
        brokers.append(configured)
    return brokers


def _broker_id(url: str) -> str:
    return "embedded" if url == os.environ["PORTAL_TEST_EMBEDDED_BROKER_URL"] else url.split("://")[0]


@pytest.fixture(params=_brokers(), ids=_broker_id)
def worker(request, world):
    broker = request.param
    with app.connection_for_write(broker) as conn:
        conn.default_channel.queue_purge("celery")  # nothing an earlier test left unconsumed
    env = subprocess_env(CELERY_BROKER_URL=broker)
    log = ROOT / "artifacts" / "logs" / f"worker-{_broker_id(broker)}.log"
    args = ["-m", "celery", "-A", "portal", "worker", "--pool", "solo", "-l", "info"]
    process = start([*args, "--without-mingle", "--without-gossip", "--without-heartbeat"], env, log)
    yield broker
    stop(process)


@pytest.mark.broker
def test_task_runs_in_the_schema_it_was_sent_from(worker, world):
    results = {}
    with app.connection_for_write(worker) as conn:
        for schema in ("alpha", "beta", "public"):
            with schema_context(schema):
                results[schema] = ping.apply_async(connection=conn)
    # The first answer waits for the worker to boot.
    answers = {schema: result.get(timeout=60) for schema, result in results.items()}
    assert answers == {schema: {"pong": True, "schema": schema} for schema in ("alpha", "beta", "public")}


@pytest.mark.broker
def test_tasks_interleaved_across_schemas_never_run_in_another(worker, world):
    """Many tasks from three schemas in one queue, one of them failing: each still runs in its own schema."""
    from portal.vehicles.tasks import vehicle_import_run

    order = ["alpha", "public", "beta", "beta", "alpha", "public", "alpha", "beta"]
    with app.connection_for_write(worker) as conn:
        with schema_context("alpha"):
            failing = vehicle_import_run.apply_async(args=["00000000-0000-0000-0000-000000000000"], connection=conn)
        results = []
        for schema in order:
            with schema_context(schema):
                results.append(ping.apply_async(connection=conn))
    assert [result.get(timeout=60)["schema"] for result in results] == order
    with pytest.raises(Exception, match=r"DoesNotExist|matching query"):
        failing.get(timeout=60)


@pytest.mark.broker
def test_health_reports_a_worker_round_trip(worker, world, monkeypatch):
    if worker != settings.CELERY_BROKER_URL:
        pytest.skip("the health page probes the configured broker only")
    monkeypatch.setattr(health, "WORKER_TIMEOUT_S", 60.0)
    response = client_for(None).get("/health/")
    body = response.json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["broker"]["ok"] is True
    assert body["checks"]["worker"]["ok"] is True, body
    assert response.status_code == 200


def test_health_without_a_worker_is_503_and_says_why(world, monkeypatch):
    monkeypatch.setattr(health, "WORKER_TIMEOUT_S", 0.3)
    response = client_for(None).get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["checks"]["worker"]["ok"] is False
    assert "Timeout" in body["checks"]["worker"]["error"]
    assert body["checks"]["database"]["ok"] is True


def test_health_can_skip_the_worker_probe(world):
    response = client_for(world.alpha).get("/health/?worker=0")
    assert response.status_code == 200
    assert "worker" not in response.json()["checks"]
