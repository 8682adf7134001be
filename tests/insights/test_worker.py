"""A real Celery worker runs the statistics pipeline; one killed with SIGKILL mid-partner leaves no half month.

The worker only sees committed data, so these tests run outside the test transaction (like
tests/vehicles/test_import_worker.py) and remove what they wrote. The worker gets its own data folder and its
own broker queue. To stop a partner task in the middle, the test holds an ACCESS EXCLUSIVE lock on alpha's
supply table from a second connection: the task has then already rewritten alpha's vehicle, shipment and
certificate facts (uncommitted) and waits on its last query, where the worker is killed.
"""

import ast
import datetime
import json
import os
import signal
import threading
import time

import psycopg
import pytest
from django.db import connection
from django_tenants.utils import schema_context

from portal.celery import app
from portal.compliance.models import Certificate, Shipment, ShipmentCheck, ShipmentVehicle
from portal.insights import pipeline
from portal.insights.capture.models import Mark
from portal.insights.choices import PartStatus, RunKind, RunStatus, Source
from portal.insights.models import Cell, Fact, RiskWarning, Run, RunPartner
from portal.insights.tasks import insights_run
from portal.supply.models import SupplyReport
from portal.vehicles.models import Vehicle, VehicleModel
from tenants.models import Partner

from ..embedded_broker import private_broker_url
from ..processes import ROOT, database_url, start, stop, subprocess_env, wait_for
from .factories import (
    at,
    cells,
    certificate_row,
    check_row,
    dirty,
    facts,
    facts_expected,
    model_row,
    month,
    shipment_row,
    supply_row,
    vehicle_row,
)

JAN, FEB, MAR = month(2025, 1), month(2025, 2), month(2025, 3)
LOCKED = "alpha.supply_supplyreport"


class Worker:
    def __init__(self, data_dir):
        self.data_dir = data_dir
        self.broker = private_broker_url()
        self.process = None

    def start(self, name: str) -> None:
        env = subprocess_env(CELERY_BROKER_URL=self.broker, PORTAL_DATA_DIR=str(self.data_dir))
        args = ["-m", "celery", "-A", "portal", "worker", "--pool", "solo", "-l", "info"]
        log = ROOT / "artifacts" / "logs" / f"insights-worker-{name}.log"
        self.process = start([*args, "--without-mingle", "--without-gossip", "--without-heartbeat"], env, log)

    def send_run(self, kind: str) -> None:
        with app.connection_for_write(self.broker) as conn:
            insights_run.apply_async(args=[kind], connection=conn, headers={"_schema_name": "public"})

    def kill(self) -> None:
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            stop(self.process)


def _data(partner, serial: int) -> None:
    model = model_row(partner, "L3e" if serial % 2 else "M1")
    vehicles = [
        vehicle_row(partner, model, when + datetime.timedelta(days=n), when + datetime.timedelta(days=n + 3), "TH")
        for when in (JAN, FEB)
        for n in range(serial + 2)
    ]
    shipment = shipment_row(partner, vehicles[:2], destination="AE", shipped_at=at(FEB))
    check_row(partner, shipment, verdict="blocked", checked_at=at(MAR), reasons=[("embargo", "block")])
    certificate_row(partner, "un-r136", datetime.date(2025, 3, 20))
    supply_row(partner, JAN, 1000 * serial, 100 * serial)


def _clean(schemas) -> None:
    """Remove every row of the captured tables these tests wrote, and the statistics they made."""
    connection.set_schema_to_public()
    for schema in schemas:
        with schema_context(schema):
            ShipmentCheck.objects.filter(consignee_name="Test importer").delete()
            ShipmentVehicle.objects.filter(shipment__consignee_name="Test importer").delete()
            Shipment.objects.filter(consignee_name="Test importer").delete()
            Vehicle.objects.filter(vin__startswith="LST").delete()
            VehicleModel.objects.filter(name__startswith="Stats model").delete()
            Certificate.objects.filter(number__startswith="STAT-").delete()
            SupplyReport.objects.all().delete()
            Mark.objects.all().delete()
    for model in (Fact, Cell, RiskWarning, Run):
        model.objects.all().delete()
    from django_celery_results.models import TaskResult

    TaskResult.objects.filter(task_name__startswith="portal.insights.").delete()


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """Committed figures in alpha and beta (and no statistics yet); all removed afterwards."""
    with django_db_blocker.unblock():
        partners = [Partner.objects.get(schema_name="alpha"), Partner.objects.get(schema_name="beta")]
        _clean(["alpha", "beta"])
        try:
            for serial, partner in enumerate(partners, start=1):
                _data(partner, serial)
            yield partners
        finally:
            _clean(["alpha", "beta"])


