"""`make loadtest`: 50 concurrent users for 2 minutes against gunicorn and a real Celery worker, on a scratch
database, then an exact count of everything that was written. Loopback only; bounded in time.

    python -m portal.devstack loadtest [--users 50] [--minutes 2]

The database in DATABASE_URL is not touched: `<name>_loadtest` is created next to it (and dropped at the end),
with its own embedded Redis (broker and cache) and media folder under .data/loadtest. Ends with one line
`loadtest: users=… requests=… rps=… p50_ms=… p95_ms=… p99_ms=… 5xx=… written=… exact=yes|no` and exits 1 when
any request got a 5xx or the database does not hold exactly what the users wrote.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.__main__ import DEFAULT_DATABASE_URL, create_database, drop_database, scratch_url, server_context
from portal.devstack import EmbeddedRedis

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".data" / "loadtest"
PY = sys.executable


def _say(message: str) -> None:
    print(f"==> {message}", flush=True)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/health/?worker=0", headers={"Host": "localhost"})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("gunicorn did not become healthy")


def _counts(env) -> dict:
    script = (
        "import django, json; django.setup()\n"
        "from django_tenants.utils import schema_context\n"
        "from portal.vehicles.models import ImportJob, Vehicle\n"
        "with schema_context('load_a'):\n"
        "    jobs = ImportJob.objects\n"
        "    vehicles = Vehicle.objects.filter(vin__startswith='LLT')\n"
        "    print(json.dumps({'api_vehicles': vehicles.filter(vin__regex='^.{9}R1').count(),"
        " 'import_vehicles': vehicles.filter(vin__regex='^.{9}R9').count(),"
        " 'jobs': jobs.count(), 'jobs_open': jobs.filter(status__in=['queued', 'running']).count(),"
        " 'jobs_succeeded': jobs.filter(status='succeeded').count(),"
        " 'rows_created': sum(jobs.values_list('rows_created', flat=True))}))\n"
    )
    result = subprocess.run([PY, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="loadtest")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--minutes", type=float, default=2.0)
    args = parser.parse_args(argv)

    original = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    url, scratch = scratch_url(original)
    url, scratch = url.replace("_bench", "_loadtest"), scratch.replace("_bench", "_loadtest")
    _say(f"Scratch database {scratch}; {server_context(original)}")
    create_database(original, scratch)
    shutil.rmtree(DATA, ignore_errors=True)
    DATA.mkdir(parents=True)
    port = _free_port()
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="portal.settings.base",
        DJANGO_DEBUG="0",
        PORTAL_DATA_DIR=str(DATA),
        MEDIA_ROOT=str(DATA / "media"),
        PORTAL_PORT=str(port),
        API_RATE_LIMIT="1000000/min",  # the load test measures the site, not the rate limit
        LOG_LEVEL="WARNING",
        LOADTEST_WORLD=str(DATA / "world.json"),
        LOADTEST_RESULTS=str(DATA / "results.json"),
    )
    broker = EmbeddedRedis(DATA / "redis").start()
    env.update(CELERY_BROKER_URL=broker.broker_url(), REDIS_CACHE_URL=broker.cache_url())
    processes = []
    try:
        subprocess.run([PY, "manage.py", "portal_setup"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([PY, "-m", "bench.loadtest.seed", str(DATA / "world.json")], cwd=ROOT, env=env, check=True)
        logs = DATA / "logs"
        logs.mkdir()
        web = ["-m", "gunicorn", "portal.wsgi", "-b", f"127.0.0.1:{port}", "-w", "3", "--threads", "4", "-k", "gthread"]
        web += ["--keep-alive", "10"]  # longer than a user's pause: no request meets a connection being closed
        worker = ["-m", "celery", "-A", "portal", "worker", "--pool", "threads", "--concurrency", "2", "-l", "warning"]
        for name, command in (("web", web), ("worker", worker)):
            log = (logs / f"{name}.log").open("wb")
            processes.append(subprocess.Popen([PY, *command], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
        _wait_healthy(port)
        seconds = int(args.minutes * 60)
        _say(f"locust: {args.users} users for {seconds} s against http://127.0.0.1:{port} (gunicorn 3x4, worker 2)")
        locust = [PY, "-m", "locust", "-f", str(Path(__file__).with_name("locustfile.py")), "--headless"]
        locust += ["-u", str(args.users), "-r", "10", "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}"]
        locust += ["--only-summary", "--stop-timeout", "15", "--csv", str(DATA / "locust")]
        subprocess.run(locust, cwd=ROOT, env=env, check=False, timeout=seconds + 120)
        results = json.loads((DATA / "results.json").read_text())
        _say("waiting for the imports to finish")
        deadline = time.monotonic() + 300
        counts = _counts(env)
        while counts["jobs_open"] and time.monotonic() < deadline:
            time.sleep(2)
            counts = _counts(env)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        broker.stop(save=False)
        drop_database(original, scratch)
    exact = (
        counts["api_vehicles"] == results["api_created"]
        and counts["jobs"] == results["imports_accepted"] == counts["jobs_succeeded"]
        and counts["import_vehicles"] == results["import_rows"] == counts["rows_created"]
    )
    written = results["api_created"] + results["import_rows"]
    print(f"database: {counts}; users wrote: {results}", flush=True)
    figures = {
        "users": args.users,
        "seconds": int(args.minutes * 60),
        "requests": results["requests"],
        "rps": results["rps"],
        "p50_ms": results["p50_ms"],
        "p95_ms": results["p95_ms"],
        "p99_ms": results["p99_ms"],
        "failures": results["failures"],
        "5xx": results["server_errors"],
        "api_writes": results["api_created"],
        "replays": results["api_replayed"],
        "imports": results["imports_accepted"],
        "written": written,
        "exact": "yes" if exact else "no",
    }
    print("loadtest: " + " ".join(f"{key}={value}" for key, value in figures.items()), flush=True)
    return 0 if exact and results["server_errors"] == 0 and results["failures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
