"""URL kwargs of compliance objects that belong to the victim partner (for tests/test_isolation.py).

Rows are made with the ORM directly (no check, no services): the walker builds hundreds of them.
"""

import datetime

from django.core.files.base import ContentFile
from django_tenants.utils import schema_context

from portal.compliance.models import Certificate, Shipment, ShipmentCheck
from portal.reference.models import CertificateType

from .factories import PDF


def _shipment_row(partner) -> Shipment:
    with schema_context(partner.schema_name):
        return Shipment.objects.create(
            reference="VICTIM-1",
            destination="HU",
            consignee_name="Victim consignee Kft.",
            consignee_country="HU",
            incoterm="DAP",
            hs_code="8711.60",
            expected_arrival=datetime.date.today() + datetime.timedelta(days=30),
        )


def _certificate(partner) -> dict:
    with schema_context(partner.schema_name):
        certificate = Certificate(
            certificate_type=CertificateType.objects.get(code="un38-3"),
            number="VICTIM-CERT",
            issuing_body="Victim lab",
            valid_from=datetime.date(2024, 1, 1),
            file_name="victim.pdf",
            content_type="application/pdf",
            size=len(PDF),
        )
        certificate.file.save("victim.pdf", ContentFile(PDF), save=False)
        certificate.save()
        return {"pk": certificate.pk}


def _shipment(partner) -> dict:
    return {"pk": _shipment_row(partner).pk}


def _check(partner) -> dict:
    shipment = _shipment_row(partner)
    with schema_context(partner.schema_name):
        check = ShipmentCheck.objects.create(
            shipment=shipment,
            verdict="cleared",
            rules_version=1,
            screening_version=1,
            checked_on=datetime.date.today(),
            expected_arrival=shipment.expected_arrival,
            destination="HU",
            consignee_name=shipment.consignee_name,
        )
        return {"pk": check.pk}


SAMPLES = {
    "compliance:shipment_detail": _shipment,
    "compliance:shipment_update": _shipment,
    "compliance:shipment_vehicles": _shipment,
    # One route serves every button of the shipment page; "ship" stands for them (same checks for each).
    "compliance:shipment_action": lambda partner: {**_shipment(partner), "action": "ship"},
    "compliance:certificate_update": _certificate,
    "compliance:certificate_file": _certificate,
    "v1:certificate-detail": _certificate,
    "v1:certificate-file": _certificate,
    "v1:shipment-detail": _shipment,
    "v1:shipment-vehicles": _shipment,
    "v1:shipment-check": _shipment,
    "v1:shipment-override": _shipment,
    "v1:shipment-ship": _shipment,
    "v1:shipment-check-detail": _check,
}
