"""Test settings: fast hashing, in-memory mail, eager nothing (workers are real in the Celery tests)."""

import os

from .base import *  # noqa: F403
from .base import CELERY_BROKER_TRANSPORT_OPTIONS, DATA_DIR, DATABASES

# The broker is the test session's own embedded Redis (tests/embedded_broker.py) unless CELERY_BROKER_URL is set.
# A task whose worker a test killed is handed to the next worker within seconds, not hours; the workers of the
# tests run one task at a time (solo pool), so no running task is handed out twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "10")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGIN_FAILURE_LIMIT = 3
API_KEY_FAILURE_LIMIT = 4
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# Uploads made by tests never land among the demo's files.
MEDIA_ROOT = DATA_DIR / "test-media"

# A second alias on the same test database (TEST MIRROR): tests/core/test_replicas.py turns the router on with
# PORTAL_READ_REPLICA = "replica". Off by default: every other test reads the primary, as without a replica. The
# mirror is its own connection, outside the test's transaction: it sees only committed rows, like a paused replica.
DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
PORTAL_READ_REPLICA = None
