"""URL kwargs of compliance objects that belong to the victim partner (for tests/test_isolation.py)."""

from django_tenants.utils import schema_context

from portal.compliance.models import ShipmentCheck

from ..vehicles.factories import model_make
from .factories import certificate_make, pdf, shipment_make


def _certificate(partner) -> dict:
    model = model_make(partner, name=f"Victim model {partner.schema_name}-{id(object())}")
    return {"pk": certificate_make(partner, "un38-3", [model], file=pdf("victim-certificate.pdf")).pk}


def _shipment(partner) -> dict:
    return {"pk": shipment_make(partner, consignee_name="Victim consignee Kft.").pk}


def _check(partner) -> dict:
    shipment = shipment_make(partner, consignee_name="Victim consignee Kft.")
    with schema_context(partner.schema_name):
        return {"pk": ShipmentCheck.objects.filter(shipment_id=shipment.pk).values_list("pk", flat=True).first()}


SAMPLES = {
    "compliance:shipment_detail": _shipment,
    "compliance:shipment_update": _shipment,
    "compliance:shipment_vehicles": _shipment,
    "compliance:shipment_vehicles_remove": _shipment,
    "compliance:shipment_check": _shipment,
    "compliance:shipment_override": _shipment,
    "compliance:shipment_ship": _shipment,
    "compliance:shipment_cancel": _shipment,
    "compliance:certificate_update": _certificate,
    "compliance:certificate_file": _certificate,
    "v1:certificate-detail": _certificate,
    "v1:certificate-file": _certificate,
    "v1:shipment-detail": _shipment,
    "v1:shipment-vehicles": _shipment,
    "v1:shipment-vehicles-remove": _shipment,
    "v1:shipment-check": _shipment,
    "v1:shipment-override": _shipment,
    "v1:shipment-ship": _shipment,
    "v1:shipment-check-detail": _check,
}
