"""Run the benchmarks in bench/bench_*.py against a scratch database.

`python -m bench [name ...]` runs every bench_<name>.py module, or only those named. The database named in
DATABASE_URL is never touched: a scratch database `<name>_bench` is created next to it on the same server
(dropped first if a crashed run left it) and migrated with `portal_setup`; every benchmark then runs in a fresh
copy of it (CREATE DATABASE … TEMPLATE), and everything is dropped at the end.

A module exposes `run()`; when it returns a dict, the runner prints `bench <name>: key=value ...`, otherwise
the module prints that line itself.
"""

import importlib
import os
import sys
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url

HERE = Path(__file__).resolve().parent
DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/alliance"  # as in portal/settings/base.py
SUFFIX = "_bench"


def available() -> list[str]:
    return sorted(path.stem.removeprefix("bench_") for path in HERE.glob("bench_*.py"))


def scratch_url(url: str) -> tuple[str, str]:
    """The same URL with `_bench` appended to the database name, and that name.

    Only the path is replaced, so a percent-encoded unix socket directory in the host stays as it was.
    """
    parts = urlsplit(url)
    name = dj_database_url.parse(url)["NAME"]
    if not name:
        raise SystemExit(f"DATABASE_URL names no database: {url}")
    scratch = f"{name}{SUFFIX}"
    return urlunsplit(parts._replace(path=f"/{scratch}")), scratch


def maintenance_connection(url: str):
    """An autocommit psycopg connection to the server's `postgres` database (CREATE/DROP DATABASE)."""
    import psycopg

    config = dj_database_url.parse(url)
    params = {key: value for key, value in config.get("OPTIONS", {}).items() if isinstance(value, str | int)}
    params.update(
        dbname="postgres",
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
    )
    return psycopg.connect(autocommit=True, **{key: value for key, value in params.items() if value is not None})


def drop_database(url: str, name: str) -> None:
    from psycopg import sql

    with maintenance_connection(url) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def create_database(url: str, name: str) -> None:
    from psycopg import sql

    drop_database(url, name)
    with maintenance_connection(url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def rename_database(url: str, old: str, new: str) -> None:
    from psycopg import sql

    with maintenance_connection(url) as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(old), sql.Identifier(new)))


def copy_database(url: str, template: str, name: str) -> None:
    """A new database `name` as a file-level copy of `template` (which must have no open connections)."""
    from psycopg import sql

    drop_database(url, name)
    with maintenance_connection(url) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))


def server_context(url: str) -> str:
    """What the figures depend on besides the code: server version, autovacuum, machine load."""
    with maintenance_connection(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
        autovacuum = conn.execute("SHOW autovacuum").fetchone()[0]
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"PostgreSQL {version}, autovacuum {autovacuum}; {os.cpu_count()} CPUs, load average {load}"


def run_module(name: str) -> bool:
    """Run bench_<name>.run(); print its summary line when it returns a dict. True when it succeeded."""
    module = importlib.import_module(f"bench.bench_{name}")
    print(f"--- bench {name}", flush=True)
    started = time.perf_counter()
    try:
        result = module.run()
    except Exception:  # noqa: BLE001 -- report and go on with the next benchmark
        traceback.print_exc()
        print(f"bench {name}: FAILED after {time.perf_counter() - started:.1f} s", flush=True)
        return False
    if isinstance(result, dict):
        figures = " ".join(f"{key}={value}" for key, value in result.items())
        print(f"bench {name.replace('_', '-')}: {figures}", flush=True)
    return True


def main(argv: list[str]) -> int:
    names = argv or available()
    unknown = [name for name in names if name not in available()]
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; available: {', '.join(available())}", file=sys.stderr)
        return 2

    original_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    url, scratch = scratch_url(original_url)
    template = f"{scratch}_template"
    print(f"Scratch database {scratch} (the database in DATABASE_URL is not touched)", flush=True)
    print(server_context(original_url), flush=True)
    create_database(original_url, scratch)
    drop_database(original_url, template)
    os.environ["DATABASE_URL"] = url  # read by the settings, hence before django.setup()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")
    ok = True
    try:
        import django
        from django.core.management import call_command
        from django.db import connections

        django.setup()
        started = time.perf_counter()
        call_command("portal_setup", verbosity=0)
        print(f"Migrated {scratch} in {time.perf_counter() - started:.1f} s", flush=True)
        # Each benchmark starts from a copy of the freshly migrated database, so what one leaves behind (rows,
        # partners, schemas) cannot skew or break the next.
        connections.close_all()
        rename_database(original_url, scratch, template)
        for name in names:
            copy_database(original_url, template, scratch)
            ok = run_module(name) and ok
            connections.close_all()
            drop_database(original_url, scratch)
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        drop_database(original_url, scratch)
        drop_database(original_url, template)
        print(f"Dropped {scratch}; load average now {os.getloadavg()[0]:.2f}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
