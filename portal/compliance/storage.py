"""Certificate documents: stored per partner schema, never served by URL (only through the member-checked view)."""

import os

from django.conf import settings
from django.db import connection
from django_tenants.files.storage import TenantFileSystemStorage


class PrivateTenantStorage(TenantFileSystemStorage):
    """`<MEDIA_ROOT>/private/compliance/<schema>/…`: one folder per partner, outside any served path."""

    @property
    def base_location(self):
        root = getattr(settings, "COMPLIANCE_DOCUMENTS_ROOT", None) or os.path.join(
            settings.MEDIA_ROOT, "private", "compliance"
        )
        return os.path.join(str(root), connection.schema_name)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Certificate documents have no URL; serve them through the certificate file view.")


certificate_storage = PrivateTenantStorage()
