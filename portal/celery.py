"""The tenant-aware Celery app: every task carries the schema it was sent from."""

import os

from celery.signals import beat_init
from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.base")

app = CeleryApp("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

import portal.core.requests  # noqa: E402, F401 -- tasks carry and log the id of the request that sent them


@beat_init.connect
def record_beat_start(**kwargs):
    """Beat is alive from its first second, not only after its first heartbeat interval."""
    from portal.core.tasks import beat_heartbeat

    beat_heartbeat.run()
