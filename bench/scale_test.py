"""`make scale-test`: the portal on a Citus cluster (issue 18, docs/scaling.md "On a Citus cluster").

Builds Citus if missing (../shared/tools/citus/build, or CITUS_TOOLS), starts a fresh coordinator and 2 workers
under <PORTAL_DATA_DIR or .data>/citus on ports SCALE_TEST_PORT.. (default 5461, 5462, 5463), runs portal_setup
against the coordinator and provisions 4 partners (they land on both workers). Then, each step its own function:

* `statistics`: vehicles written through the ORM (the capture triggers fire on the workers), a full and an
  incremental statistics run;
* `vehicle_import`: a CSV import (COPY into a staging table, LOCK TABLE, the upsert's writing CTE) and the same
  file again (every vehicle updated), with `citus.enable_repartition_joins` off;
* `shipment_checks`: a shipment of certified vehicles (cleared) and one of uncertified vehicles (blocked);
* `isolation_probes`: partner A's session, host and API key against partner B's rows (B on the other worker);
* `killed_part`: an incremental run whose partner task (a child process) is killed with SIGKILL mid-way, then
  run again, as the broker's redelivery does (tests/insights/test_worker.py on one node);
* `move_under_load`: `citus_schema_move` of one partner while threads read its pages, read its API with an API
  key and register vehicles through the API: zero failed requests, the rows before the move unchanged
  (count and md5), every vehicle the API created there;
* `rebalance`: 2 partners added while one worker takes no new shards, then `citus_rebalance_start`;
* `pytest_on_cluster`: the isolation matrix and edges, the import pipeline's and the compliance services' tests
  run by pytest against a Citus test database on the same cluster.

After every step the copies of every reference table are compared between nodes (`diverged_after`, and at the
end `reference_diverged`), and at the end the coordinator's log is searched for "failed to commit transaction on"
(`commit_warnings`): a two-phase commit whose second phase failed on a worker while the client saw it succeed.
The shipment step produced two such warnings while the capture triggers wrote the public reference table from
the shard (a nested distributed execution); they now write the partner schema's own marks (docs/scaling.md).

Stops the cluster at the end and prints one line, `scale-test: ok=… …` with every figure.
"""

import datetime
import os
import shutil
import signal
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
ADDED_PARTNERS = 2  # provisioned while one worker takes no new shards, then spread by the rebalancer
VEHICLES = 200
IMPORT_ROWS = 1000
WMIS = ["LSA", "LSB", "LSC", "LSD", "LSE", "LSF", "LSG", "LSH"]  # one per partner (VIN letters, no I/O/Q)


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


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
    os.environ.setdefault("API_RATE_LIMIT", "100000/min")  # the load below is one caller
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def run(url: str, started: float) -> int:
    setup_started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "portal_setup"], cwd=ROOT, check=True, env={**os.environ, "DATABASE_URL": url}
    )
    setup_s = time.perf_counter() - setup_started
    django_setup(url)
    from tenants.choices import Role
    from tenants.services import membership_grant

    figures: dict = {"partners": PARTNERS + ADDED_PARTNERS, "nodes": 3, "setup_s": round(setup_s, 1)}
    partners = [partner_make(i) for i in range(1, PARTNERS + 1)]
    nodes = {partner.schema_name: node_of(partner.schema_name) for partner in partners}
    say(f"partners on nodes {nodes}")
    checks = {"spread": len(set(nodes.values())) == 2}
    owners = {
        p.schema_name: membership_grant(partner=p, email=f"owner@{p.slug}.example", role=Role.OWNER) for p in partners
    }
    steps = [
        ("statistics", lambda: statistics(partners)),
        ("import", lambda: vehicle_import(partners[0], owners[partners[0].schema_name])),
        ("shipment", lambda: shipment_checks(partners[1])),
        ("isolation", lambda: isolation_probes(partners, owners, nodes)),
        ("killed", lambda: killed_part(partners)),
        ("move", lambda: move_under_load(partners[0], owners[partners[0].schema_name], nodes)),
        ("rebalance", lambda: rebalance(partners)),
        ("pytest", pytest_on_cluster),
    ]
    for name, step in steps:
        step_started = time.perf_counter()
        try:
            ok, measured = step()
        except Exception as error:  # noqa: BLE001 -- a failed step is reported, the others still run
            say(f"{name}: FAILED {type(error).__name__}: {error}")
            import traceback

            traceback.print_exc()
            ok, measured = False, {}
        diverged = reference_divergence()
        if diverged and "diverged_after" not in figures:
            figures["diverged_after"] = name  # the first step after which placements of a reference table differ
            say(f"{name}: reference tables whose placements differ: {', '.join(diverged)}")
        checks[name] = ok
        figures.update(measured)
        line = " ".join(f"{key}={value}" for key, value in measured.items())
        say(f"{name}: ok={ok} {line} ({time.perf_counter() - step_started:.1f} s)")
    diverged = reference_divergence()
    checks["reference_tables"] = not diverged
    figures["reference_diverged"] = len(diverged)
    figures["commit_warnings"] = commit_warnings()
    checks["commits"] = figures["commit_warnings"] == 0
    failed = [name for name, ok in checks.items() if not ok]
    figures["total_s"] = round(time.perf_counter() - started)
    line = " ".join(f"{key}={value}" for key, value in figures.items())
    print(f"scale-test: ok={not failed} failed={','.join(failed) or '-'} {line}", flush=True)
    return 1 if failed else 0


