from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "portal.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from tenants.hostcache import request_entries_register

        from . import keycache  # noqa: F401 - connects the receivers that keep cached API keys fresh
        from .authentication import cache_entries

        request_entries_register(cache_entries)  # an API call's key is read with its host: one round trip
