"""`make replica-check`: the portal on a primary and a real streaming replica (issue 18 point 3, docs/scaling.md).

Starts its own PostgreSQL primary with `initdb` and a hot-standby replica made with `pg_basebackup -R` (streaming),
both in a fresh directory under /tmp on free ports (REPLICA_CHECK_PORT / +1 to choose them), so nothing else on
the machine is touched. Runs `portal_setup` against the primary, provisions two partners, then, with
DATABASE_REPLICA_URL pointing at the replica (portal.core.replicas):

* measures the replica's lag: from a one-row write's commit on the primary to the replica having replayed
  the WAL past it (`replica_lag_ms`: median of REPLICA_CHECK_SAMPLES, default 50, with no other writes), and
  again while another connection commits bulk inserts back to back (`replica_lag_load_ms`, `load_wal_mb_s`);
* pauses replay (`pg_wal_replay_pause()`), then: a manager of partner A adds a vehicle model (POST) and reads
  the model list: the new model is there, read from the primary (pinned by the cookie); another person of A
  reads the same list: it comes from the replica, without the new model (replay paused); A's statistics page
  reads the replica; a person of B reads B's list from the replica: B's rows only;
* resumes replay and times until the other person sees the model (`resume_catch_up_ms`).

Prints one line: `replica-check: ok=… replica_lag_ms=… …`, stops both servers and removes the directory
(REPLICA_CHECK_KEEP=1 keeps it). PostgreSQL binaries: REPLICA_CHECK_PG_BIN, else /usr/lib/postgresql/15/bin,
else the ones in the `pgserver` wheel.
"""

import contextlib
import os
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = int(os.environ.get("REPLICA_CHECK_SAMPLES", "50"))


def say(message: str) -> None:
    print(f"replica-check: {message}", flush=True)


def pg_bin() -> Path:
    chosen = os.environ.get("REPLICA_CHECK_PG_BIN")
    if chosen:
        return Path(chosen)
    system = Path("/usr/lib/postgresql/15/bin")
    if (system / "pg_basebackup").exists():
        return system
    import pgserver

    return Path(pgserver.__file__).parent / "pginstall" / "bin"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A primary and its streaming replica in one directory, run as the `postgres` user when we are root."""

    def __init__(self, folder: Path, bin_dir: Path, primary_port: int, replica_port: int):
        self.folder, self.bin = folder, bin_dir
        self.primary_port, self.replica_port = primary_port, replica_port
        self.primary, self.replica = folder / "primary", folder / "replica"

    def run(self, *args: str) -> None:
        command = shlex.join([str(self.bin / args[0]), *args[1:]])
        if os.geteuid() == 0:
            command = f"su postgres -s /bin/bash -c {shlex.quote(command)}"
        subprocess.run(command, shell=True, check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
        self.run("initdb", "-D", str(self.primary), "-A", "trust", "-U", "postgres", "--no-sync")
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": self.primary_port,
            "unix_socket_directories": f"'{self.folder}'",
            "wal_level": "replica",
            "max_wal_senders": 4,
            "hot_standby": "on",
            "max_connections": 50,
        }
        with open(self.primary / "postgresql.conf", "a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        self.run("pg_ctl", "-D", str(self.primary), "-l", str(self.folder / "primary.log"), "-w", "start")
        # -R: standby.signal and primary_conninfo written for us; -X stream: WAL streamed during the copy.
        self.run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres"),
            *("-D", str(self.replica), "-R", "-X", "stream", "-c", "fast"),
        )
        with open(self.replica / "postgresql.conf", "a") as conf:
            conf.write(f"port = {self.replica_port}\n")
        self.run("pg_ctl", "-D", str(self.replica), "-l", str(self.folder / "replica.log"), "-w", "start")

    def stop(self) -> None:
        for node in (self.replica, self.primary):
            if node.exists():
                with contextlib.suppress(subprocess.CalledProcessError):
                    self.run("pg_ctl", "-D", str(node), "-m", "fast", "-w", "stop")

    def url(self, port: int, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/{database}"


def control(cluster: Cluster, port: int, database: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(cluster.url(port, database), autocommit=True)


def replayed(replica: psycopg.Connection, lsn: str) -> bool:
    return replica.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()[0]


def wait_replayed(primary: psycopg.Connection, replica: psycopg.Connection, timeout: float = 60) -> float:
    """Seconds until the replica has replayed everything the primary had written when called."""
    lsn = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
    started = time.perf_counter()
    while not replayed(replica, str(lsn)):
        if time.perf_counter() - started > timeout:
            raise RuntimeError(f"the replica did not reach {lsn} in {timeout} s")
        time.sleep(0.0005)
    return time.perf_counter() - started


def lag_samples(primary: psycopg.Connection, replica: psycopg.Connection) -> list[float]:
    """Milliseconds from a one-row write's commit on the primary to the replica having replayed it (includes one
    round trip to read the primary's WAL position, ~0.2 ms, and the polling interval, 0.2 ms)."""
    primary.execute("CREATE TABLE IF NOT EXISTS replica_lag_probe (id serial PRIMARY KEY, at timestamptz)")
    wait_replayed(primary, replica)
    samples = []
    for _ in range(SAMPLES):
        primary.execute("INSERT INTO replica_lag_probe (at) VALUES (now())")  # committed (autocommit) on return
        started = time.perf_counter()
        lsn = str(primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0])  # past the commit record
        while not replayed(replica, lsn):
            time.sleep(0.0002)
        samples.append((time.perf_counter() - started) * 1000)
        time.sleep(0.02)
    return samples


