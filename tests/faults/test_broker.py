"""The broker restarted: tasks sent while no worker (or no broker) runs are kept and run exactly once later.

The embedded filesystem broker is a folder: "restarting" it is every process letting go of it, and the test
proves the queue survives that (and that a task a dead worker had taken is redone). For Redis or RabbitMQ a
real restart needs a command to run: set PORTAL_TEST_BROKER_RESTART_CMD (e.g. `systemctl restart redis`) with
CELERY_BROKER_URL; without it that test is skipped.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from portal.celery import app
from portal.core.tasks import ping
from portal.settings.base import filesystem_broker_options

from ..processes import ROOT, start, stop, subprocess_env, wait_for

TAKE_AND_DIE = """
import os, signal, sys
sys.path.insert(0, {root!r})
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
import django; django.setup()
from portal.celery import app
with app.connection_for_write("filesystem://", transport_options={options!r}) as conn:
    channel = conn.default_channel
    payload = channel._get("celery")
    print("taken", payload["properties"]["delivery_tag"], flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def _worker(tmp_path, name):
    env = subprocess_env(CELERY_BROKER_URL="filesystem://", PORTAL_DATA_DIR=str(tmp_path))
    args = ["-m", "celery", "-A", "portal", "worker", "--pool", "solo", "-l", "info"]
    args += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
    return start(args, env, ROOT / "artifacts" / "logs" / f"broker-{name}.log")


def test_the_queue_folder_survives_a_restart_and_a_taken_task_is_redone(db, tmp_path):
    options = filesystem_broker_options(tmp_path / "test-broker")
    with app.connection_for_write("filesystem://", transport_options=options) as conn:
        results = []
        for schema in ("alpha", "beta", "public", "alpha"):
            with schema_context(schema):
                results.append(ping.apply_async(connection=conn))
    queue = tmp_path / "test-broker" / "queue"
    assert len(list(queue.iterdir())) == 4, "the messages wait on disk while nothing runs"

    # A process takes the first message and dies before acknowledging it (SIGKILL): it waits in "unacked".
    script = TAKE_AND_DIE.format(root=str(ROOT), options=options)
    taken = subprocess.run(
        [sys.executable, "-c", script],
        env=subprocess_env(PORTAL_DATA_DIR=str(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert taken.returncode == -9 and "taken" in taken.stdout, taken.stderr[-2000:]
    assert len(list((tmp_path / "test-broker" / "unacked").iterdir())) == 1

    worker = _worker(tmp_path, "restart")
    try:
        answers = [result.get(timeout=90) for result in results]
    finally:
        stop(worker)
    assert [answer["schema"] for answer in answers] == ["alpha", "beta", "public", "alpha"]
    assert list(queue.iterdir()) == [] and list((tmp_path / "test-broker" / "unacked").iterdir()) == []
    from django_celery_results.models import TaskResult

    ids = [result.id for result in results]
    assert TaskResult.objects.filter(task_id__in=ids).count() == 4, "each ran once: one result each"
    TaskResult.objects.filter(task_id__in=ids).delete()


@pytest.mark.broker
@pytest.mark.skipif(
    not (
        os.environ.get("PORTAL_TEST_BROKER_RESTART_CMD")
        and os.environ.get("CELERY_BROKER_URL", "filesystem")[:4] in ("redi", "amqp")
    ),
    reason="needs CELERY_BROKER_URL=redis://… or amqp://… and PORTAL_TEST_BROKER_RESTART_CMD",
)
def test_a_server_broker_restart_loses_no_task(db, tmp_path):
    broker = os.environ["CELERY_BROKER_URL"]
    env = subprocess_env(CELERY_BROKER_URL=broker)
    args = ["-m", "celery", "-A", "portal", "worker", "--pool", "solo", "-l", "info", "--without-mingle"]
    worker = start(args, env, ROOT / "artifacts" / "logs" / "broker-server-restart.log")
    try:
        with app.connection_for_write(broker) as conn, schema_context("alpha"):
            before = [ping.apply_async(connection=conn) for _ in range(3)]
        subprocess.run(os.environ["PORTAL_TEST_BROKER_RESTART_CMD"], shell=True, check=True, timeout=120)
        wait_for(lambda: _broker_up(broker), 60, "the broker to come back")
        with app.connection_for_write(broker) as conn, schema_context("beta"):
            after = [ping.apply_async(connection=conn) for _ in range(3)]
        assert [r.get(timeout=120)["schema"] for r in before + after] == ["alpha"] * 3 + ["beta"] * 3
    finally:
        stop(worker)


def _broker_up(url) -> bool:
    try:
        with app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001
        return False


def test_settings_keep_tasks_until_they_are_done():
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    options = filesystem_broker_options(settings.DATA_DIR / "test-broker")
    assert options["unacked_folder"].endswith("unacked")
    with app.connection_for_write("filesystem://", transport_options=options) as conn:
        assert type(conn.transport).__module__ == "portal.core.broker", "filesystem:// is the at-least-once one"