# ---------------------------------------------------------------- helpers


def partner_make(i: int):
    from portal.reference.models import WmiAssignment
    from tenants.choices import PartnerKind
    from tenants.services import partner_provision
    from tests.vehicles.factories import WMI

    partner = partner_provision(
        name=f"Scale {i}", slug=f"scale-{i}", kind=PartnerKind.EV_MAKER, country="CN", invite=False
    ).partner
    WMI[partner.schema_name] = WMIS[i - 1]  # the test factories' register of partner WMIs
    WmiAssignment.objects.get_or_create(wmi=WMIS[i - 1], defaults={"partner": partner})
    return partner


def node_of(schema: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT nodeport FROM citus_shards WHERE citus_table_type = 'schema' AND table_name::text LIKE %s",
            [f"{schema}.%"],
        )
        ports = [row[0] for row in cursor.fetchall()]
    assert len(ports) == 1, (schema, ports)  # a schema lives whole on one node
    return ports[0]


def schema_digest(schema: str, max_vehicle_id: int | None = None) -> tuple:
    """(vehicles, history rows, md5 of both) of a partner, up to a vehicle id (the rows that existed before)."""
    from django.db import connection

    limit = "" if max_vehicle_id is None else f"WHERE v.id <= {int(max_vehicle_id)}"
    history_limit = "" if max_vehicle_id is None else f"WHERE h.vehicle_id <= {int(max_vehicle_id)}"
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*), md5(coalesce(string_agg(v::text, '|' ORDER BY v.id), ''))
                FROM "{schema}".vehicles_vehicle v {limit}"""
        )
        vehicles, vehicles_md5 = cursor.fetchone()
        cursor.execute(
            f"""SELECT count(*), md5(coalesce(string_agg(h::text, '|' ORDER BY h.id), ''))
                FROM "{schema}".vehicles_vehiclestatuschange h {history_limit}"""
        )
        history, history_md5 = cursor.fetchone()
    return vehicles, history, f"{vehicles_md5[:8]}{history_md5[:8]}"


def reference_divergence() -> list[str]:
    """Reference tables whose copies differ between nodes (count and md5 of the rows on each placement)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT logicalrelid::regclass::text FROM pg_dist_partition WHERE partmethod = 'n' AND repmodel = 't'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        diverged = []
        for table in tables:
            cursor.execute(
                "SELECT count(DISTINCT result) FROM run_command_on_placements(%s, $$SELECT count(*) || ':' || "
                "coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '') FROM %%s t$$)",
                [table],
            )
            if cursor.fetchone()[0] != 1:
                diverged.append(table)
    return diverged