def test_collected_with_the_database(db):
    """(Makes pytest-django create the test database: it does so only when a collected test uses it.)"""
    assert Run.objects.count() == 0


def _finished_run() -> Run | None:
    return Run.objects.filter(status=RunStatus.FINISHED).order_by("-pk").first()


def _task_results(name: str) -> list:
    """(arguments, status) of the stored results of one task (the backend keeps the arguments as JSON text)."""
    from django_celery_results.models import TaskResult

    rows = TaskResult.objects.filter(task_name=f"portal.insights.tasks.{name}").values_list("task_args", "status")
    return [(tuple(ast.literal_eval(json.loads(args))), status) for args, status in rows]


@pytest.mark.broker
def test_a_run_sent_through_celery_completes(committed, tmp_path, django_db_blocker):
    partners = committed
    worker = Worker(tmp_path)
    with django_db_blocker.unblock():
        worker.start("run")
        try:
            worker.send_run(RunKind.FULL)
            wait_for(lambda: _finished_run() is not None, 60, "the run to finish")
            time.sleep(0.5)  # a second combine, if one were queued, would have run by now
        finally:
            worker.stop()
        run = _finished_run()
        assert run.kind == RunKind.FULL and run.errors == []
        assert (run.partners_total, run.partners_done) == (2, 2)
        # Each partner's part ran in its own schema (partner_compute refuses any other) and is done once.
        assert sorted(run.parts.values_list("partner__schema_name", "status", "attempts")) == [
            ("alpha", PartStatus.DONE, 1),
            ("beta", PartStatus.DONE, 1),
        ]
        partner_tasks = _task_results("insights_partner_compute")
        assert sorted(partner_tasks) == [((run.pk, partner.pk), "SUCCESS") for partner in partners]
        assert _task_results("insights_combine") == [((run.pk,), "SUCCESS")]  # the combine ran once
        assert facts() == facts_expected(partners)
        assert dirty() == set()


