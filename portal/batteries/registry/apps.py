from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BatteriesRegistryConfig(AppConfig):
    name = "portal.batteries.registry"
    label = "batteries_registry"
    verbose_name = _("Battery passport registry")
