"""Throughput and latency of the vehicle API under concurrent load, against a bare view of the same rows.

A partner with ROWS vehicles; gunicorn (WORKERS sync workers, production-like settings from bench/settings_api.py)
serves it on loopback. A separate load-generator process (bench/load.py, CONCURRENCY keep-alive connections)
runs SECONDS per target after a warm-up:
- bare: a plain Django view returning the list's first 100 rows from `.values()` (the floor);
- list: `GET /api/v1/vehicles/?page_size=100` with an API key (authentication, scopes, rate limit, FilterSet,
  cursor pagination, serialisers);
- detail: `GET /api/v1/vehicles/<vin>/` for one vehicle.
Goal: list_rps / bare_rps ≥ 0.7. Last, the detail again over one connection (`detail_1conn_p99_ms`): the time a call
takes in the server without the queue in front of it.
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
    targets = {
        "bare": ("/bench/bare-vehicles/", []),
        "list": ("/api/v1/vehicles/?page_size=100", auth),
        "detail": (f"/api/v1/vehicles/{vin}/", auth),
    }
    server = start_server()
    results = {}
    try:
        for name, (path, headers) in targets.items():
            load(host, path, WARM_UP_S, headers)
            results[name] = load(host, path, SECONDS, headers)
            print(f"{name:7} {path}: {results[name]}", flush=True)
        # One integrator alone (one connection): the time a call takes in the server, without the queue that
        # 8 connections on 2 workers (and a load process on the same 2 cores) put in front of it.
        path, headers = targets["detail"]
        results["detail_1"] = load(host, path, SECONDS, headers, concurrency=1)
        print(f"detail, one connection {path}: {results['detail_1']}", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)
    errors = sum(result["errors"] for result in results.values())
    if errors:
        raise RuntimeError(f"{errors} requests failed: {results}")
    ratio = results["list"]["rps"] / results["bare"]["rps"]
    print(f"{ROWS} vehicles, gunicorn {WORKERS} workers, {CONCURRENCY} connections, {SECONDS:.0f} s per target")
    return {
        "list_rps": results["list"]["rps"],
        "bare_rps": results["bare"]["rps"],
        "ratio": round(ratio, 2),
        "list_p99_ms": results["list"]["p99_ms"],
        "detail_p99_ms": results["detail"]["p99_ms"],
        "detail_rps": results["detail"]["rps"],
        "detail_1conn_p99_ms": results["detail_1"]["p99_ms"],
    }
