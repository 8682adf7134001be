"""Demo Thailand EV 3.5 ledger: Siam E-Bike imported subsidised e-motorcycles in 2024–2025 and offsets them with its
two Ayutthaya lines (the vehicle demo's registry), plus one shipment exported from Thailand to Vietnam, shipped
today (its vehicles count 1.5). Its imports need more than its plants make: the ledger is behind, and the
statistics run of the demo raises the partner's risk warning. Called by `demo.seed` (idempotent)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django_tenants.utils import schema_context

from portal.reference.offsets import OffsetScheme
from portal.vehicles.choices import VehicleStatus
from portal.vehicles.models import Vehicle
from tenants.models import Membership

from . import offsets
from .choices import Verdict
from .models import PlantLocation, Shipment, SubsidisedImport
from .services.offsets import plant_location_set, subsidised_import_create
from .services.releases import shipment_release, shipment_ship
from .services.shipments import shipment_create, shipment_vehicles_add

MAKER = "siam-ebike"
PLANTS = ("Ayutthaya plant", "Ayutthaya plant, line 2")
# model, vehicles, import date, customs reference
IMPORTS = [
    ("Volt S3 (CBU, imported)", 150, datetime.date(2024, 9, 16), "TH-CUS-2024-0915-331"),
    ("Volt S3 (CBU, imported)", 150, datetime.date(2025, 3, 10), "TH-CUS-2025-0310-118"),
    ("Volt C5 Cargo (CBU, imported)", 120, datetime.date(2025, 8, 20), "TH-CUS-2025-0820-072"),
]
EXPORT = ("DEMO-TH-EXP-0001", "VN", "Saigon Two-Wheel Distribution JSC", "Nguyen Hue 12, Ho Chi Minh City", 12)
RELEASE_REASON = "Vietnam's type approval for these e-motorcycles checked by our broker in Ho Chi Minh City."


def seed(*, partners, stdout) -> None:
    partner = partners.get(MAKER)
    scheme = OffsetScheme.objects.filter(code="th-ev35").first()
    if partner is None or scheme is None:
        return
    with schema_context(partner.schema_name), transaction.atomic():
        if SubsidisedImport.objects.exists():
            return
        owner = Membership.objects.filter(partner=partner, role="owner").select_related("user").first()
        user = owner.user if owner else None
        for plant in PLANTS:
            plant_location_set(plant=plant, country="TH", user=user)
        for model_name, quantity, imported_on, reference in IMPORTS:
            subsidised_import_create(
                scheme=scheme,
                model_name=model_name,
                quantity=quantity,
                imported_on=imported_on,
                reference=reference,
                note="Demo: EV 3.5 subsidy.",
                user=user,
            )
        try:
            with transaction.atomic():
                _export(owner, user)
        except ValidationError as error:  # the ledger stands without it; say why
            stdout.write(f"{MAKER}: export from Thailand not shipped: {error}")
        scheme = offsets.scheme_list().get(pk=scheme.pk)
        ledger = offsets.ledger_get(scheme=scheme, today=offsets.today())
        current = ledger.current
        stdout.write(
            f"{MAKER}: Thailand EV 3.5 ledger {ledger.status}: {ledger.imports} imports, credits {ledger.credits}"
            + (
                f", obligation {current.obligation} by {current.deadline}, projected {current.projected}"
                if current
                else ""
            )
        )


def _export(owner, user) -> None:
    """A shipment of Ayutthaya-made vehicles exported from Thailand, released by the owner (an officer) and shipped."""
    reference, destination, consignee, address, count = EXPORT
    if PlantLocation.objects.count() == 0 or Shipment.objects.filter(reference=reference).exists() or owner is None:
        return
    vehicles = Vehicle.objects.filter(plant__in=PLANTS, status=VehicleStatus.PRODUCED, shipment_items__isnull=True)
    vins = list(vehicles.order_by("production_date", "vin").values_list("vin", flat=True)[:count])
    if not vins:
        return
    hs_code = Vehicle.objects.filter(vin=vins[0]).values_list("model__hs_code", flat=True).get()
    shipment = shipment_create(
        reference=reference,
        origin="TH",
        destination=destination,
        consignee_name=consignee,
        consignee_address=address,
        consignee_country=destination,
        incoterm="CIF",
        hs_code=hs_code,
        expected_arrival=datetime.date.today() + datetime.timedelta(days=12),
        user=user,
    )
    shipment_vehicles_add(shipment=shipment, vins=vins, user=user)
    shipment.refresh_from_db()
    if shipment.verdict != Verdict.CLEARED:
        Membership.objects.filter(pk=owner.pk).update(is_compliance_officer=True)
        owner.is_compliance_officer = True
        shipment_release(shipment=shipment, membership=owner, user=user, reason=RELEASE_REASON)
    shipment_ship(shipment=shipment, user=user)
