"""`bench scale`: the same statistics run on a Citus cluster and on one PostgreSQL node, the online move of a
1,000,000-vehicle partner under load, and a streaming replica's lag (issue 18, docs/scaling.md "Numbers").

The two sides run on servers this bench starts itself, configured alike (initdb, fsync and synchronous_commit
off, max_locks_per_transaction 256; ../shared/tools/citus/cluster's settings), so the overhead is Citus' own:

* one node: a plain PostgreSQL 15 (no citus) on SCALE_BENCH_PORT + 3;
* the cluster: a coordinator and 2 workers (`cluster start`, ports SCALE_BENCH_PORT .. +2, default 5491–5493),
  Citus built first if missing (../shared/tools/citus/build).

Each side is a fresh process (`python -m bench.bench_scale side URL`): `portal_setup`, SCALE_BENCH_PARTNERS
partners (default 6) provisioned through `partner_provision` and filled with bench_insights' generator (the
first partner with SCALE_BENCH_BIG vehicles, default 1,000,000, each other with SCALE_BENCH_VEHICLES, default
100,000), ANALYZE, a warm-up full statistics run, then two timed full runs (`pipeline.run_inline`, the lower is
`*_full_s`). On the cluster the partners spread over both workers; then the big partner is moved to the other
worker with `citus_schema_move` while threads use its pages, read its API and register vehicles through it
(bench.scale_test.move_under_load: zero failed requests, the rows before the move unchanged, every vehicle the
API created there).

`replica_lag_ms`: the median of 50 one-row commits on a fresh primary until its streaming replica
(`pg_basebackup -R`) has replayed them (bench.replica_check's servers and probe, without the portal).

Prints `bench scale: nodes=3 partners=… vehicles=… cluster_full_s=… single_full_s=… overhead=… move_s=…
move_failed_requests=… replica_lag_ms=…` (goal: overhead ≤ 1.3; this 2-core machine runs every server, so
the cluster cannot be faster, only the cost of routing and of distributed planning shows). About 10 minutes.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = Path(os.environ.get("CITUS_TOOLS", ROOT.parent / "shared" / "tools" / "citus"))
DATA = Path(os.environ.get("PORTAL_DATA_DIR", ROOT / ".data")) / "scale-bench"
PORT = int(os.environ.get("SCALE_BENCH_PORT", "5491"))
PARTNERS = int(os.environ.get("SCALE_BENCH_PARTNERS", "6"))
BIG = int(os.environ.get("SCALE_BENCH_BIG", "1000000"))
VEHICLES = int(os.environ.get("SCALE_BENCH_VEHICLES", "100000"))
TIMED_RUNS = 2
GOAL_OVERHEAD = 1.3
RESULT = "scale-bench-result: "
# The cluster script's node settings, for the single node too.
NODE_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "max_locks_per_transaction": 256,
    "fsync": "off",
    "synchronous_commit": "off",
}


def say(message: str) -> None:
    print(f"scale-bench: {message}", flush=True)


# ---------------------------------------------------------------- the servers


def as_postgres(*args: str) -> None:
    """Run a PostgreSQL binary as the `postgres` user when we are root (initdb refuses root)."""
    from bench.replica_check import pg_bin

    command = [str(pg_bin() / args[0]), *args[1:]]
    if os.geteuid() == 0:
        import shlex

        command = ["su", "postgres", "-s", "/bin/bash", "-c", shlex.join(command)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def single_node():
    """A plain PostgreSQL with the cluster nodes' settings; yields its URL."""
    folder = DATA / "single"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    node = folder / "node"
    as_postgres("initdb", "-D", str(node), "-A", "trust", "-U", "postgres", "--no-sync")
    with open(node / "postgresql.conf", "a") as conf:
        settings = {**NODE_SETTINGS, "port": PORT + 3, "unix_socket_directories": f"'{folder}'"}
        conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
    as_postgres("pg_ctl", "-D", str(node), "-l", str(folder / "node.log"), "-w", "start")
    try:
        yield f"postgresql://postgres@127.0.0.1:{PORT + 3}/postgres"
    finally:
        as_postgres("pg_ctl", "-D", str(node), "-m", "fast", "-w", "stop")
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def citus_cluster():
    """A coordinator and 2 workers (../shared/tools/citus/cluster); yields the coordinator's URL."""
    folder = DATA / "citus"
    subprocess.run([str(TOOLS / "build")], check=True)
    if folder.exists():
        subprocess.run([str(TOOLS / "cluster"), "stop", str(folder)], check=False, capture_output=True)
        shutil.rmtree(folder)
    started = subprocess.run(
        [str(TOOLS / "cluster"), "start", str(folder), "2", str(PORT)], check=True, capture_output=True, text=True
    )
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run([str(TOOLS / "cluster"), "stop", str(folder)], check=False, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def side(url: str) -> dict:
    """Run one side in a fresh process against `url`; its figures."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.bench_scale", "side", url],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings.base"},
        stdout=subprocess.PIPE,
        text=True,
    )
    figures = None
    for line in process.stdout:
        if line.startswith(RESULT):
            figures = json.loads(line.removeprefix(RESULT))
        else:
            print(line, end="", flush=True)
    if process.wait() != 0 or figures is None:
        raise RuntimeError(f"the side against {url} failed (exit {process.returncode})")
    return figures


def replica_lag_ms() -> float:
    """Median ms from a one-row commit on a primary to its streaming replica having replayed it."""
    from bench import replica_check

    folder = Path(tempfile.mkdtemp(prefix="scale-bench-replica-", dir="/tmp"))
    servers = replica_check.Cluster(
        folder, replica_check.pg_bin(), replica_check.free_port(), replica_check.free_port()
    )
    try:
        servers.start()
        with (
            replica_check.control(servers, servers.primary_port) as primary,
            replica_check.control(servers, servers.replica_port) as replica,
        ):
            return round(statistics.median(replica_check.lag_samples(primary, replica)), 2)
    finally:
        servers.stop()
        shutil.rmtree(folder, ignore_errors=True)


def run() -> dict:
    """The bench runner's entry point (its own scratch database is not used: both sides bring their servers)."""
    DATA.mkdir(parents=True, exist_ok=True)
    with single_node() as url:
        say(f"one node: {url}")
        single = side(url)
    with citus_cluster() as url:
        say(f"cluster: {url}")
        cluster = side(url)
    overhead = cluster["full_s"] / single["full_s"]
    return {
        "nodes": 3,
        "partners": PARTNERS,
        "vehicles": cluster["vehicles"],
        "cluster_full_s": cluster["full_s"],
        "single_full_s": single["full_s"],
        "overhead": round(overhead, 2),
        "goal_overhead": GOAL_OVERHEAD,
        "move_s": cluster["move_s"],
        "move_failed_requests": cluster["move_failed"],
        "move_requests": cluster["move_requests"],
        "move_ok": cluster["move_ok"],
        "replica_lag_ms": replica_lag_ms(),
        "cluster_setup_s": cluster["setup_s"],
        "single_setup_s": single["setup_s"],
        "cluster_fill_s": cluster["fill_s"],
        "single_fill_s": single["fill_s"],
    }


# ---------------------------------------------------------------- one side (its own process)


def fill() -> tuple[list, int]:
    """Provision the partners and generate their rows (bench_insights' generator); the partners and the count."""
    from django.db import connection

    from bench.bench_insights import KINDS, months_window, populate
    from tenants.services import partner_provision

    start, end = months_window()
    partners, total = [], 0
    for index in range(PARTNERS):
        rows = BIG if index == 0 else VEHICLES
        connection.close()
        with contextlib.redirect_stdout(io.StringIO()):  # migrate_schemas --fake prints per partner
            partner = partner_provision(
                name=f"Scale Bench {index}",
                slug=f"scale-bench-{index}",
                kind=KINDS[index % len(KINDS)],
                country="CN",
                invite=False,
            ).partner
        populate(index, partner, rows, start, end)
        partners.append(partner)
        total += rows
    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return partners, total


def full_run_s() -> float:
    from portal.insights.choices import RunKind, RunStatus
    from portal.insights.pipeline import run_inline

    started = time.perf_counter()
    finished = run_inline(kind=RunKind.FULL)
    elapsed = time.perf_counter() - started
    if finished.status != RunStatus.FINISHED:
        raise RuntimeError(f"the full statistics run ended {finished.status}")
    return elapsed


def side_main(url: str) -> int:
    started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "portal_setup"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    setup_s = time.perf_counter() - started
    from bench.scale_test import django_setup

    django_setup(url)
    from tenants.citus import citus_present

    citus = citus_present()
    started = time.perf_counter()
    partners, vehicles = fill()
    fill_s = time.perf_counter() - started
    say(f"{'cluster' if citus else 'one node'}: {len(partners)} partners, {vehicles:,} vehicles in {fill_s:.0f} s")
    full_run_s()  # warm-up: caches, plans, and the marks the generator left
    full_s = min(full_run_s() for _ in range(TIMED_RUNS))
    figures = {"vehicles": vehicles, "full_s": round(full_s, 2), "setup_s": round(setup_s, 1), "fill_s": round(fill_s)}
    if citus:
        figures.update(move(partners))
    print(RESULT + json.dumps(figures), flush=True)
    return 0


def move(partners) -> dict:
    """The big partner moved to the other worker under load (bench.scale_test.move_under_load)."""
    from bench.scale_test import WMIS, move_under_load, node_of
    from portal.reference.models import WmiAssignment
    from tenants.choices import Role
    from tenants.services import membership_grant
    from tests.vehicles.factories import WMI

    big = partners[0]
    WMI[big.schema_name] = WMIS[0]  # the VINs the load registers through the API
    WmiAssignment.objects.get_or_create(wmi=WMIS[0], defaults={"partner": big})
    nodes = {partner.schema_name: node_of(partner.schema_name) for partner in partners}
    if len(set(nodes.values())) < 2:
        raise RuntimeError(f"the partners did not spread over both workers: {nodes}")
    owner = membership_grant(partner=big, email=f"owner@{big.slug}.example", role=Role.OWNER)
    ok, measured = move_under_load(big, owner, nodes)
    say(f"move: ok={ok} " + " ".join(f"{key}={value}" for key, value in measured.items()))
    return {
        "move_ok": ok,
        "move_s": measured.get("move_s"),
        "move_failed": measured.get("move_failed"),
        "move_requests": measured.get("move_requests"),
    }


if __name__ == "__main__":
    if sys.argv[1:2] != ["side"] or len(sys.argv) != 3:
        sys.exit("usage: python -m bench.bench_scale side DATABASE_URL")
    sys.exit(side_main(sys.argv[2]))
