"""URL kwargs of compliance objects that belong to the victim partner (for tests/test_isolation.py).

Rows are made with the ORM directly (no check, no services): the walker builds hundreds of them.
"""

import datetime

from django.core.files.base import ContentFile
from django_tenants.utils import schema_context

from portal.compliance.models import (
    Certificate,
    ExportLicence,
    ReleaseRequest,
    ScreeningDismissal,
    Shipment,
    ShipmentCheck,
    SubsidisedImport,
)
from portal.reference.models import CertificateType
from portal.reference.offsets import OffsetScheme

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


def _check_row(partner, verdict="cleared") -> ShipmentCheck:
    shipment = _shipment_row(partner)
    with schema_context(partner.schema_name):
        return ShipmentCheck.objects.create(
            shipment=shipment,
            verdict=verdict,
            rules_version=1,
            screening_version=1,
            checked_on=datetime.date.today(),
            expected_arrival=shipment.expected_arrival,
            destination="HU",
            consignee_name=shipment.consignee_name,
        )


def _check(partner) -> dict:
    return {"pk": _check_row(partner).pk}


def _release_request(partner) -> dict:
    """A release request of the victim waiting for a second officer (asked by one of its members)."""
    check = _check_row(partner, verdict="blocked")
    requester = partner.memberships.select_related("user").first().user
    with schema_context(partner.schema_name):
        request = ReleaseRequest.objects.create(
            shipment_id=check.shipment_id,
            check_run=check,
            verdict="blocked",
            reason="Victim's release reason, long enough.",
            requested_by=requester,
            requested_by_email=requester.email,
        )
    return {"pk": check.shipment_id, "request_pk": request.pk}


def _dismissal(partner) -> dict:
    """A screening hit the victim's officer marked not the listed party."""
    shipment = _shipment_row(partner)
    officer = partner.memberships.select_related("user").first().user
    with schema_context(partner.schema_name):
        dismissal = ScreeningDismissal.objects.create(
            entry_id=1,
            entry_name="Victim listed entry",
            entry_fingerprint=f"victim-entry-{shipment.pk}",
            consignee_name=shipment.consignee_name,
            consignee_country="HU",
            consignee_fingerprint="victim-consignee",
            reason="Victim's reason: a different company, long enough.",
            shipment=shipment,
            dismissed_by=officer,
            dismissed_by_email=officer.email,
        )
    return {"pk": dismissal.pk}


def _export_licence(partner) -> dict:
    """An export licence of the victim."""
    with schema_context(partner.schema_name):
        licence = ExportLicence.objects.create(
            number="VICTIM-EL",
            hs_codes=["8703.80.10.90"],
            destinations=["SA"],
            valid_from=datetime.date(2026, 1, 1),
            valid_to=datetime.date(2026, 12, 31),
        )
    return {"kind": "licence", "pk": licence.pk}


def _subsidised_import(partner) -> dict:
    """A Thailand EV 3.5 subsidised import of the victim."""
    scheme = OffsetScheme.objects.get(code="th-ev35")
    with schema_context(partner.schema_name):
        item = SubsidisedImport.objects.create(
            scheme=scheme, model_name="Victim import model", quantity=9, imported_on=datetime.date(2025, 2, 2)
        )
    return {"kind": "import", "pk": item.pk}


SAMPLES = {
    # One route removes imports and plant locations; "import" stands for both (same checks).
    "compliance:offset_record_delete": _subsidised_import,
    "v1:subsidised-import-detail": lambda partner: {"pk": _subsidised_import(partner)["pk"]},
    "compliance:export_record_delete": _export_licence,
    "compliance:shipment_detail": _shipment,
    "compliance:shipment_update": _shipment,
    "compliance:shipment_vehicles": _shipment,
    # One route serves every button of the shipment page; "ship" stands for them (same checks for each).
    "compliance:shipment_action": lambda partner: {**_shipment(partner), "action": "ship"},
    "compliance:shipment_release": _shipment,
    "compliance:screening_hit_dismiss": _shipment,
    "compliance:screening_dismissal_revoke": _dismissal,
    "v1:screening-dismissal-detail": _dismissal,
    "v1:screening-dismissal-revoke": _dismissal,
    "compliance:release_request_decide": lambda partner: {**_release_request(partner), "decision": "approve"},
    "compliance:certificate_detail": _certificate,
    "compliance:certificate_update": _certificate,
    "compliance:certificate_file": _certificate,
    "v1:certificate-detail": _certificate,
    "v1:certificate-file": _certificate,
    "v1:shipment-detail": _shipment,
    "v1:shipment-vehicles": _shipment,
    "v1:shipment-check": _shipment,
    "v1:shipment-override": _shipment,
    "v1:shipment-ship": _shipment,
    "v1:shipment-release-request-approve": _release_request,
    "v1:shipment-release-request-decline": _release_request,
    "v1:shipment-check-detail": _check,
}
