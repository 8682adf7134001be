"""Writes of shipments: open, change and cancel them, and add or remove their vehicles (each change re-checks)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.core.caller import person_of
from portal.vehicles.choices import VehicleStatus
from portal.vehicles.models import Vehicle, VehicleStatusChange

from ..choices import ShipmentStatus, Trigger
from ..models import Shipment, ShipmentVehicle
from .checks import shipment_check

MAX_VEHICLES_PER_CALL = 50_000
ELIGIBLE_STATUSES = (VehicleStatus.PRODUCED, VehicleStatus.REGISTERED)
SHIPMENT_FIELDS = (
    "reference",
    "origin",
    "destination",
    "consignee_name",
    "consignee_address",
    "consignee_country",
    "incoterm",
    "hs_code",
    "expected_arrival",
    "ships_on",
    "manufacturer",
    "after_sales_letter",
    "shipment_certificate",
    "producer",
    "taric_additional_code",
    "invoice_price",
    "invoice_declaration",
    "price_undertaking_id",
)


def shipment_assert_open(*, shipment: Shipment) -> None:
    """Refuse (ValidationError) any change to a shipment that was shipped or cancelled."""
    if shipment.status != ShipmentStatus.OPEN:
        raise ValidationError(
            _("This shipment is %(status)s: it can no longer change.") % {"status": shipment.get_status_display()}
        )


def _shipment_clean(shipment: Shipment) -> None:
    shipment.hs_code = (shipment.hs_code or "").replace(" ", "")
    shipment.consignee_name = (shipment.consignee_name or "").strip()
    shipment.full_clean(exclude=["latest_check", "vehicles"])


@transaction.atomic
def shipment_create(*, user=None, trigger: str = Trigger.CHANGE, **fields) -> Shipment:
    """Open a shipment (vehicles are added after) and check it."""
    unknown = set(fields) - set(SHIPMENT_FIELDS)
    if unknown:
        raise TypeError(f"shipment_create: unknown fields {sorted(unknown)}")
    shipment = Shipment(**fields, created_by=person_of(user))
    _shipment_clean(shipment)
    shipment.save()
    if not shipment.reference:
        shipment.reference = f"SHP-{shipment.created_at:%Y}-{shipment.pk:05d}"
        shipment.save(update_fields=["reference"])
    shipment_check(shipment=shipment, user=user, trigger=trigger)
    return shipment


@transaction.atomic
def shipment_update(*, shipment: Shipment, user=None, trigger: str = Trigger.CHANGE, **changes) -> Shipment:
    """Change an open shipment's facts; it is checked again."""
    unknown = set(changes) - set(SHIPMENT_FIELDS)
    if unknown:
        raise TypeError(f"shipment_update: unknown fields {sorted(unknown)}")
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    shipment_assert_open(shipment=shipment)
    for name, value in changes.items():
        setattr(shipment, name, value)
    _shipment_clean(shipment)
    shipment.save()
    shipment_check(shipment=shipment, user=user, trigger=trigger)
    return shipment


@transaction.atomic
def shipment_cancel(*, shipment: Shipment, user=None) -> Shipment:
    """Cancel an open shipment (its vehicles are free for another)."""
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    shipment_assert_open(shipment=shipment)
    shipment.status = ShipmentStatus.CANCELLED
    shipment.save(update_fields=["status", "updated_at"])
    return shipment


@dataclass(frozen=True)
class AddResult:
    """What adding vehicles did."""

    added: int
    skipped: int = 0


def _not_eligible(vehicles: Iterable[Vehicle]) -> dict[str, str]:
    """VIN → why it cannot be shipped (already exported, deregistered)."""
    vehicles = list(vehicles)
    exported = set(
        VehicleStatusChange.objects.filter(
            vehicle__in=[vehicle.pk for vehicle in vehicles], to_status=VehicleStatus.EXPORTED
        ).values_list("vehicle_id", flat=True)
    )
    reasons = {}
    for vehicle in vehicles:
        if vehicle.status == VehicleStatus.EXPORTED or vehicle.pk in exported:
            reasons[vehicle.vin] = _("%(vin)s was already exported.") % {"vin": vehicle.vin}
        elif vehicle.status not in ELIGIBLE_STATUSES:
            reasons[vehicle.vin] = _("%(vin)s is %(status)s.") % {
                "vin": vehicle.vin,
                "status": vehicle.get_status_display(),
            }
    return reasons