def commit_warnings() -> int:
    """The coordinator's "failed to commit transaction on <node>" warnings: a transaction the client saw commit
    that one node did not (the second phase of a two-phase commit failed there)."""
    log = DATA / f"node{PORT}.log"
    if not log.exists():
        return 0
    return log.read_text(errors="replace").count("failed to commit transaction on")


# ---------------------------------------------------------------- steps


def statistics(partners) -> tuple[bool, dict]:
    """Vehicles through the ORM (capture triggers on the workers), a full and an incremental run."""
    from portal.insights.choices import RunKind, RunStatus
    from portal.insights.pipeline import run_inline
    from tests.insights.factories import dirty, model_row, vehicle_row

    for partner in partners:
        model = model_row(partner)
        for n in range(VEHICLES):
            vehicle_row(partner, model, datetime.date(2026, 1 + n % 12, 1 + n % 28))
    started = time.perf_counter()
    full = run_inline(kind=RunKind.FULL)
    full_s = time.perf_counter() - started
    vehicle_row(partners[0], model_row(partners[0]), datetime.date(2026, 3, 3))
    # The capture trigger ran on the worker holding the schema and marked the month in the schema's own table.
    marked = len(dirty(partners[0].schema_name))
    started = time.perf_counter()
    incremental = run_inline(kind=RunKind.INCREMENTAL)
    incremental_s = time.perf_counter() - started
    ok = full.status == incremental.status == RunStatus.FINISHED and marked >= 1
    return ok, {
        "vehicles": len(partners) * VEHICLES,
        "full_s": round(full_s, 2),
        "incremental_s": round(incremental_s, 2),
        "marked": marked,
    }


def vehicle_import(partner, user) -> tuple[bool, dict]:
    """A CSV of IMPORT_ROWS vehicles (+2 refused lines), then the same file with another plant: all updated."""
    from django.core.files.base import ContentFile
    from django.db import connection
    from django_tenants.utils import schema_context

    from portal.vehicles.choices import ImportMode, ImportStatus
    from portal.vehicles.importing.pipeline import import_run
    from portal.vehicles.models import ImportJob, Vehicle, VehicleStatusChange
    from tests.vehicles.factories import WMI, model_make, vin_for

    model = model_make(partner, name="Import model")
    wmi = WMI[partner.schema_name]
    vins = [vin_for(wmi, 700_000 + n) for n in range(IMPORT_ROWS)]

    def content(plant: str) -> bytes:
        lines = ["vin,model,production_date,plant"]
        lines += [f"{vin},{model.name},2026-0{1 + n % 9}-{1 + n % 28:02d},{plant}" for n, vin in enumerate(vins)]
        lines += [f"{vin_for(wmi, 799_999)},No such model,2026-01-01,{plant}", f"{vins[0]},{model.name},2026-01-02,x"]
        return ("\r\n".join(lines) + "\r\n").encode()

    jobs, seconds = [], []
    with schema_context(partner.schema_name):
        connection.set_tenant(partner)
        before = (Vehicle.objects.count(), VehicleStatusChange.objects.count())
        with connection.cursor() as cursor:
            # The import must not depend on repartition joins (portal_setup turns them on for the database).
            cursor.execute("SET citus.enable_repartition_joins TO off")
        try:
            for plant in ("Plant A", "Plant B"):
                data = content(plant)
                job = ImportJob(
                    original_name=f"scale-{plant}.csv",
                    size_bytes=len(data),
                    market="CN",
                    mode=ImportMode.VALID_ROWS,
                    created_by=user,
                )
                job.file.save(f"{job.pk.hex}.bin", ContentFile(data), save=False)
                job.save()
                started = time.perf_counter()
                jobs.append(import_run(job_id=job.pk, partner_id=partner.pk))
                seconds.append(time.perf_counter() - started)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET citus.enable_repartition_joins")
        after = (Vehicle.objects.count(), VehicleStatusChange.objects.count())
        plants = set(Vehicle.objects.filter(vin__in=vins).values_list("plant", flat=True))
    connection.set_schema_to_public()
    first, second = jobs
    for job in jobs:
        if job.status != ImportStatus.SUCCEEDED:
            say(f"import {job.original_name}: {job.status} {job.error_message}")
    ok = (
        first.status == second.status == ImportStatus.SUCCEEDED
        and (first.rows_created, first.rows_rejected) == (IMPORT_ROWS, 2)
        and (second.rows_created, second.rows_updated, second.rows_rejected) == (0, IMPORT_ROWS, 2)
        and after == (before[0] + IMPORT_ROWS, before[1] + 2 * IMPORT_ROWS)
        and plants == {"Plant B"}
    )
    return ok, {
        "import_rows": IMPORT_ROWS,
        "import_s": round(seconds[0], 2),
        "reimport_s": round(seconds[1], 2),
        "import_history_s": round(first.timings.get("upsert: history of changed vehicles", 0), 3),
        "reimport_history_s": round(second.timings.get("upsert: history of changed vehicles", 0), 3),
    }


