"""Host → partner from the shared cache: one cache round trip per request, and no guarantee weaker for it.

A partner deactivated, renamed or given another host, or a host removed, is seen by the very next request; one
host's entry never serves another; without a shared cache every request asks the database, as before.
"""

import pytest
from django.db import connection

from tenants import cachetokens, hostcache
from tenants.choices import Role
from tenants.models import Domain
from tenants.services import partner_deactivate, partner_reactivate

from ..conftest import client_for
from ..queries import RealQueries

pytestmark = pytest.mark.django_db

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "hostcache-tests"}


@pytest.fixture
def shared_cache(settings):
    """A cache for the `throttle` alias as every web process would share it (Redis in production)."""
    settings.CACHES = {**settings.CACHES, "throttle": LOCMEM}
    yield
    cachetokens.shared_cache().clear()


def _domain_queries(client, path="/accounts/login/", **extra):
    with RealQueries(connection) as captured:
        response = client.get(path, **extra)
    return response, captured.sql().count('FROM "tenants_domain"')


def test_second_request_reads_the_host_from_the_cache(world, shared_cache):
    client = client_for(world.alpha)
    first, first_reads = _domain_queries(client)
    second, second_reads = _domain_queries(client)
    assert first.status_code == second.status_code == 200
    assert (first_reads, second_reads) == (1, 0)


def test_without_a_shared_cache_every_request_asks_the_database(world, settings):
    settings.CACHES = {**settings.CACHES, "throttle": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    client = client_for(world.alpha)
    assert [_domain_queries(client)[1] for _ in range(2)] == [1, 1]


def test_a_host_never_serves_another_partner(world, shared_cache):
    alpha = world.person(world.alpha, Role.OWNER)
    beta = world.person(world.beta, Role.OWNER)
    for _ in range(2):  # the second round from the cache
        alpha_page = client_for(world.alpha, alpha).get("/")
        beta_page = client_for(world.beta, beta).get("/")
        assert alpha_page.wsgi_request.tenant.pk == world.alpha.pk
        assert beta_page.wsgi_request.tenant.pk == world.beta.pk
        # Alpha's person on beta's host: refused, however warm the cache.
        assert client_for(world.beta, alpha).get("/").status_code == 403


def test_deactivated_partner_is_shut_on_the_very_next_request(world, shared_cache):
    owner = world.person(world.alpha, Role.OWNER)
    client = client_for(world.alpha, owner)
    assert client.get("/").status_code == 200
    assert _domain_queries(client_for(world.alpha))[1] == 0  # the host is cached
    partner_deactivate(partner=world.alpha)
    try:
        shut = client.get("/")
        assert shut.status_code == 404 and b"workspace is closed" in shut.content
    finally:
        partner_reactivate(partner=world.alpha)
    assert client.get("/").status_code == 200


def test_renamed_partner_and_moved_host_are_seen_next(world, shared_cache):
    owner = world.person(world.alpha, Role.OWNER)
    client = client_for(world.alpha, owner)
    assert client.get("/").wsgi_request.tenant.name == world.alpha.name
    world.alpha.name = "Alpha Motors Renamed"
    world.alpha.save()  # as the admin does: post_save replaces the token
    assert client.get("/").wsgi_request.tenant.name == "Alpha Motors Renamed"
    domain = Domain.objects.get(tenant=world.alpha, is_primary=True)
    old_host = domain.domain
    domain.domain = "alpha-new.localhost"
    domain.save()
    assert client.get("/", HTTP_HOST=old_host).status_code == 404, "a host removed must stop serving at once"


def test_the_token_is_replaced_again_after_the_commit(world, shared_cache, django_capture_on_commit_callbacks):
    """Other processes may have read the old row before the commit: the token changes once more afterwards."""
    cache = cachetokens.shared_cache()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        hostcache.hosts_forget()
        during = cache.get(hostcache.TOKEN)
    assert len(callbacks) == 1
    assert cache.get(hostcache.TOKEN) not in (None, during)


def test_cache_keys_name_no_tenant(world, shared_cache):
    """Hosts are resolved on the public schema; the entry must be the one every process reads."""
    assert hostcache._entry_key("alpha.localhost") == "tenant-host:entry:alpha.localhost"
    assert "alpha" not in hostcache.TOKEN