def lag_samples_under_writes(cluster: "Cluster", primary: psycopg.Connection, replica: psycopg.Connection):
    """The same lag while another connection commits 20,000-row inserts (~3 MB of WAL each) back to back, and
    how much WAL those wrote per second."""
    stop = threading.Event()
    written = []

    def write() -> None:
        with control(cluster, cluster.primary_port) as writer:
            writer.execute("CREATE TABLE IF NOT EXISTS replica_load (id int, payload text)")
            start = writer.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
            started = time.perf_counter()
            while not stop.is_set():
                writer.execute("INSERT INTO replica_load SELECT g, repeat('x', 100) FROM generate_series(1, 20000) g")
            end = writer.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
            size = writer.execute("SELECT pg_wal_lsn_diff(%s::pg_lsn, %s::pg_lsn)", [str(end), str(start)])
            written.append(float(size.fetchone()[0]) / (time.perf_counter() - started))

    thread = threading.Thread(target=write)
    thread.start()
    try:
        time.sleep(0.5)
        samples = lag_samples(primary, replica)
    finally:
        stop.set()
        thread.join()
    return samples, written[0] / 1e6 if written else 0.0


def main() -> int:
    started = time.perf_counter()
    base_port = int(os.environ.get("REPLICA_CHECK_PORT", "0"))
    ports = (base_port, base_port + 1) if base_port else (free_port(), free_port())
    folder = Path(tempfile.mkdtemp(prefix="replica-check-", dir="/tmp"))
    cluster = Cluster(folder, pg_bin(), *ports)
    say(f"primary on {ports[0]}, replica on {ports[1]}, in {folder} ({cluster.bin})")
    try:
        cluster.start()
        return run(cluster, started)
    finally:
        cluster.stop()
        if os.environ.get("REPLICA_CHECK_KEEP") != "1":
            shutil.rmtree(folder, ignore_errors=True)


