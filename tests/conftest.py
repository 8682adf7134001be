"""Test fixtures: partners are provisioned once per session (cloned from the template), then reused."""

import re
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection
from django.test import Client
from django.utils import translation

from tenants.choices import Role
from tenants.models import Membership, Partner, User
from tenants.services import public_tenant_ensure, template_schema_ensure

from .factories import TEST_PASSWORD, UserFactory, provision_partner

ROLES = [Role.OWNER, Role.MANAGER, Role.MEMBER, Role.VIEWER]


@dataclass
class World:
    """Two partners with a person in every role, an outsider and a staff member."""

    alpha: Partner
    beta: Partner
    staff: User
    outsider: User
    people: dict[tuple[str, str], User] = field(default_factory=dict)

    def person(self, partner: Partner, role: str) -> User:
        return self.people[(partner.schema_name, role)]


def _build_world() -> World:
    public_tenant_ensure()
    template_schema_ensure()
    alpha = provision_partner("alpha", name="Alpha Motors")
    beta = provision_partner("beta", name="Beta Cells", kind="battery_maker")
    world = World(
        alpha=alpha,
        beta=beta,
        staff=UserFactory(email="staff@example.com", is_staff=True, is_superuser=True),
        outsider=UserFactory(email="outsider@example.com"),
    )
    for partner in (alpha, beta):
        for role in ROLES:
            user = UserFactory(email=f"{role}@{partner.schema_name}.example.com")
            Membership.objects.create(user=user, partner=partner, role=role)
            world.people[(partner.schema_name, role)] = user
    return world


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Migrate the test database, then provision the shared partners once (committed, reused by every test)."""
    with django_db_blocker.unblock():
        _build_world()


@pytest.fixture
def world(db) -> World:
    alpha = Partner.objects.get(schema_name="alpha")
    beta = Partner.objects.get(schema_name="beta")
    world = World(
        alpha=alpha,
        beta=beta,
        staff=User.objects.get(email="staff@example.com"),
        outsider=User.objects.get(email="outsider@example.com"),
    )
    for partner in (alpha, beta):
        for role in ROLES:
            world.people[(partner.schema_name, role)] = User.objects.get(
                email=f"{role}@{partner.schema_name}.example.com"
            )
    return world


@pytest.fixture(autouse=True)
def _back_to_public_schema():
    """Each request switches the connection's schema; start every test from public."""
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _in_the_default_language():
    """LocaleMiddleware activates the request's language and leaves it active in the thread after the response:
    a test whose client asked in Arabic would otherwise hand Arabic to the next test's services."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def pytest_collection_modifyitems(config, items):
    """Browser journeys last: their server process commits what it does (it cannot share a test's rolled-back
    transaction), so whatever a journey leaves behind can never meet a test that counts rows."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)  # stable: the order stays


def _redis_of(cache):
    """The Redis client behind a cache (django-redis or Django's own backend), None for any other backend."""
    if hasattr(cache, "delete_pattern"):
        return cache.client.get_client(write=True)
    if isinstance(cache, RedisCache):
        return cache._cache.get_client(write=True)
    return None


def _cache_empty(alias: str) -> None:
    """Forget everything in one cache. A Redis cache deletes only its own keys and never runs FLUSHDB: the
    same Redis database may also hold the Celery broker's queues."""
    cache = caches[alias]
    client = _redis_of(cache)
    if client is None:  # locmem, dummy, database: clear() empties this cache and nothing else
        cache.clear()
        return
    # Keys are `<prefix>:<version>:<key>`, or `<schema>:<prefix>:<version>:<key>` with django-tenants' key function.
    prefix = re.sub(r"([*?\[\]])", r"[\1]", cache.key_prefix)  # matched literally by SCAN's glob
    for key in client.scan_iter(match=f"*{prefix}:{cache.version}:*"):
        client.delete(key)


@pytest.fixture(autouse=True)
def _empty_caches():
    """Counters and cached values of one test (rate-limit windows, cool-offs) never reach the next."""
    for alias in ("default", "throttle"):
        _cache_empty(alias)


def host_of(partner: Partner | None) -> str:
    """The host name that serves the partner (or the public site for None)."""
    return "localhost" if partner is None else f"{partner.slug}.localhost"


def client_for(partner: Partner | None = None, user: User | None = None) -> Client:
    """A test client on the partner's host (public host for None), signed in as `user` when given."""
    client = Client(HTTP_HOST=host_of(partner))
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def password() -> str:
    return TEST_PASSWORD


@pytest.hookimpl(wrapper=True, tryfirst=True)  # outermost: after pytest's own short summary
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """A skipped test proves nothing: say so at the very end, loudly, with every test and its reason."""
    yield
    skipped = terminalreporter.stats.get("skipped", [])
    if not skipped:
        return
    terminalreporter.section(f"{len(skipped)} TESTS SKIPPED: this run proves nothing about them", sep="!", red=True)
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        terminalreporter.line(f"SKIPPED {report.nodeid}: {reason}", red=True, bold=True)