def shipment_checks(partner) -> tuple[bool, dict]:
    """A shipment of certified EU vehicles (cleared) and one of a model without certificates (blocked)."""
    from django_tenants.utils import schema_context

    from portal.compliance.choices import Verdict
    from portal.compliance.services.checks import shipment_check
    from tests.compliance.factories import eu_l3e_model, shipment_make, vehicles_make

    verdicts, seconds = [], []
    for certified in (True, False):
        model = eu_l3e_model(partner, certified=certified)
        shipment = shipment_make(partner, vehicles=vehicles_make(partner, model, 3))
        with schema_context(partner.schema_name):
            started = time.perf_counter()
            check = shipment_check(shipment=shipment)
            seconds.append(time.perf_counter() - started)
            verdicts.append(check.verdict)
    ok = verdicts == [Verdict.CLEARED, Verdict.BLOCKED]
    if not ok:
        say(f"shipment verdicts {verdicts}")
    return ok, {"shipment_checks": len(verdicts), "shipment_check_ms": round(1000 * max(seconds))}


def isolation_probes(partners, owners, nodes) -> tuple[bool, dict]:
    """Partner A (one worker) against partner B (the other): pages, API by key, ORM; no row of B may show."""
    from django.db import connection
    from django.test import Client
    from django_tenants.utils import schema_context

    from portal.integrations.services import api_key_create
    from portal.vehicles.models import Vehicle

    a = partners[0]
    b = next(p for p in partners if nodes[p.schema_name] != nodes[a.schema_name])
    with schema_context(b.schema_name):
        b_vehicles = list(Vehicle.objects.values_list("pk", "vin"))
    with schema_context(a.schema_name):
        a_vins = set(Vehicle.objects.values_list("vin", flat=True))
    _key, a_raw = api_key_create(partner=a, name="scale-test isolation", scopes=["vehicles:read"])
    host_a, host_b = f"{a.slug}.localhost", f"{b.slug}.localhost"
    key = {"HTTP_AUTHORIZATION": f"Api-Key {a_raw}"}
    session_a = Client(HTTP_HOST=host_a)
    session_a.force_login(owners[a.schema_name])
    session_on_b = Client(HTTP_HOST=host_b)
    session_on_b.force_login(owners[a.schema_name])
    leaks, probes = [], 0

    def probe(name, response, *, allowed=(200, 302, 401, 403, 404)):
        nonlocal probes
        probes += 1
        body = response.content.decode(errors="replace")
        # A VIN the request itself named may be echoed (a 404 page shows the path); any other of B's is a leak.
        leaked = [vin for _pk, vin in b_vehicles[:50] if vin in body and vin not in response.request["PATH_INFO"]]
        if leaked or response.status_code not in allowed:
            leaks.append((name, response.status_code, leaked[:3]))

    b_vin = b_vehicles[0][1]
    probe("A's session on B's host: vehicle list", session_on_b.get("/vehicles/"), allowed=(302, 403, 404))
    probe("A's session on A's host: B's vehicle", session_a.get(f"/vehicles/{b_vin}/"), allowed=(404,))
    probe("A's key: B's VIN", Client(HTTP_HOST=host_a).get(f"/api/v1/vehicles/{b_vin}/", **key), allowed=(404,))
    probe(
        "A's key on B's host: B's VIN",
        Client(HTTP_HOST=host_b).get(f"/api/v1/vehicles/{b_vin}/", **key),
        allowed=(401, 403, 404),
    )
    probe("A's key on B's host: list", Client(HTTP_HOST=host_b).get("/api/v1/vehicles/", **key))
    probe("A's key on the public host: list", Client(HTTP_HOST="localhost").get("/api/v1/vehicles/", **key))
    listed = Client(HTTP_HOST=host_a).get("/api/v1/vehicles/", {"page_size": 1000}, **key)
    probe("A's key: list", listed)
    probes += 1
    listed_vins = {row["vin"] for row in listed.json().get("results", [])} if listed.status_code == 200 else set()
    if not listed_vins or not listed_vins <= a_vins:
        leaks.append(("A's key: list is A's vehicles", listed.status_code, sorted(listed_vins - a_vins)[:3]))
    with schema_context(a.schema_name):
        probes += 1
        if Vehicle.objects.filter(vin__in=[vin for _pk, vin in b_vehicles]).exists():
            leaks.append(("ORM in A's schema finds B's VINs", 0, []))
    connection.set_schema_to_public()
    for leak in leaks:
        say(f"isolation: {leak}")
    return not leaks, {"isolation_probes": probes, "isolation_leaks": len(leaks)}