def run(cluster: Cluster, started: float) -> int:
    primary_ctl = control(cluster, cluster.primary_port)
    replica_ctl = control(cluster, cluster.replica_port)
    assert replica_ctl.execute("SELECT pg_is_in_recovery()").fetchone()[0], "the replica is not a standby"
    primary_ctl.execute("CREATE DATABASE portal")

    os.environ["DATABASE_URL"] = cluster.url(cluster.primary_port, "portal")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    setup_started = time.perf_counter()
    subprocess.run([sys.executable, "manage.py", "portal_setup"], cwd=ROOT, check=True)
    setup_s = time.perf_counter() - setup_started
    os.environ["DATABASE_REPLICA_URL"] = cluster.url(cluster.replica_port, "portal")

    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django_tenants.utils import schema_context

    from portal.core.replicas import PIN_COOKIE
    from portal.vehicles.services import vehicle_model_create
    from tenants.choices import PartnerKind, Role
    from tenants.services import membership_grant, partner_provision

    def model(name: str) -> None:
        vehicle_model_create(
            name=name, category="L1e", battery_chemistry="LFP", battery_kwh="2.16", range_km=70, hs_code="8711.60"
        )

    partners = {}
    for slug in ("replica-a", "replica-b"):
        partner = partner_provision(
            name=f"Replica {slug[-1].upper()}", slug=slug, kind=PartnerKind.EV_MAKER, country="CN", invite=False
        ).partner
        partners[slug] = partner
        with schema_context(partner.schema_name):
            model(f"Committed model of {slug}")
    a, b = partners["replica-a"], partners["replica-b"]
    writer = membership_grant(partner=a, email="writer@replica-a.example", role=Role.MANAGER)
    reader = membership_grant(partner=a, email="reader@replica-a.example", role=Role.VIEWER)
    reader_b = membership_grant(partner=b, email="reader@replica-b.example", role=Role.VIEWER)

    def client(partner, user) -> Client:
        c = Client(HTTP_HOST=f"{partner.schema_name.replace('_', '-')}.localhost")
        c.force_login(user)
        return c

    def get(c: Client, url: str):
        """The page, and how many statements it ran on each connection."""
        with (
            CaptureQueriesContext(connections["default"]) as on_primary,
            CaptureQueriesContext(connections["replica"]) as on_replica,
        ):
            response = c.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.content.decode(), on_primary.captured_queries, on_replica.captured_queries

    wait_replayed(primary_ctl, replica_ctl)
    samples = lag_samples(primary_ctl, replica_ctl)
    lag_ms = statistics.median(samples)
    lag_p95 = sorted(samples)[int(len(samples) * 0.95) - 1]
    say(f"lag over {len(samples)} writes: median {lag_ms:.2f} ms, p95 {lag_p95:.2f} ms, max {max(samples):.2f} ms")
    loaded, wal_mb_s = lag_samples_under_writes(cluster, primary_ctl, replica_ctl)
    lag_load_ms = statistics.median(loaded)
    say(
        f"lag under bulk inserts ({wal_mb_s:.1f} MB of WAL a second): median {lag_load_ms:.2f} ms, "
        f"max {max(loaded):.2f} ms"
    )

    writer_client, reader_client, reader_b_client = client(a, writer), client(a, reader), client(b, reader_b)
    models_url = reverse("vehicles:model_list")
    wait_replayed(primary_ctl, replica_ctl)  # the sessions and people above are on the replica too
    replica_ctl.execute("SELECT pg_wal_replay_pause()")
    while replica_ctl.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] != "paused":
        time.sleep(0.01)
    say("replay paused")

    response = writer_client.post(
        reverse("vehicles:model_create"),
        {
            "name": "Written while paused",
            "category": "L1e",
            "battery_chemistry": "LFP",
            "battery_kwh": "2.16",
            "hs_code": "8711.60",
        },
    )
    assert response.status_code == 302, response.status_code
    pin_cookie = PIN_COOKIE in response.cookies
    body, on_primary, on_replica = get(writer_client, models_url)
    pinned_read_primary = "Written while paused" in body and not on_replica and bool(on_primary)
    body, on_primary, on_replica = get(reader_client, models_url)
    other_read_replica = any("vehicles_vehiclemodel" in q["sql"] for q in on_replica)
    stale_while_paused = "Written while paused" not in body and "Committed model of replica-a" in body
    _, _, stats_on_replica = get(reader_client, reverse("insights:dashboard"))
    statistics_replica = any("insights_" in q["sql"] for q in stats_on_replica)
    body, _, on_replica_b = get(reader_b_client, models_url)
    paths = [q["sql"] for q in on_replica_b if q["sql"].startswith("SET search_path")]
    isolation = (
        "Committed model of replica-b" in body
        and "Committed model of replica-a" not in body
        and bool(paths)
        and all('"replica_b"' in sql and '"replica_a"' not in sql for sql in paths)
        and any("vehicles_vehiclemodel" in q["sql"] for q in on_replica_b)
    )
    say(
        f"pin_cookie={pin_cookie} pinned_read_primary={pinned_read_primary} other_read_replica={other_read_replica} "
        f"stale_while_paused={stale_while_paused} statistics_replica={statistics_replica} isolation={isolation}"
    )

    replica_ctl.execute("SELECT pg_wal_replay_resume()")
    resumed = time.perf_counter()
    caught_up = False
    while time.perf_counter() - resumed < 30:
        body, _, on_replica = get(reader_client, models_url)
        if "Written while paused" in body and on_replica:
            caught_up = True
            break
        time.sleep(0.005)
    catch_up_ms = (time.perf_counter() - resumed) * 1000
    for alias in ("default", "replica"):
        connections[alias].close()

    ok = all(
        (pin_cookie, pinned_read_primary, other_read_replica, stale_while_paused, statistics_replica, isolation)
    ) and (caught_up)
    print(
        f"replica-check: ok={ok} replica_lag_ms={lag_ms:.2f} replica_lag_p95_ms={lag_p95:.2f} "
        f"replica_lag_max_ms={max(samples):.2f} samples={len(samples)} replica_lag_load_ms={lag_load_ms:.2f} "
        f"replica_lag_load_max_ms={max(loaded):.2f} load_wal_mb_s={wal_mb_s:.1f} "
        f"pinned_read_primary={pinned_read_primary} other_read_replica={other_read_replica} "
        f"stale_while_paused={stale_while_paused} "
        f"statistics_replica={statistics_replica} isolation={isolation} caught_up={caught_up} "
        f"resume_catch_up_ms={catch_up_ms:.0f} setup_s={setup_s:.1f} total_s={time.perf_counter() - started:.0f}",
        flush=True,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
