"""Celery beat scheduler that sends per-partner entries only to active partners."""

from django.conf import settings
from tenant_schemas_celery.scheduler import TenantAwarePersistentScheduler


class PartnerAwareScheduler(TenantAwarePersistentScheduler):
    """Skips the schema template and deactivated partners."""

    @classmethod
    def get_queryset(cls):
        return super().get_queryset().filter(is_active=True).exclude(schema_name=settings.TENANT_BASE_SCHEMA)