CHILD = """
import sys
sys.path.insert(0, sys.argv[1])
from bench.scale_test import django_setup
import os
django_setup(os.environ["DATABASE_URL"])
from django_tenants.utils import schema_context
from portal.insights.pipeline import partner_compute
with schema_context(sys.argv[4]):
    partner_compute(run_id=int(sys.argv[2]), partner_id=int(sys.argv[3]), queue=False)
"""


def killed_part(partners) -> tuple[bool, dict]:
    """An incremental run's partner task killed mid-way (SIGKILL, its transaction open on the cluster), then run
    again: no half month, nothing counted twice (tests/insights/test_worker.py's intent on the cluster)."""
    import psycopg
    from django.db import connection
    from django_tenants.utils import schema_context

    from portal.insights import pipeline
    from portal.insights.choices import PartStatus, RunKind, RunStatus
    from portal.insights.models import RunPartner
    from tests.insights.factories import dirty, facts, model_row, vehicle_row

    victim = partners[1]
    pipeline.run_inline(kind=RunKind.FULL)
    before = facts(partner=victim)
    model = model_row(victim)
    for n in range(5):
        vehicle_row(victim, model, datetime.date(2026, 2, 10 + n))
    marks = dirty(victim.schema_name)
    run = pipeline.run_start(kind=RunKind.INCREMENTAL, queue=False)
    locked = f'"{victim.schema_name}".vehicles_vehicle'
    lock = psycopg.connect(os.environ["DATABASE_URL"])
    child = None
    try:
        lock.execute(f"LOCK TABLE {locked} IN ACCESS EXCLUSIVE MODE")  # a transaction stays open
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(ROOT), str(run.pk), str(victim.pk), victim.schema_name],
            env=os.environ.copy(),
        )
        waiting = None
        deadline = time.monotonic() + 60
        while waiting is None and time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE %s",
                    ["%vehicles_vehicle%"],
                )
                row = cursor.fetchone()
            waiting = row[0] if row else None
            time.sleep(0.2)
        assert waiting is not None, "the partner task never reached its vehicle scan"
        # Mid-task: the victim's facts of the marked months are deleted in the task's open transaction.
        mid = facts(partner=victim) == before
        child.send_signal(signal.SIGKILL)
        child.wait()
    finally:
        lock.rollback()
        lock.close()
        if child is not None and child.poll() is None:
            child.kill()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [waiting])
            if cursor.fetchone()[0] == 0:
                break
        time.sleep(0.2)
    left = (
        facts(partner=victim) == before
        and dirty(victim.schema_name) == marks
        and RunPartner.objects.get(run=run, partner=victim).status == PartStatus.PENDING
    )
    # Redelivery: every pending part computed again, then the combine.
    started = time.perf_counter()
    for part in run.parts.select_related("partner").filter(status=PartStatus.PENDING):
        with schema_context(part.partner.schema_name):
            pipeline.partner_compute(run_id=run.pk, partner_id=part.partner_id, queue=False)
    pipeline.part_finished(run_id=run.pk, queue=False)
    run = pipeline.run_combine(run_id=run.pk)
    resume_s = time.perf_counter() - started
    after = facts()
    attempts = RunPartner.objects.get(run=run, partner=victim).attempts
    pipeline.run_inline(kind=RunKind.FULL)  # a fresh full recompute finds the same facts
    ok = (
        mid
        and left
        and run.status == RunStatus.FINISHED
        and attempts == 1
        and not dirty()
        and facts(partner=victim) != before
        and facts() == after
    )
    if not ok:
        say(f"killed: mid={mid} left={left} run={run.status} attempts={attempts} full_same={facts() == after}")
    return ok, {"killed_marks": len(marks), "killed_resume_s": round(resume_s, 2)}


