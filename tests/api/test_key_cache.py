"""API keys and the cool-off from the shared cache: fewer queries per call, and no guarantee weaker for it.

A revoked, expired or changed key, or one of a deactivated partner, fails on the very next request (in this
process and in another one); one partner's cached key or rate counter never serves another; without a shared
cache every call asks the database, as before.
"""

import datetime
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.core.cache import caches
from django.core.cache.backends.base import default_key_func
from django.db import connection
from django.utils import timezone

from portal.audit.models import AuditEvent
from portal.integrations import keycache, throttling
from portal.integrations.models import ApiKey
from portal.integrations.services import api_key_create, api_key_revoke
from tenants.models import Partner
from tenants.services import partner_deactivate

from ..conftest import client_for, host_of
from ..processes import ROOT, free_port, start, stop, subprocess_env, wait_for
from ..queries import RealQueries

pytestmark = pytest.mark.django_db

PATH = "/api/v1/me/"


def _call(client, raw):
    return client.get(PATH, HTTP_AUTHORIZATION=f"Api-Key {raw}")


def test_second_call_reads_neither_key_nor_cool_off_from_the_database(world):
    _key, raw = api_key_create(partner=world.alpha, name="cached")
    client = client_for(world.alpha)
    assert _call(client, raw).status_code == 200
    with RealQueries(connection) as captured:
        assert _call(client, raw).status_code == 200
    assert "integrations_apikey" not in captured.sql()
    assert "axes_accessattempt" not in captured.sql()


def test_the_key_and_the_host_are_read_in_one_round_trip(world, monkeypatch):
    """The tenant middleware's `MGET` of the host also fetches the call's key and cool-off (tenants.hostcache)."""
    key, raw = api_key_create(partner=world.alpha, name="one trip")
    client = client_for(world.alpha)
    assert _call(client, raw).status_code == 200
    cache, reads = caches[keycache.ALIAS], []
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys, **kwargs: reads.append(set(keys)) or get_many(keys, **kwargs))
    assert _call(client, raw).status_code == 200
    assert len(reads) == 1
    assert {f"tenant-host:entry:{host_of(world.alpha)}", keycache._entry_key(key.prefix)} <= reads[0]


def test_cached_vehicle_list_runs_only_the_queries_of_the_bare_view(world):
    """The rows alone: the key, the cool-off and the host's partner (tenants.hostcache) come from the shared cache."""
    _key, raw = api_key_create(partner=world.alpha, name="budget", scopes=["vehicles:read"])
    client = client_for(world.alpha)
    path = "/api/v1/vehicles/?page_size=100"
    assert client.get(path, HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 200
    with RealQueries(connection) as captured:
        assert client.get(path, HTTP_AUTHORIZATION=f"Api-Key {raw}").status_code == 200
    assert len(captured) == 1, captured.sql()


def test_revoked_key_fails_on_the_very_next_request(world):
    key, raw = api_key_create(partner=world.alpha, name="to revoke")
    client = client_for(world.alpha)
    assert _call(client, raw).status_code == 200
    assert _call(client, raw).status_code == 200  # served from the cache
    api_key_revoke(key=key)
    assert _call(client, raw).status_code == 401


def test_key_changed_in_the_admin_or_deleted_fails_next(world):
    key, raw = api_key_create(partner=world.alpha, name="edited")
    client = client_for(world.alpha)
    assert _call(client, raw).status_code == 200
    key.revoked = True
    key.save()  # as the admin does: post_save replaces the key's token
    assert _call(client, raw).status_code == 401
    other, other_raw = api_key_create(partner=world.alpha, name="deleted")
    assert _call(client, other_raw).status_code == 200
    other.delete()
    assert _call(client, other_raw).status_code == 401


def test_expiry_is_checked_on_every_call(world, monkeypatch):
    now = timezone.now()
    _key, raw = api_key_create(partner=world.alpha, name="expiring", expiry_date=now + datetime.timedelta(hours=1))
    client = client_for(world.alpha)
    assert _call(client, raw).status_code == 200
    monkeypatch.setattr(timezone, "now", lambda: now + datetime.timedelta(hours=2))
    assert _call(client, raw).status_code == 401


def test_deactivated_partner_fails_on_the_next_request_even_on_the_public_host(world):
    partner = Partner.objects.get(pk=world.beta.pk)
    _key, raw = api_key_create(partner=partner, name="deactivated")
    public = client_for(None)
    assert _call(public, raw).status_code == 200
    partner_deactivate(partner=partner)
    assert _call(public, raw).status_code == 401


def test_a_wrong_secret_with_a_cached_prefix_is_refused(world):
    _key, raw = api_key_create(partner=world.alpha, name="prefix")
    client = client_for(world.alpha)
    assert _call(client, raw).status_code == 200
    prefix, _dot, secret = raw.partition(".")
    forged = f"{prefix}.{'x' * len(secret)}"
    assert _call(client, forged).status_code == 401


def test_one_partners_cached_key_never_serves_another(world):
    _key, raw = api_key_create(partner=world.alpha, name="alpha's")
    assert _call(client_for(world.alpha), raw).status_code == 200  # cached now
    refused = _call(client_for(world.beta), raw)
    assert refused.status_code == 401
    assert refused.json()["errors"][0]["detail"] == "This API key belongs to another partner."
    _beta_key, beta_raw = api_key_create(partner=world.beta, name="beta's")
    answered = _call(client_for(world.beta), beta_raw).json()
    assert answered["partner"]["slug"] == world.beta.slug


def test_rate_counters_are_per_key(world, settings, monkeypatch):
    monkeypatch.setattr(throttling, "clock", lambda: 1_800_000_000.0 + 20)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"caller": "2/min"}}
    _a, alpha_raw = api_key_create(partner=world.alpha, name="alpha budget")
    _b, beta_raw = api_key_create(partner=world.beta, name="beta budget")
    alpha, beta = client_for(world.alpha), client_for(world.beta)
    assert [_call(alpha, alpha_raw).status_code for _ in range(3)] == [200, 200, 429]
    assert [_call(beta, beta_raw).status_code for _ in range(2)] == [200, 200]


