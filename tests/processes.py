"""Helpers for tests that start real processes (web server, Celery worker) against the test database."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for a connection's settings_dict; a unix-socket HOST path is percent-encoded."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or ""
    host = quote(host, safe="") if host.startswith("/") else host
    port = settings_dict.get("PORT") or ""
    netloc = f"{credentials}{host}" + (f":{port}" if port else "")
    return f"postgresql://{netloc}/{quote(settings_dict['NAME'], safe='')}"


def test_database_url() -> str:
    """A DATABASE_URL that points a subprocess at the database this test session uses."""
    return database_url(connection.settings_dict)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def subprocess_env(**extra: str) -> dict:
    """Environment for a child process of the app, in test settings, on the test database."""
    env = dict(os.environ)
    env.update(DJANGO_SETTINGS_MODULE="portal.settings.test", DATABASE_URL=test_database_url())
    env.update(extra)
    return env


def start(args: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    """Start a child process with its output in a log file (read it when a test fails)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = log_path.open("wb")
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen, timeout: float = 10) -> None:
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise TimeoutError(f"gave up waiting for {what} after {timeout} s")