def move_under_load(moved, owner, nodes) -> tuple[bool, dict]:
    """`citus_schema_move` while threads use the partner's pages (session), API reads and API writes (key)."""
    from django.db import connection
    from django.test import Client

    from portal.integrations.services import api_key_create
    from tests.vehicles.factories import WMI, model_make, vin_for

    model = model_make(moved, name="Load model")
    _key, raw = api_key_create(partner=moved, name="scale-test load", scopes=["vehicles:read", "vehicles:write"])
    key = {"HTTP_AUTHORIZATION": f"Api-Key {raw}"}
    host = f"{moved.slug}.localhost"
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT max(id) FROM "{moved.schema_name}".vehicles_vehicle')
        max_before = cursor.fetchone()[0]
    before = schema_digest(moved.schema_name)
    results = {kind: {"ok": 0, "failed": 0, "slowest_s": 0.0} for kind in ("pages", "api_read", "api_write")}
    created: list[str] = []
    stop = threading.Event()
    serials = iter(range(900_000, 999_999))

    def load(kind: str) -> None:
        client = Client(HTTP_HOST=host)
        if kind == "pages":
            client.force_login(owner)
        tally = results[kind]
        while not stop.is_set():
            started = time.perf_counter()
            try:
                if kind == "pages":
                    statuses = [client.get(path).status_code for path in ("/", "/vehicles/")]
                    good = all(status == 200 for status in statuses)
                elif kind == "api_read":
                    good = client.get("/api/v1/vehicles/", {"page_size": 50}, **key).status_code == 200
                else:
                    vin = vin_for(WMI[moved.schema_name], next(serials))
                    payload = {"vin": vin, "model": model.pk, "production_date": "2026-04-01", "market": "CN"}
                    response = client.post("/api/v1/vehicles/", payload, content_type="application/json", **key)
                    good = response.status_code == 201
                    if good:
                        created.append(vin)
                    else:
                        say(f"api write {response.status_code}: {response.content[:200]!r}")
            except Exception as error:  # noqa: BLE001 -- every failure counts
                say(f"{kind}: {type(error).__name__}: {error}")
                good = False
            tally["ok" if good else "failed"] += 1
            tally["slowest_s"] = max(tally["slowest_s"], time.perf_counter() - started)
        connection.close()

    threads = [threading.Thread(target=load, args=(kind,)) for kind in results]
    for thread in threads:
        thread.start()
    time.sleep(2)
    target = next(port for port in set(nodes.values()) if port != node_of(moved.schema_name))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT citus_schema_move(%s, '127.0.0.1', %s, shard_transfer_mode => 'block_writes')",
            [moved.schema_name, target],
        )
    move_s = time.perf_counter() - started
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join()
    kept = schema_digest(moved.schema_name, max_before)
    after = schema_digest(moved.schema_name)
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT vin FROM "{moved.schema_name}".vehicles_vehicle WHERE id > %s',
            [max_before],
        )
        new_vins = {row[0] for row in cursor.fetchall()}
    failed = sum(tally["failed"] for tally in results.values())
    requests = sum(tally["ok"] + tally["failed"] for tally in results.values())
    ok = (
        node_of(moved.schema_name) == target
        and failed == 0
        and all(tally["ok"] > 0 for tally in results.values())
        and kept == before
        and new_vins == set(created)
        and after[0] == before[0] + len(created)
    )
    if not ok:
        say(f"move: before={before} kept={kept} after={after} created={len(created)} new={len(new_vins)}")
    return ok, {
        "move_s": round(move_s, 2),
        "move_requests": requests,
        "move_failed": failed,
        **{f"move_{kind}": tally["ok"] + tally["failed"] for kind, tally in results.items()},
        "move_writes_created": len(created),
        "move_slowest_write_s": round(results["api_write"]["slowest_s"], 2),
        "move_rows_identical": kept == before,
        "move_nothing_lost": new_vins == set(created) and after[0] == before[0] + len(created),
    }


