"""The broker restarted, a worker killed: tasks sent while no worker (or no broker) runs are kept and run exactly
once later, and a task a dead worker had taken is redone.

The embedded Redis (portal.devstack.EmbeddedRedis) is restarted by the test itself. For a configured Redis or
RabbitMQ a real restart needs a command to run: set PORTAL_TEST_BROKER_RESTART_CMD (e.g. `systemctl restart redis`)
with CELERY_BROKER_URL; without it only the embedded broker is restarted.
"""

import os
import subprocess
import sys

import pytest
from django_celery_results.models import TaskResult
from django_tenants.utils import schema_context

from portal.celery import app
from portal.core.tasks import ping
from portal.devstack import EmbeddedRedis

from ..processes import ROOT, start, stop, subprocess_env, wait_for

TAKE_AND_DIE = """
import os, signal, sys
sys.path.insert(0, {root!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
import django; django.setup()
from portal.celery import app
with app.connection_for_write({broker!r}) as conn:
    message = conn.default_channel.basic_get("celery", no_ack=False)  # taken, as a worker takes it: unacked
    print("taken", message.delivery_tag, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def _worker(broker: str, name: str, *extra: str):
    env = subprocess_env(CELERY_BROKER_URL=broker)
    args = ["-m", "celery", "-A", "portal", "worker", "--pool", "solo", "-l", "info", *extra]
    return start(args, env, ROOT / "artifacts" / "logs" / f"broker-{name}.log")


def _ran_once(results) -> None:
    ids = [result.id for result in results]
    assert TaskResult.objects.filter(task_id__in=ids).count() == len(ids), "each ran once: one result each"
    TaskResult.objects.filter(task_id__in=ids).delete()


def test_a_taken_task_survives_a_killed_worker_and_a_broker_restart(db, tmp_path):
    server = EmbeddedRedis(tmp_path / "redis").start()
    broker = server.broker_url()
    try:
        with app.connection_for_write(broker) as conn:
            results = []
            for schema in ("alpha", "beta", "public", "alpha"):
                with schema_context(schema):
                    results.append(ping.apply_async(connection=conn))
        assert server.client().llen("celery") == 4, "the messages wait in the broker while nothing runs"

        # A process takes the first message and dies before acknowledging it (SIGKILL): Redis keeps it as unacked.
        taken = subprocess.run(
            [sys.executable, "-c", TAKE_AND_DIE.format(root=str(ROOT), broker=broker)],
            env=subprocess_env(CELERY_BROKER_URL=broker),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert taken.returncode == -9 and "taken" in taken.stdout, taken.stderr[-2000:]
        assert server.client().llen("celery") == 3 and server.client().hlen("unacked") == 1

        server.stop()  # the broker restarts with nothing running
        server.start()
        assert server.client().llen("celery") == 3 and server.client().hlen("unacked") == 1

        # The next worker runs the three waiting tasks and, once the visibility timeout of the test settings has
        # passed, the one the dead process had taken.
        worker = _worker(broker, "killed", "--without-mingle", "--without-gossip", "--without-heartbeat")
        try:
            answers = [result.get(timeout=90) for result in results]
        finally:
            stop(worker)
        assert [answer["schema"] for answer in answers] == ["alpha", "beta", "public", "alpha"]
        assert server.client().llen("celery") == 0 and server.client().hlen("unacked") == 0
        _ran_once(results)
    finally:
        server.stop(save=False)


def _restartable() -> list[str]:
    brokers = ["embedded"]
    configured = os.environ.get("CELERY_BROKER_URL", "")
    if os.environ.get("PORTAL_TEST_BROKER_RESTART_CMD") and configured.startswith(("redis", "amqp")):
        brokers.append(configured)
    return brokers


@pytest.mark.broker
@pytest.mark.parametrize("broker", _restartable(), ids=lambda url: url.split("://")[0])
def test_a_broker_restart_under_a_running_worker_loses_no_task(db, tmp_path, broker):
    server = None
    if broker == "embedded":
        server = EmbeddedRedis(tmp_path / "redis").start()
        broker = server.broker_url()
    worker = _worker(broker, "server-restart", "--without-mingle")
    try:
        with app.connection_for_write(broker) as conn, schema_context("alpha"):
            before = [ping.apply_async(connection=conn) for _ in range(3)]
        if server is not None:
            server.stop()
            server.start()
        else:
            subprocess.run(os.environ["PORTAL_TEST_BROKER_RESTART_CMD"], shell=True, check=True, timeout=120)
        wait_for(lambda: _broker_up(broker), 60, "the broker to come back")
        with app.connection_for_write(broker) as conn, schema_context("beta"):
            after = [ping.apply_async(connection=conn) for _ in range(3)]
        assert [r.get(timeout=120)["schema"] for r in before + after] == ["alpha"] * 3 + ["beta"] * 3
    finally:
        stop(worker)
        if server is not None:
            server.stop(save=False)
    _ran_once(before + after)


def _broker_up(url) -> bool:
    try:
        with app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001
        return False