def _items_add(shipment: Shipment, vehicle_ids: list[int], user, trigger) -> int:
    existing = set(ShipmentVehicle.objects.filter(shipment=shipment).values_list("vehicle_id", flat=True))
    new = [pk for pk in dict.fromkeys(vehicle_ids) if pk not in existing]
    ShipmentVehicle.objects.bulk_create(
        [ShipmentVehicle(shipment=shipment, vehicle_id=pk) for pk in new], batch_size=5000
    )
    shipment.vehicle_count = len(existing) + len(new)
    shipment.save(update_fields=["vehicle_count", "updated_at"])
    shipment_check(shipment=shipment, user=user, trigger=trigger)
    return len(new)


@transaction.atomic
def shipment_vehicles_add(
    *, shipment: Shipment, vins: list[str], user=None, trigger: str = Trigger.CHANGE
) -> AddResult:
    """Add vehicles by VIN: every VIN must be in the registry and not exported; otherwise nothing is added."""
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    shipment_assert_open(shipment=shipment)
    vins = list(dict.fromkeys(vin.strip().upper() for vin in vins if vin and vin.strip()))
    if not vins:
        raise ValidationError({"vins": _("Give at least one VIN.")})
    if len(vins) > MAX_VEHICLES_PER_CALL:
        raise ValidationError({"vins": _("At most %(limit)d vehicles at a time.") % {"limit": MAX_VEHICLES_PER_CALL}})
    found = {vehicle.vin: vehicle for vehicle in Vehicle.objects.filter(vin__in=vins).only("id", "vin", "status")}
    problems = [_("%(vin)s is not in your vehicle registry.") % {"vin": vin} for vin in vins if vin not in found]
    problems += list(_not_eligible(found.values()).values())
    if problems:
        shown = problems[:50]
        if len(problems) > len(shown):
            shown.append(_("… and %(count)d more problems.") % {"count": len(problems) - len(shown)})
        raise ValidationError({"vins": shown})
    added = _items_add(shipment, [found[vin].pk for vin in vins], user, trigger)
    return AddResult(added=added, skipped=len(vins) - added)


@transaction.atomic
def shipment_vehicles_add_matching(
    *, shipment: Shipment, queryset, user=None, trigger: str = Trigger.CHANGE
) -> AddResult:
    """Add the vehicles a filter matches that may be shipped (produced or registered, never exported)."""
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    shipment_assert_open(shipment=shipment)
    matched = queryset.count()
    if matched > MAX_VEHICLES_PER_CALL:
        raise ValidationError(
            _("The filter matches %(count)d vehicles; narrow it to at most %(limit)d.")
            % {"count": matched, "limit": MAX_VEHICLES_PER_CALL}
        )
    exported = VehicleStatusChange.objects.filter(to_status=VehicleStatus.EXPORTED).values("vehicle_id")
    eligible = list(queryset.filter(status__in=ELIGIBLE_STATUSES).exclude(pk__in=exported).values_list("pk", flat=True))
    if not eligible:
        raise ValidationError(_("None of the %(count)d matching vehicles can be shipped.") % {"count": matched})
    added = _items_add(shipment, eligible, user, trigger)
    return AddResult(added=added, skipped=matched - added)


@transaction.atomic
def shipment_vehicles_remove(*, shipment: Shipment, vins: list[str], user=None, trigger: str = Trigger.CHANGE) -> int:
    """Take vehicles off an open shipment."""
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    shipment_assert_open(shipment=shipment)
    vins = [vin.strip().upper() for vin in vins if vin and vin.strip()]
    removed, _detail = ShipmentVehicle.objects.filter(shipment=shipment, vehicle__vin__in=vins).delete()
    shipment.vehicle_count = ShipmentVehicle.objects.filter(shipment=shipment).count()
    shipment.save(update_fields=["vehicle_count", "updated_at"])
    shipment_check(shipment=shipment, user=user, trigger=trigger)
    return removed
