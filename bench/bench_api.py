"""Throughput and latency of the vehicle API under concurrent load, against bare views of the same rows.

A partner with ROWS vehicles; gunicorn (WORKERS sync workers, production-like settings from bench/settings_api.py)
serves it on loopback. A separate load-generator process (bench/load.py, keep-alive connections) runs SECONDS per
target after a warm-up:
- bare: a plain Django view returning the list's first 100 rows from `.values()` (the list's floor);
- list: `GET /api/v1/vehicles/?page_size=100` with an API key (authentication, scopes, rate limit, FilterSet,
  cursor pagination, serialisers);
  both with CONCURRENCY (8) connections. Goal: list_rps / bare_rps ≥ 0.7.
- bare_detail: a plain Django view returning one vehicle and its history from `.values()` (the detail's floor);
- detail: `GET /api/v1/vehicles/<vin>/` for the same vehicle with an API key;
  both with as many connections as the machine has cores (DETAIL_CONCURRENCY), in turn. Goal: detail p99 < 25 ms.
  A closed loop of 8 connections on 2 cores measures the queue in front of 2 workers (and a load process on the
  same cores), not the call: the bare floor's own p99 is 30–38 ms there. The 8-connection figures are still
  printed (`detail_8conn_*`), and the detail over one connection (`detail_1conn_p99_ms`): the call without a queue.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.db import connection
from django_tenants.utils import schema_context

from bench.bench_vehicle_list import INSERT
from portal.integrations.services import api_key_create
from portal.vehicles.models import Vehicle, VehicleModel
from tenants.choices import PartnerKind
from tenants.services import partner_provision

ROOT = Path(__file__).resolve().parent.parent
ROWS = 100_000
WORKERS = 2
CONCURRENCY = 8
DETAIL_CONCURRENCY = os.cpu_count() or 2  # one connection per core: callers the machine can serve at once
SECONDS = 10.0
WARM_UP_S = 2.0


def setup():
    connection.set_schema_to_public()
    partner = partner_provision(slug="bench-api", name="Bench API", kind=PartnerKind.EV_MAKER, country="CN").partner
    _key, raw = api_key_create(partner=partner, name="bench", scopes=["vehicles:read"])
    with schema_context(partner.schema_name):
        models = [
            VehicleModel.objects.create(
                name=f"API {category}",
                category=category,
                battery_chemistry="LFP",
                battery_kwh="2.00",
                hs_code="8711.60",
            ).pk
            for category in ("L1e", "L3e", "EPAC", "M1")
        ]
        with connection.cursor() as cursor:
            cursor.execute(INSERT, {"models": models, "rows": ROWS})
            cursor.execute("ANALYZE vehicles_vehicle")
        vin = Vehicle.objects.order_by("vin").values_list("vin", flat=True)[ROWS // 2]
    connection.close()  # the server processes need no competition from this one
    return partner.domains.get(is_primary=True).domain, raw, vin


def free_port() -> int:
    """A loopback port nobody listens on (a fixed one may be taken by another server on the machine)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


PORT = free_port()


def start_server():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings_api", DATABASE_CONN_MAX_AGE="600")
    args = [sys.executable, "-m", "gunicorn", "portal.wsgi:application", "--workers", str(WORKERS)]
    args += ["--bind", f"127.0.0.1:{PORT}", "--log-level", "warning"]
    server = subprocess.Popen(args, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{PORT}/health/?worker=0", headers={"Host": "localhost"})
            if urllib.request.urlopen(request, timeout=2).status == 200:
                return server
        except OSError:
            time.sleep(0.3)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def load(host: str, path: str, seconds: float, headers: list[str], concurrency: int = CONCURRENCY) -> dict:
    args = [sys.executable, "-m", "bench.load", str(PORT), host, path, str(seconds), str(concurrency), *headers]
    output = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def run() -> dict:
    host, raw, vin = setup()
    auth = [f"Authorization: Api-Key {raw}"]
    targets = {  # name: (path, headers, connections)
        "bare": ("/bench/bare-vehicles/", [], CONCURRENCY),
        "list": ("/api/v1/vehicles/?page_size=100", auth, CONCURRENCY),
        "bare_detail": (f"/bench/bare-vehicles/{vin}/", [], DETAIL_CONCURRENCY),
        "detail": (f"/api/v1/vehicles/{vin}/", auth, DETAIL_CONCURRENCY),
        # The same detail under the list's 8 connections (the queue), and alone (the call without a queue).
        "detail_8": (f"/api/v1/vehicles/{vin}/", auth, CONCURRENCY),
        "detail_1": (f"/api/v1/vehicles/{vin}/", auth, 1),
    }
    server = start_server()
    results = {}
    try:
        for name, (path, headers, connections) in targets.items():
            load(host, path, WARM_UP_S, headers, connections)
            results[name] = load(host, path, SECONDS, headers, connections)
            print(f"{name:11} {connections} conn. {path}: {results[name]}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    errors = sum(result["errors"] for result in results.values())
    if errors:
        raise RuntimeError(f"{errors} requests failed: {results}")
    ratio = results["list"]["rps"] / results["bare"]["rps"]
    print(
        f"{ROWS} vehicles, gunicorn {WORKERS} workers, {SECONDS:.0f} s per target; list and bare: {CONCURRENCY} "
        f"connections; detail and bare_detail: {DETAIL_CONCURRENCY} ({os.cpu_count()} cores)"
    )
    return {
        "list_rps": results["list"]["rps"],
        "bare_rps": results["bare"]["rps"],
        "ratio": round(ratio, 2),
        "list_p99_ms": results["list"]["p99_ms"],
        "detail_p99_ms": results["detail"]["p99_ms"],
        "bare_detail_p99_ms": results["bare_detail"]["p99_ms"],
        "detail_rps": results["detail"]["rps"],
        "bare_detail_rps": results["bare_detail"]["rps"],
        "detail_8conn_p99_ms": results["detail_8"]["p99_ms"],
        "detail_8conn_rps": results["detail_8"]["rps"],
        "detail_1conn_p99_ms": results["detail_1"]["p99_ms"],
    }
