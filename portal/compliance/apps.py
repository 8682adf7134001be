from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "portal.compliance"
    label = "compliance"
    verbose_name = _("Export compliance")

    def ready(self):
        from portal.reference.signals import reference_changed

        from .tasks import reference_changed_receiver
        from .vehicle_links import register as vehicle_links_register

        reference_changed.connect(reference_changed_receiver, dispatch_uid="compliance_recheck_on_reference_change")
        vehicle_links_register()  # a vehicle's page links its shipments and its model's certificates
