"""The test session's own embedded Redis (a pytest plugin, `-p tests.embedded_broker` in pyproject.toml).

Started before Django reads its settings, in a fresh temporary folder, so every session begins with an empty
broker and cache and never touches the Redis of a `make run` on the same checkout. Without CELERY_BROKER_URL it is
the broker (database 0), and without REDIS_CACHE_URL the shared cache (database 1), of the tests and of the worker
processes they start; with CELERY_BROKER_URL set (Redis or RabbitMQ) that one is the broker and this one is still
tested beside it (tests/core/test_celery_worker.py).
"""

import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pytest

# Importing `portal` loads its Celery app, which defaults DJANGO_SETTINGS_MODULE to the base settings; an
# environment variable outranks pytest-django's ini option, so without this line the suite ran on base settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

from portal.devstack import EmbeddedRedis

_server: EmbeddedRedis | None = None
_private_dbs = itertools.cycle(range(2, 64))  # 0: broker, 1: cache; EmbeddedRedis has 64


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    global _server
    folder = Path(tempfile.mkdtemp(prefix="portal-test-redis-"))
    _server = EmbeddedRedis(folder).start()
    os.environ["PORTAL_TEST_EMBEDDED_BROKER_URL"] = _server.broker_url()
    if not os.environ.get("CELERY_BROKER_URL"):
        os.environ["CELERY_BROKER_URL"] = _server.broker_url()
    if not os.environ.get("REDIS_CACHE_URL"):
        os.environ["REDIS_CACHE_URL"] = _server.cache_url()

    def stop():
        _server.stop(save=False)
        shutil.rmtree(folder, ignore_errors=True)

    early_config.add_cleanup(stop)


def embedded_server() -> EmbeddedRedis:
    """The session's embedded Redis."""
    assert _server is not None, "tests/embedded_broker.py is not loaded (-p tests.embedded_broker)"
    return _server


def private_broker_url() -> str:
    """A broker URL on an empty database of the session's embedded Redis that no other test uses."""
    db = next(_private_dbs)
    embedded_server().client(db).flushdb()
    return embedded_server().broker_url(db)
