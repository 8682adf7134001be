"""Compliance test data: certificates, shipments with vehicles, screening entries (through the services)."""

import datetime
import itertools

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import schema_context

from portal.compliance.models import Shipment
from portal.compliance.services.certificates import certificate_create
from portal.compliance.services.shipments import shipment_create, shipment_vehicles_add
from portal.reference.models import CertificateType, ScreenedParty

from ..vehicles.factories import model_make, vehicle_make

TODAY = datetime.date.today()
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
_numbers = itertools.count(1)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def pdf(name: str = "certificate.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def certificate_make(partner, code: str, models, *, valid_from=None, valid_to=None, file=None, number=None, rxswins=()):
    """A certificate of the partner (valid from last year; `valid_to` None = no expiry; `rxswins`: UN R156's list)."""
    with schema_context(partner.schema_name):
        return certificate_create(
            certificate_type=CertificateType.objects.get(code=code),
            number=number or f"CERT-{next(_numbers):05d}",
            issuing_body="Test authority",
            vehicle_models=models,
            valid_from=valid_from or days(-365),
            valid_to=valid_to,
            file=file,
            rxswins=rxswins,
        )


def eu_l3e_model(partner, *, certified=True, **fields):
    """An L3e e-motorcycle model with every certificate the EU requires today (UN 38.3, 168/2013, R136)."""
    model = model_make(partner, **{"category": "L3e", "battery_kwh": "1.80", **fields})
    if certified:
        certificate_make(partner, "un38-3", [model])
        certificate_make(partner, "eu-ta-168-2013", [model], valid_to=days(900))
        certificate_make(partner, "un-r136", [model], valid_to=days(900))
    return model


def shipment_make(partner, *, vehicles=(), **fields):
    """An open shipment of the partner, with the given vehicles added (through the services)."""
    values = {
        "destination": "HU",
        "consignee_name": "Danube Test Importer Kft.",
        "consignee_address": "Váci út 1, Budapest",
        "consignee_country": "HU",
        "incoterm": "DAP",
        "hs_code": "8711.60",
        "expected_arrival": days(30),
    }
    values.update(fields)
    with schema_context(partner.schema_name):
        shipment = shipment_create(**values)
        if vehicles:
            shipment_vehicles_add(shipment=shipment, vins=[vehicle.vin for vehicle in vehicles])
    return reload(partner, shipment)


def reload(partner, shipment):
    """The shipment fresh from its schema, with its latest check loaded (usable outside the schema)."""
    with schema_context(partner.schema_name):
        return Shipment.objects.select_related("latest_check").get(pk=shipment.pk)


def vehicles_make(partner, model, count: int = 2):
    return [vehicle_make(partner, model=model) for _ in range(count)]


def party_make(name: str, *, aliases=(), country: str = "", list_source: str = "Test list") -> ScreenedParty:
    return ScreenedParty.objects.create(name=name, aliases=list(aliases), country=country, list_source=list_source)
