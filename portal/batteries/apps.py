from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BatteriesConfig(AppConfig):
    name = "portal.batteries"
    label = "batteries"
    verbose_name = _("Battery passports")

    def ready(self):
        # The vehicle import's pipeline learns the two battery kinds (batteries, battery readings).
        from . import creation, vehicle_links
        from .importing.targets import register

        register()
        # An imported battery's `+` history row is written just before it first changes (creation.py).
        creation.register()
        # The vehicle page lists the batteries fitted to it (vehicles may not import batteries).
        vehicle_links.register()
