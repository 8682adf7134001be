from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "portal.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self):
        from . import keycache  # noqa: F401 - connects the receivers that keep cached API keys fresh
