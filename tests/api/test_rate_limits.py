"""Rate limits per caller: 429 with Retry-After, counted together by every web process."""

import time
import urllib.error
import urllib.request

import pytest
from django.db import connection

from portal.integrations import throttling
from portal.integrations.models import ApiKey
from portal.integrations.services import api_key_create
from tenants.choices import Role
from tenants.models import Partner

from ..conftest import client_for
from ..processes import ROOT, free_port, start, stop, subprocess_env, wait_for


class StillClock:
    """The throttle's clock, held still: 20 s into a minute until a test moves it."""

    def __init__(self):
        self.now = 1_800_000_000.0 + 20  # 1_800_000_000 is a whole number of minutes

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> StillClock:
    still = StillClock()
    monkeypatch.setattr(throttling, "clock", still)
    return still


@pytest.fixture
def tight_limit(settings, clock):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"caller": "3/min"}}


def test_fourth_call_in_a_minute_gets_429_with_retry_after(world, tight_limit):
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    statuses = [client.get("/api/v1/me/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/v1/me/")
    assert int(refused["Retry-After"]) == 40  # the clock stands 20 s into the minute
    assert refused.json()["errors"][0]["code"] == "throttled"


def test_the_budget_comes_back_with_the_next_window(world, tight_limit, clock):
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    for _ in range(3):
        assert client.get("/api/v1/me/").status_code == 200
    clock.now += 39
    assert client.get("/api/v1/me/").status_code == 429  # 59 s into the same minute
    clock.now += 1
    assert client.get("/api/v1/me/").status_code == 200  # the next minute


def test_each_caller_has_its_own_budget(world, tight_limit):
    viewer = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    for _ in range(3):
        viewer.get("/api/v1/me/")
    assert viewer.get("/api/v1/me/").status_code == 429
    member = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    assert member.get("/api/v1/me/").status_code == 200


@pytest.fixture(scope="module")
def committed_key(django_db_setup, django_db_blocker):
    """A key the server processes can see (committed outside any test transaction)."""
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        key, raw = api_key_create(partner=Partner.objects.get(schema_name="alpha"), name="rate-limit probe")
    yield raw
    with django_db_blocker.unblock():
        ApiKey.objects.filter(pk=key.pk).delete()


@pytest.fixture(scope="module")
def two_web_processes(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        env = subprocess_env(API_RATE_LIMIT="4/hour", DJANGO_DEBUG="1", DATABASE_CONN_MAX_AGE="0")
    ports = [free_port(), free_port()]
    processes = [
        start(
            ["manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            env,
            ROOT / "artifacts" / "logs" / f"web-{port}.log",
        )
        for port in ports
    ]

    def healthy(port):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/health/?worker=0", headers={"Host": "localhost"})
        try:
            return urllib.request.urlopen(request, timeout=2).status == 200
        except OSError:
            return False

    try:
        for port in ports:
            wait_for(lambda port=port: healthy(port), 30, f"web process on port {port}")
        yield ports
    finally:
        for process in processes:
            stop(process)


def _call(port: int, raw_key: str) -> tuple[int, str | None]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/me/",
        headers={"Host": "alpha.localhost", "Authorization": f"Api-Key {raw_key}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Retry-After")


def _hour_window() -> int:
    return int(throttling.clock() // 3600)


@pytest.mark.django_db
def test_limit_is_shared_by_every_web_process(committed_key, two_web_processes):
    """The servers count by the real clock (an hour window): the five calls are made well inside one hour."""
    first, second = two_web_processes
    left = 3600 - throttling.clock() % 3600
    if left < 30:
        time.sleep(left + 0.5)
    window = _hour_window()
    answers = [_call(port, committed_key) for port in (first, second, first, second, first)]
    assert _hour_window() == window, "the calls took longer than 30 s"
    assert [status for status, _retry in answers] == [200, 200, 200, 200, 429]
    assert int(answers[-1][1]) > 0
