"""Real web processes (gunicorn) under faults: the database connection dropped in the middle of a request, and
a web process killed in the middle of an upload. Clean errors, recovery, and nothing half-done.

The data must be committed for the server process to see it, so these tests run outside the test transaction
and clean up after themselves.
"""

import http.client
import os
import signal
import threading
import time

import psycopg
import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from portal.integrations.models import ApiKey
from portal.integrations.services import api_key_create
from portal.vehicles.choices import ImportStatus
from portal.vehicles.models import ImportJob, Vehicle, VehicleModel
from tenants.models import Partner

from ..processes import ROOT, free_port, start, stop, subprocess_env, wait_for
from ..processes import test_database_url as session_database_url
from ..vehicles.factories import vin_for
from ..vehicles.import_samples import csv_bytes, media_root

APP = "portal-fault-tests"
WMI = "LKF"


class Server:
    """gunicorn on the test database, with its database sessions named APP (to find them in pg_stat_activity)."""

    def __init__(self, tmp_path, *extra):
        self.port = free_port()
        env = subprocess_env(
            DJANGO_DEBUG="0",
            DATABASE_URL=session_database_url() + f"?application_name={APP}",
            PORTAL_DATA_DIR=str(tmp_path),
            PYTHONUNBUFFERED="1",
        )
        args = ["-m", "gunicorn", "portal.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", "1", "--timeout", "60", *extra]
        self.process = start(args, env, ROOT / "artifacts" / "logs" / f"fault-web-{self.port}.log")
        wait_for(lambda: self.get("/health/?worker=0", host="localhost")[0] == 200, 60, "gunicorn to answer")

    def request(self, method, path, *, host, headers=None, body=None, timeout=30):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers={"Host": host, **(headers or {})})
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def get(self, path, *, host, headers=None):
        try:
            return self.request("GET", path, host=host, headers=headers)
        except OSError:
            return 0, {}, b""

    def stop(self):
        if self.process.poll() is None:
            stop(self.process)


@pytest.fixture
def committed_key(django_db_setup, django_db_blocker):
    """A committed API key of alpha that may write vehicles, and alpha's WMI; removed afterwards."""
    from portal.reference.models import WmiAssignment

    with django_db_blocker.unblock():
        alpha = Partner.objects.get(schema_name="alpha")
        WmiAssignment.objects.get_or_create(wmi=WMI, defaults={"partner": alpha})
        with schema_context("alpha"):
            model, _created = VehicleModel.objects.get_or_create(
                name="Fault model", defaults={"category": "L3e", "battery_chemistry": "LFP", "battery_kwh": "3"}
            )
        key, raw = api_key_create(partner=alpha, name="fault tests", scopes=["vehicles:write", "vehicles:read"])
        browser = Client()
        browser.force_login(alpha.memberships.get(role="owner").user)  # a committed session, for the pages
        session_key = browser.cookies["sessionid"].value
        try:
            yield alpha, raw, model, session_key
        finally:
            Session.objects.filter(session_key=session_key).delete()
            connection.set_schema_to_public()
            with schema_context("alpha"):
                Vehicle.objects.filter(vin__startswith=WMI).delete()
                ImportJob.objects.all().delete()
                VehicleModel.objects.filter(pk=model.pk).delete()
            ApiKey.objects.filter(pk=key.pk).delete()
            WmiAssignment.objects.filter(wmi=WMI).delete()


def test_the_fault_server_config_replaces_only_the_queueing(db):
    """(Also makes pytest-django create the test database: it does so only when a collected test uses it.)"""
    assert (ROOT / "tests" / "faults" / "gunicorn_dies_after_commit.py").exists()


def test_database_connection_dropped_mid_request_gives_a_clean_error_then_recovers(committed_key, tmp_path):
    _alpha, raw, _model, session_key = committed_key
    api_headers = {"Authorization": f"Api-Key {raw}"}
    server = Server(tmp_path)
    try:
        for path in ("/api/v1/vehicle-models/", "/vehicles/models/"):
            headers = api_headers if path.startswith("/api/") else {"Cookie": f"sessionid={session_key}"}
            assert server.get(path, host="alpha.localhost", headers=headers)[0] == 200
            # Hold a lock the request must wait for, then kill the web process's database session meanwhile.
            with psycopg.connect(session_database_url()) as locker:
                locker.execute("LOCK TABLE alpha.vehicles_vehiclemodel IN ACCESS EXCLUSIVE MODE")
                answers = []
                thread = threading.Thread(
                    target=lambda path=path, answers=answers, headers=headers: answers.append(
                        server.request("GET", path, host="alpha.localhost", headers=headers)
                    )
                )
                thread.start()
                wait_for(lambda: _waiting_backend() is not None, 20, "the request to wait on the lock")
                with psycopg.connect(session_database_url(), autocommit=True) as side:
                    side.execute("SELECT pg_terminate_backend(%s)", [_waiting_backend()])
                thread.join(timeout=30)
                locker.rollback()
            status, response_headers, body = answers[0]
            assert status == 503, (path, status, body[:500])
            assert response_headers.get("Retry-After") == "5"
            assert b"Traceback" not in body and b"psycopg" not in body
            if path.startswith("/api/"):
                assert b'"database_unavailable"' in body
            # The next request opens a new connection: the site has recovered by itself.
            assert server.get(path, host="alpha.localhost", headers=headers)[0] == 200
    finally:
        server.stop()