def rebalance(partners) -> tuple[bool, dict]:
    """Partners added while one worker takes no new shards (all land on the other), then the rebalancer."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT nodeport FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0 ORDER BY 1")
        workers = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT citus_set_node_property('127.0.0.1', %s, 'shouldhaveshards', false)", [workers[1]])
    try:
        added = [partner_make(i) for i in range(PARTNERS + 1, PARTNERS + ADDED_PARTNERS + 1)]
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT citus_set_node_property('127.0.0.1', %s, 'shouldhaveshards', true)", [workers[1]])
    from tests.insights.factories import model_row, vehicle_row

    for partner in added:
        model = model_row(partner)
        for n in range(20):
            vehicle_row(partner, model, datetime.date(2026, 1 + n % 12, 1))
    everyone = [*partners, *added]
    landed = {partner.schema_name: node_of(partner.schema_name) for partner in added}
    digests = {partner.schema_name: schema_digest(partner.schema_name) for partner in everyone}

    def per_node() -> dict:
        """Distributed schemas (the partners and the template) per worker."""
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT n.nodeport, count(DISTINCT s.schema_name) FROM citus_schemas s
                   JOIN pg_dist_shard d ON d.logicalrelid IN
                        (SELECT logicalrelid FROM pg_dist_partition WHERE colocationid = s.colocation_id)
                   JOIN pg_dist_placement p ON p.shardid = d.shardid JOIN pg_dist_node n ON n.groupid = p.groupid
                   GROUP BY 1"""
            )
            counts = dict(cursor.fetchall())
        return {port: counts.get(port, 0) for port in workers}

    before = per_node()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # by_shard_count: every schema has the same tables, so this balances schemas per worker (the default
        # strategy, by_disk_size, balances bytes and may leave a count that looks unbalanced).
        cursor.execute(
            "SELECT citus_rebalance_start(rebalance_strategy => 'by_shard_count', "
            "shard_transfer_mode => 'block_writes')"
        )
        job = cursor.fetchone()[0]
        cursor.execute("SELECT citus_rebalance_wait()")
        cursor.execute("SELECT state FROM pg_dist_background_job WHERE job_id = %s", [job])
        state = cursor.fetchone()[0]
    rebalance_s = time.perf_counter() - started
    after = per_node()
    same = all(schema_digest(schema) == digest for schema, digest in digests.items())
    ok = (
        set(landed.values()) == {workers[0]}
        and state == "finished"
        and max(after.values()) - min(after.values()) <= 1
        and same
    )
    say(f"rebalance: added on {landed}, schemas per worker before {before} after {after}, job {job} {state}")
    return ok, {
        "rebalance_s": round(rebalance_s, 2),
        "rebalance_before": "/".join(str(before[port]) for port in workers),
        "rebalance_after": "/".join(str(after[port]) for port in workers),
        "rebalance_rows_identical": same,
    }


