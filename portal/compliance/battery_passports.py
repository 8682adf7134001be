"""What the EU battery passport rule reads: the incomplete passports of the batteries a shipment's vehicles carry.

The battery passports keep each battery's `complete` flag (mandatory static attributes of its category); the
rule needs only the incomplete ones, with the names of what they lack for the shipment page. Declared dependency
compliance → batteries (pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from portal.batteries.selectors import batteries_incomplete_for_vehicles, passports_missing
from portal.reference.selectors import RuleSet

from .verdict import IncompleteBattery


def passport_rules_apply(*, rules: RuleSet, destination: str) -> bool:
    """Does a battery passport rule cover the destination (so the batteries are worth reading)?"""
    return any(getattr(rule, "battery_passports", False) for rule in rules.requirements_for(destination))


def incomplete_batteries(*, vehicle_ids: Iterable[int] | QuerySet) -> tuple[IncompleteBattery, ...]:
    """The batteries fitted to these vehicles whose passport is incomplete, with what each lacks (a few queries)."""
    by_vehicle = batteries_incomplete_for_vehicles(vehicle_ids=vehicle_ids)
    batteries = [battery for group in by_vehicle.values() for battery in group]
    if not batteries:
        return ()
    missing = passports_missing(batteries)
    return tuple(
        IncompleteBattery(
            vehicle_id=battery.vehicle_id,
            vin=battery.vehicle.vin if battery.vehicle_id else "",
            identifier=battery.identifier,
            missing=tuple(attribute.name for attribute in missing[battery.pk]),
        )
        for battery in sorted(batteries, key=lambda battery: battery.identifier)
        if missing[battery.pk]
    )
