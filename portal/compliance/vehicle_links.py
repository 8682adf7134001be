"""What the vehicle page shows of compliance: the vehicle's shipments and its model's certificates, linked.

Registered with the vehicles app in `ComplianceConfig.ready()` (vehicles may not import compliance).
"""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.vehicles.related import RelatedGroup, RelatedLink, vehicle_related_register

SHOWN = 20


def vehicle_shipments(vehicle) -> RelatedGroup:
    """The shipments carrying the vehicle, newest first."""
    from .models import Shipment

    shipments = Shipment.objects.filter(items__vehicle=vehicle).order_by("-created_at", "-pk")[:SHOWN]
    links = [
        RelatedLink(
            text=shipment.label,
            url=reverse("compliance:shipment_detail", kwargs={"pk": shipment.pk}),
            detail=f"{shipment.get_status_display()} · {shipment.destination.name}",
        )
        for shipment in shipments
    ]
    return RelatedGroup("shipments", _("Shipments"), _("On no shipment yet."), links)


def vehicle_certificates(vehicle) -> RelatedGroup:
    """The certificates held for the vehicle's model, latest expiry first."""
    from .models import Certificate

    certificates = (
        Certificate.objects.filter(vehicle_models=vehicle.model_id)
        .select_related("certificate_type")
        .order_by("-valid_to", "number")[:SHOWN]
    )
    links = [
        RelatedLink(
            text=f"{certificate.certificate_type.code} {certificate.number}",
            url=reverse("compliance:certificate_detail", kwargs={"pk": certificate.pk}),
            detail=_("valid to %(date)s") % {"date": date_format(certificate.valid_to, "SHORT_DATE_FORMAT")}
            if certificate.valid_to
            else _("does not expire"),
        )
        for certificate in certificates
    ]
    return RelatedGroup("certificates", _("Certificates of its model"), _("No certificate for its model."), links)


def register() -> None:
    vehicle_related_register("shipments", vehicle_shipments)
    vehicle_related_register("certificates", vehicle_certificates)