def _waiting_backend() -> int | None:
    with psycopg.connect(session_database_url(), autocommit=True) as side:
        row = side.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND wait_event_type = 'Lock'", [APP]
        ).fetchone()
    return row[0] if row else None


def _multipart(content: bytes, name: str = "vehicles.csv") -> tuple[bytes, str]:
    boundary = "fault-test-boundary"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="market"\r\n\r\nCN\r\n',
        f'--{boundary}\r\nContent-Disposition: form-data; name="mode"\r\n\r\nall_or_nothing\r\n',
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: text/csv\r\n\r\n",
    ]
    body = "".join(parts).encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def _jobs():
    with schema_context("alpha"):
        return list(ImportJob.objects.all())


def test_web_process_killed_mid_upload_leaves_nothing_or_a_job_that_resumes(committed_key, tmp_path):
    _alpha, raw, model, _session = committed_key
    rows = [(vin_for(WMI, serial), model.name, "2025-03-01", "P") for serial in range(1, 501)]
    body, content_type = _multipart(csv_bytes(rows))
    headers = {"Authorization": f"Api-Key {raw}", "Content-Type": content_type}

    # 1. Killed while the body is still arriving: no job, no file.
    server = Server(tmp_path)
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.putrequest("POST", "/api/v1/vehicle-imports/", skip_host=True)
        for name, value in {"Host": "alpha.localhost", **headers, "Content-Length": str(len(body))}.items():
            conn.putheader(name, value)
        conn.endheaders()
        conn.send(body[: len(body) // 2])
        time.sleep(0.5)
        _kill_tree(server.process)
        conn.close()
    finally:
        server.stop()
    assert _jobs() == []
    media = tmp_path / "test-media"  # the server's MEDIA_ROOT (test settings, PORTAL_DATA_DIR=tmp_path)
    assert not media.exists() or not [path for path in media.rglob("*") if path.is_file()]

    # 2. Killed right after the job was committed, before its run was sent: the sweeper sends it again.
    server = Server(tmp_path, "-c", str(ROOT / "tests" / "faults" / "gunicorn_dies_after_commit.py"))
    try:
        with pytest.raises((http.client.HTTPException, OSError)):
            server.request("POST", "/api/v1/vehicle-imports/", host="alpha.localhost", headers=headers, body=body)
    finally:
        server.stop()
    (job,) = _jobs()
    assert (job.status, job.queued_at, job.attempts) == (ImportStatus.QUEUED, None, 0), "committed, never sent"
    with schema_context("alpha"):
        assert Vehicle.objects.filter(vin__startswith=WMI).count() == 0

    from portal.vehicles.importing import services

    sent = []
    with media_root(media), schema_context("alpha"):
        ImportJob.objects.filter(pk=job.pk).update(created_at=job.created_at - services.RESEND_QUEUED_AFTER * 2)
        original = services.import_job_queue
        services.import_job_queue = lambda *, job: sent.append(job.pk)
        try:
            assert services.import_jobs_recover()["resent"] == 1
        finally:
            services.import_job_queue = original
        # The resent run (here in-process; a worker in production) imports every row exactly once.
        from portal.vehicles.importing.pipeline import import_run

        for job_id in sent + sent:  # delivered twice: the second run finds the job done and changes nothing
            import_run(job_id=job_id)
        job.refresh_from_db()
        assert (job.status, job.rows_created) == (ImportStatus.SUCCEEDED, 500)
        assert Vehicle.objects.filter(vin__startswith=WMI).count() == 500


def _kill_tree(process):
    """SIGKILL gunicorn's worker (the process serving the request) and then its arbiter."""
    import psutil

    parent = psutil.Process(process.pid)
    for child in parent.children(recursive=True):
        os.kill(child.pid, signal.SIGKILL)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
