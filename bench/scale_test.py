"""`make scale-test`: the portal on a Citus cluster (issue 18, docs/scaling.md "On a Citus cluster").

Builds Citus if missing (../shared/tools/citus/build, or CITUS_TOOLS), starts a fresh coordinator and 2 workers
under <PORTAL_DATA_DIR or .data>/citus on ports SCALE_TEST_PORT.. (default 5461, 5462, 5463), runs portal_setup
against the coordinator, provisions 4 partners (they land on both workers), writes vehicles (the capture
triggers fire on the workers), runs a full and an incremental statistics run, then moves one partner's schema
to the other worker with `citus_schema_move` while a thread reads that partner's pages: zero failed requests and
the partner's rows identical before and after. Stops the cluster at the end. Prints one line:
`scale-test: ok=… partners=… nodes=… setup_s=… full_s=… incremental_s=… move_s=… move_requests=… move_failed=…`.

Not covered yet (docs/scaling.md): the pytest suite against the cluster, vehicle import (fails on Citus),
shipment checks, the API under load, the rebalancer.
"""

import datetime
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(os.environ.get("CITUS_TOOLS", ROOT.parent / "shared" / "tools" / "citus"))
DATA = Path(os.environ.get("PORTAL_DATA_DIR", ROOT / ".data")) / "citus"
PORT = int(os.environ.get("SCALE_TEST_PORT", "5461"))
PARTNERS = 4
VEHICLES = 200


def say(message: str) -> None:
    print(f"scale-test: {message}", flush=True)


def cluster(*args: str) -> str:
    return subprocess.run([str(TOOLS / "cluster"), *args], check=True, capture_output=True, text=True).stdout.strip()


def main() -> int:
    started = time.perf_counter()
    subprocess.run([str(TOOLS / "build")], check=True)
    if DATA.exists():
        subprocess.run([str(TOOLS / "cluster"), "stop", str(DATA)], check=False, capture_output=True)
        shutil.rmtree(DATA)
    url = cluster("start", str(DATA), "2", str(PORT)).splitlines()[-1]
    say(f"cluster up: {url}")
    try:
        return run(url, started)
    finally:
        cluster("stop", str(DATA))


def run(url: str, started: float) -> int:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
    setup_started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "portal_setup"], cwd=ROOT, check=True)
    setup_s = time.perf_counter() - setup_started

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from portal.insights.choices import RunKind, RunStatus
    from portal.insights.models import DirtyMonth
    from portal.insights.pipeline import run_inline
    from tenants.choices import PartnerKind, Role
    from tenants.services import membership_grant, partner_provision
    from tests.insights.factories import model_row, vehicle_row

    partners = []
    for i in range(1, PARTNERS + 1):
        partners.append(
            partner_provision(
                name=f"Scale {i}", slug=f"scale-{i}", kind=PartnerKind.EV_MAKER, country="CN", invite=False
            ).partner
        )

    def node_of(schema: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT nodeport FROM citus_shards WHERE citus_table_type = 'schema' "
                "AND table_name::text LIKE %s",
                [f"{schema}.%"],
            )
            return cursor.fetchone()[0]

    nodes = {partner.schema_name: node_of(partner.schema_name) for partner in partners}
    assert len(set(nodes.values())) == 2, nodes
    say(f"partners on nodes {nodes}")

    for partner in partners:
        model = model_row(partner)
        for n in range(VEHICLES):
            vehicle_row(partner, model, datetime.date(2026, 1 + n % 12, 1 + n % 28))
    full_started = time.perf_counter()
    full = run_inline(kind=RunKind.FULL)
    full_s = time.perf_counter() - full_started
    vehicle_row(partners[0], model_row(partners[0]), datetime.date(2026, 3, 3))
    # The capture trigger ran on the worker holding scale_1 and marked the month in the reference table.
    dirty_after_full = DirtyMonth.objects.filter(schema_name=partners[0].schema_name).count()
    incremental_started = time.perf_counter()
    incremental = run_inline(kind=RunKind.INCREMENTAL)
    incremental_s = time.perf_counter() - incremental_started
    say(f"statistics: full {full.status} {full_s:.2f} s, incremental {incremental.status} {incremental_s:.2f} s")

    moved = partners[0]
    owner = membership_grant(partner=moved, email="owner@scale-1.example", role=Role.OWNER)

    def rows() -> list:
        with schema_context(moved.schema_name), connection.cursor() as cursor:
            cursor.execute("SELECT id, vin, production_date, model_id FROM vehicles_vehicle ORDER BY id")
            return cursor.fetchall()

    before = rows()
    results = {"ok": 0, "failed": 0}
    stop = threading.Event()

    def load() -> None:
        client = Client(HTTP_HOST=f"{moved.slug}.localhost")
        client.force_login(owner)
        while not stop.is_set():
            for path in ("/", "/vehicles/"):
                try:
                    status = client.get(path).status_code
                    results["ok" if status == 200 else "failed"] += 1
                except Exception:  # noqa: BLE001 -- every failure counts
                    results["failed"] += 1
        connection.close()

    thread = threading.Thread(target=load)
    thread.start()
    time.sleep(2)
    target = next(port for port in set(nodes.values()) if port != nodes[moved.schema_name])
    move_started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT citus_schema_move(%s, '127.0.0.1', %s, shard_transfer_mode => 'block_writes')",
            [moved.schema_name, target],
        )
    move_s = time.perf_counter() - move_started
    time.sleep(2)
    stop.set()
    thread.join()
    after = rows()
    ok = (
        node_of(moved.schema_name) == target
        and before == after
        and results["failed"] == 0
        and results["ok"] > 0
        and full.status == incremental.status == RunStatus.FINISHED
        and dirty_after_full >= 1
    )
    print(
        f"scale-test: ok={ok} partners={PARTNERS} nodes=3 vehicles={PARTNERS * VEHICLES} setup_s={setup_s:.1f} "
        f"full_s={full_s:.2f} incremental_s={incremental_s:.2f} move_s={move_s:.2f} "
        f"move_requests={results['ok'] + results['failed']} move_failed={results['failed']} "
        f"rows_identical={before == after} marked={dirty_after_full} total_s={time.perf_counter() - started:.0f}",
        flush=True,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
