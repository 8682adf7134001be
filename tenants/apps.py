from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Partners and people")

    def ready(self):
        from .hostcache import signals_connect

        signals_connect()