def test_cool_off_after_cached_calls_still_refuses(world, settings):
    _key, raw = api_key_create(partner=world.alpha, name="good")
    client = client_for(world.alpha)
    assert _call(client, raw).status_code == 200  # the address is remembered as allowed
    for _ in range(settings.API_KEY_FAILURE_LIMIT):
        assert _call(client, "nokey123.wrong").status_code == 401
    refused = _call(client, raw)
    assert refused.status_code == 429
    assert refused.json()["errors"][0]["code"] == "api_key_cool_off"


def test_without_a_shared_cache_every_call_asks_the_database(world, settings):
    settings.CACHES = {**settings.CACHES, "throttle": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    key, raw = api_key_create(partner=world.alpha, name="uncached")
    client = client_for(world.alpha)
    assert _call(client, raw).status_code == 200
    with RealQueries(connection) as captured:
        assert _call(client, raw).status_code == 200
    assert "integrations_apikey" in captured.sql() and "axes_accessattempt" in captured.sql()
    ApiKey.objects.filter(pk=key.pk).update(revoked=True)  # even a write that sends no signal
    assert _call(client, raw).status_code == 401


def test_cache_keys_name_no_tenant():
    """The revocation runs in any schema; the entry must be the one every host reads."""
    assert caches[keycache.ALIAS].key_func is default_key_func
    assert keycache._entry_key("AbCd1234") == "apikey:entry:AbCd1234"


@pytest.fixture(scope="module")
def committed_key(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        key, raw = api_key_create(partner=Partner.objects.get(schema_name="alpha"), name="cross-process")
        last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    yield key, raw
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        ApiKey.objects.filter(pk=key.pk).delete()
        # The web process committed its refusal of the revoked key (a counted failure and an audit row): they
        # would cool off 127.0.0.1 and count in the next tests' audit trail.
        AccessAttempt.objects.all().delete()
        AccessFailureLog.objects.all().delete()
        AuditEvent.objects.filter(pk__gt=last_event).delete()


@pytest.fixture(scope="module")
def web_process(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        env = subprocess_env(DJANGO_DEBUG="1", DATABASE_CONN_MAX_AGE="0")
    port = free_port()
    process = start(
        ["manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        env,
        ROOT / "artifacts" / "logs" / f"web-keycache-{port}.log",
    )

    def healthy():
        request = urllib.request.Request(f"http://127.0.0.1:{port}/health/?worker=0", headers={"Host": "localhost"})
        try:
            return urllib.request.urlopen(request, timeout=2).status == 200
        except OSError:
            return False

    try:
        wait_for(healthy, 30, "web process")
        yield port
    finally:
        stop(process)


def _remote(port, raw) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{PATH}", headers={"Host": "alpha.localhost", "Authorization": f"Api-Key {raw}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


REVOKE = """
from portal.integrations.models import ApiKey
from portal.integrations.services import api_key_revoke
api_key_revoke(key=ApiKey.objects.get(prefix={prefix!r}))
"""


def test_revocation_in_one_process_is_seen_by_another_on_its_next_request(committed_key, web_process):
    key, raw = committed_key
    assert _remote(web_process, raw) == 200
    assert _remote(web_process, raw) == 200  # the web process now serves the key from the shared cache
    code = REVOKE.format(prefix=key.prefix)
    subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=subprocess_env(), check=True)
    assert _remote(web_process, raw) == 401