def _waiting_on_lock() -> int | None:
    """The backend pid waiting for the test's lock on alpha's supply table, if any."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_locks WHERE relation = %s::regclass AND NOT granted "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            [LOCKED],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 1


@pytest.mark.broker
def test_a_worker_killed_in_a_partner_task_leaves_no_half_month(committed, tmp_path, django_db_blocker):
    alpha, beta = committed
    worker = Worker(tmp_path)
    with django_db_blocker.unblock():
        pipeline.run_inline(kind=RunKind.FULL)  # committed figures of the data as it was
        before = facts()
        # New figures in alpha (vehicles, supply) and beta, then an incremental run through the worker.
        model = model_row(alpha, "L1e")
        for n in range(3):
            vehicle_row(alpha, model, datetime.date(2025, 2, 10 + n), datetime.date(2025, 3, 1), "HU")
        with schema_context("alpha"):
            SupplyReport.objects.filter(month=JAN).update(total_value=5000, local_value=4000)
        vehicle_row(beta, model_row(beta), datetime.date(2025, 1, 5))
        marks = dirty()
        assert {schema for schema, _s, _m in marks} == {"alpha", "beta"}

        lock = psycopg.connect(database_url(connection.settings_dict))
        try:
            lock.execute(f"LOCK TABLE {LOCKED} IN ACCESS EXCLUSIVE MODE")  # a transaction stays open
            worker.start("killed-1")
            try:
                worker.send_run(RunKind.INCREMENTAL)
                wait_for(lambda: _waiting_on_lock() is not None, 60, "alpha's part to reach its supply query")
                stuck = _waiting_on_lock()
                # Mid-task: alpha's vehicle facts are rewritten in the worker's transaction, invisible from here.
                assert facts(partner=alpha) == {k: v for k, v in before.items() if k[4] == alpha.pk}
                worker.kill()
            finally:
                worker.stop()
        finally:
            lock.rollback()
            lock.close()
        wait_for(lambda: not _backend_alive(stuck), 30, "the killed worker's session to end")

        # Nothing of the killed attempt is left: alpha's facts and marks are as before, its part pending.
        assert facts(partner=alpha) == {k: v for k, v in before.items() if k[4] == alpha.pk}
        assert dirty("alpha") == {m for m in marks if m[0] == "alpha"}
        run = Run.objects.order_by("-pk").first()
        assert run.kind == RunKind.INCREMENTAL and run.status == RunStatus.RUNNING
        assert RunPartner.objects.get(run=run, partner=alpha).status == PartStatus.PENDING

        # The broker redelivers the task to the next worker (nobody sends it again).
        worker.start("killed-2")
        try:
            wait_for(lambda: Run.objects.get(pk=run.pk).status == RunStatus.FINISHED, 60, "the redelivered run")
        finally:
            worker.stop()
        run.refresh_from_db()
        assert (run.partners_total, run.partners_done, run.errors) == (2, 2, [])
        assert RunPartner.objects.get(run=run, partner=alpha).attempts == 1  # the killed attempt left no trace
        assert dirty() == set()
        after, cells_after = facts(), cells()
        assert after == facts_expected([alpha, beta])
        assert after != before
        # And a fresh full recompute finds exactly the same: nothing counted twice, nothing missing.
        pipeline.run_inline(kind=RunKind.FULL)
        assert facts() == after and cells() == cells_after


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_a_write_during_a_partner_part_is_marked_again_and_picked_up(committed, django_db_blocker, monkeypatch):
    """Real concurrency: a supply report corrected while alpha's part holds its marks is not lost."""
    alpha, _beta = committed
    with django_db_blocker.unblock():
        pipeline.run_inline(kind=RunKind.FULL)
        with schema_context("alpha"):
            SupplyReport.objects.filter(month=JAN).update(total_value=1500)  # marks (alpha, supply, January)
        run = pipeline.run_start(kind=RunKind.INCREMENTAL, queue=False)
        computed, resume = threading.Event(), threading.Event()
        real = pipeline.facts_replace

        def pausing(**kwargs):
            written = real(**kwargs)
            computed.set()
            assert resume.wait(30)
            return written

        monkeypatch.setattr(pipeline, "facts_replace", pausing)
        errors = []

        def part():
            try:
                with schema_context("alpha"):
                    pipeline.partner_compute(run_id=run.pk, partner_id=alpha.pk, queue=False)
            except Exception as error:  # noqa: BLE001 -- reported by the assertion below
                errors.append(error)
            finally:
                connection.close()

        def correction():
            try:
                with schema_context("alpha"):
                    SupplyReport.objects.filter(month=JAN).update(total_value=2500)
            except Exception as error:  # noqa: BLE001 -- reported by the assertion below
                errors.append(error)
            finally:
                connection.close()

        computing = threading.Thread(target=part)
        computing.start()
        assert computed.wait(30)
        writing = threading.Thread(target=correction)
        writing.start()
        wait_for(_someone_waits_for_a_lock, 10, "the write to wait for the part's lock on January's mark")
        assert writing.is_alive()
        resume.set()
        computing.join(30)
        writing.join(30)
        assert errors == []
        monkeypatch.setattr(pipeline, "facts_replace", real)

        # The part computed 1500 and consumed its mark; the correction marked January again.
        assert facts(measure="supply_total", partner=alpha) == {("supply_total", JAN, "", "", alpha.pk): 1500}
        assert ("alpha", Source.SUPPLY, JAN) in dirty("alpha")
        pipeline.run_inline()
        assert facts(measure="supply_total", partner=alpha) == {("supply_total", JAN, "", "", alpha.pk): 2500}
        assert dirty("alpha") == set()
