"""Browser journeys: the real app in a subprocess on the session's test database, driven by headless Chromium.

pytest-django's `live_server` cannot be used: its transactional flush would wipe the partners that
tests/conftest.py provisions (and commits) once per session. Instead `portal_server` runs
`manage.py runserver` against the same test database.

The tests carry `django_db` (pytest-django creates the test database only for tests that ask for it),
so each one runs inside a rolled-back transaction of its own; the subprocess never sees that transaction.

Playwright's sync API leaves its asyncio loop marked as running in the main thread while it is open. Django
then (1) refuses every database call there ("SynchronousOnlyOperation"), even the test transaction's
rollback, and (2) keeps its connections in a separate, context-local store (Django's connection handler is
"thread critical"), so a connection opened while the browser is open is invisible once it has closed and
would keep the test database from being dropped at the end. The loop only ever runs inside Playwright's own
calls, so the refusal is spurious: `browser` sets DJANGO_ALLOW_ASYNC_UNSAFE while Chromium is open, closes
the connections opened meanwhile before stopping Playwright, and is package-scoped so that none of this
outlives the browser tests.
"""

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from ..processes import database_url, free_port, stop

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts"
SERVER_START_TIMEOUT_S = 30.0
SERVER_STOP_TIMEOUT_S = 10.0
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_executable() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


@dataclass
class PortalServer:
    """The running app: partner pages are at http://<slug>.localhost:<port>/."""

    port: int

    def url(self, slug: str | None = None, path: str = "/") -> str:
        host = "localhost" if slug is None else f"{slug}.localhost"
        return f"http://{host}:{self.port}{path}"


def _wait_until_healthy(process: subprocess.Popen, port: int, log_path: Path) -> None:
    health = f"http://127.0.0.1:{port}/health/?worker=0"
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            # 127.0.0.1 is neither an allowed host nor a tenant domain: ask as the public host `localhost`.
            request = urllib.request.Request(health, headers={"Host": f"localhost:{port}"})
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
                last_error = f"HTTP {response.status}"
        except urllib.error.HTTPError as error:
            last_error = f"HTTP {error.code}: {error.read()[:300]!r}"
        except OSError as error:
            last_error = str(error)
        time.sleep(0.25)
    log_tail = log_path.read_text(errors="replace")[-3000:] if log_path.exists() else ""
    raise RuntimeError(
        f"the portal did not become healthy on port {port} within {SERVER_START_TIMEOUT_S:.0f} s "
        f"(exit code {process.poll()}, last error: {last_error}). Server log {log_path}:\n{log_tail}"
    )


@pytest.fixture(scope="package")
def portal_server(django_db_setup, django_db_blocker) -> Iterator[PortalServer]:
    """`manage.py runserver` in a subprocess, on the test database that holds the session's partners."""
    from django.db import connection

    with django_db_blocker.unblock():
        settings_dict = dict(connection.settings_dict)
    port = free_port()
    env = dict(os.environ)
    env.update(
        # The test process's own settings module: the people it provisioned carry passwords hashed by its hashers.
        # Read from the environment (tests/embedded_broker.py sets it), not from django.conf.settings: under an
        # override_settings that is a UserSettingsHolder whose SETTINGS_MODULE is None.
        DJANGO_SETTINGS_MODULE=os.environ["DJANGO_SETTINGS_MODULE"],
        DJANGO_DEBUG="1",  # whitenoise serves static files through the finders
        # Named, so that a connection left behind is easy to tell apart in pg_stat_activity.
        DATABASE_URL=database_url(settings_dict) + "?application_name=portal-browser-tests",
        DATABASE_CONN_MAX_AGE="0",  # no connection outlives a request: the test database is dropped at the end
        PORTAL_PORT=str(port),
        PYTHONUNBUFFERED="1",
    )
    log_dir = ARTIFACTS / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / "browser-portal-server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(process, port, log_path)
        yield PortalServer(port=port)
    finally:
        stop(process, timeout=SERVER_STOP_TIMEOUT_S)


@pytest.fixture(scope="package")
def chromium_path() -> str:
    path = chromium_executable()
    if path is None:
        reason = (
            "Chromium was not found (looked for `chromium` on PATH and /usr/bin/chromium); "
            "install it with `apt-get install chromium` to run the browser tests"
        )
        if os.environ.get("PORTAL_REQUIRE_BROWSER") == "1":  # set by .ci/run: CI never passes without them
            pytest.fail(reason + " (PORTAL_REQUIRE_BROWSER=1)", pytrace=False)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="package")
def browser(chromium_path):
    """Headless Debian Chromium driven by Playwright (never a Playwright-downloaded browser)."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # see the module docstring
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()
            connections.close_all()  # while the loop still counts as running: see the module docstring


@dataclass
class ConsoleLog:
    """Errors the page reported: console messages of type error, and uncaught exceptions."""

    errors: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[str]:
        return [text for text in self.errors if "Content Security Policy" in text or "Content-Security-Policy" in text]

    def unexpected_errors(self) -> list[str]:
        return list(self.errors)


@pytest.fixture
def console() -> ConsoleLog:
    return ConsoleLog()


@pytest.fixture
def page(browser, portal_server, console):
    """A fresh browser context (no cookies) and page per test, with its console errors collected."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            console.errors.append(f"{message.text} [{message.location.get('url', '')}]")
            if message.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: console.errors.append(f"pageerror: {error}"))
    page.on(
        "response",
        lambda response: (
            console.failed_responses.append(f"{response.status} {response.request.method} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    try:
        yield page
    finally:
        context.close()
