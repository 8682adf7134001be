"""Test settings: fast hashing, in-memory mail, eager nothing (workers are real in the Celery tests)."""

from .base import *  # noqa: F403
from .base import CELERY_BROKER_URL, DATA_DIR, filesystem_broker_options

# Tests never share message folders with a `make run` worker on the same checkout.
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(DATA_DIR / "test-broker")

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGIN_FAILURE_LIMIT = 3
API_KEY_FAILURE_LIMIT = 4
LOGGING["root"]["level"] = "WARNING"  # noqa: F405

# Uploads made by tests never land among the demo's files.
MEDIA_ROOT = DATA_DIR / "test-media"