# A chosen part of the suite, run by pytest against a test database of its own on the same cluster.
PYTEST = [
    "tests/test_isolation.py",
    "tests/test_isolation_edges.py",
    "tests/vehicles/test_import_pipeline.py",
    "tests/compliance/test_services.py",
]
# Blind on Citus: it reads the coordinator's pg_stat_xact_user_tables, and the writes happen on the workers'
# shards (docs/scaling.md), so the matrix's "a refused request wrote nothing" check sees nothing there either.
DESELECT = ["tests/test_isolation.py::test_the_write_detector_sees_real_writes_and_ignores_bookkeeping"]


def pytest_on_cluster() -> tuple[bool, dict]:
    """`test_scale` made a Citus database on every node (pytest-django would create it without the extension or
    the workers), `portal_setup` run in it, then pytest with `--reuse-db` on `DATABASE_URL=…/scale`."""
    import re

    import psycopg

    ports = [PORT, PORT + 1, PORT + 2]
    for port in ports:
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS test_scale WITH (FORCE)")
            conn.execute("CREATE DATABASE test_scale")
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/test_scale", autocommit=True) as conn:
            conn.execute("CREATE EXTENSION citus")
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{PORT}/test_scale", autocommit=True) as conn:
        conn.execute("SELECT citus_set_coordinator_host('127.0.0.1', %s)", [PORT])
        for port in ports[1:]:
            conn.execute("SELECT citus_add_node('127.0.0.1', %s)", [port])
        conn.execute("ALTER DATABASE test_scale SET citus.enable_schema_based_sharding TO on")
    env = {key: value for key, value in os.environ.items() if key not in ("DJANGO_SETTINGS_MODULE", "API_RATE_LIMIT")}
    setup = {**env, "DATABASE_URL": f"postgresql://postgres@127.0.0.1:{PORT}/test_scale"}
    setup["DJANGO_SETTINGS_MODULE"] = "portal.settings.base"
    subprocess.run([sys.executable, "manage.py", "portal_setup"], cwd=ROOT, env=setup, check=True, capture_output=True)
    env.update(DATABASE_URL=f"postgresql://postgres@127.0.0.1:{PORT}/scale", PORTAL_DATA_DIR=str(DATA / "pytest"))
    command = [sys.executable, "-m", "pytest", *PYTEST, *(f"--deselect={test}" for test in DESELECT)]
    started = time.perf_counter()
    result = subprocess.run(
        [*command, "--reuse-db", "-p", "no:cacheprovider", "-q"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    counts = {word: int(number) for number, word in re.findall(r"(\d+) (passed|failed|errors?)", result.stdout)}
    if result.returncode != 0:
        print(result.stdout[-6000:], flush=True)
    return result.returncode == 0, {
        "pytest_passed": counts.get("passed", 0),
        "pytest_failed": counts.get("failed", 0) + counts.get("error", 0) + counts.get("errors", 0),
        "pytest_s": round(seconds),
    }


if __name__ == "__main__":
    sys.exit(main())
