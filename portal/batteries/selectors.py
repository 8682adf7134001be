"""Reads of battery passports: lists, one battery, its values as a reader sees them, and completeness."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from .access import groups_for
from .choices import BatteryCategory, BatteryStatus, Behaviour, Reader
from .creation import creation_of
from .models import Battery, BatteryFitment, BatteryModel, BatteryReading
from .registry.models import PassportAttribute

# Attributes whose value is a column of the battery or its model, not an entry of `values`.
COLUMN_VALUES = {
    "battery_passport_identifier": lambda battery: battery.identifier,
    "battery_identifier": lambda battery: battery.identifier,
    "battery_category": lambda battery: battery.category,
    "battery_status": lambda battery: battery.status,
    "battery_chemistry": lambda battery: battery.battery_model.chemistry,
}
# Dynamic attributes read from the battery's latest reading (BatteryReading field).
READING_VALUES = {
    "state_of_certified_energy_soce": "state_of_health",
    "number_of_full_charging_and_discharging_cycles": "cycles",
    "energy_throughput": "energy_throughput",
    "information_on_accidents": "negative_event",
}


def battery_list() -> QuerySet[Battery]:
    """Batteries with what a list row shows (model, current vehicle) joined."""
    return Battery.objects.select_related("battery_model", "vehicle")


def battery_model_list() -> QuerySet[BatteryModel]:
    return BatteryModel.objects.all()


def battery_get(*, pk: int | None = None, identifier: str | None = None) -> Battery:
    """One battery with its model, vehicle, fitments and latest readings (raises Battery.DoesNotExist)."""
    queryset = battery_list().prefetch_related(
        Prefetch("fitments", queryset=BatteryFitment.objects.select_related("vehicle").order_by("-fitted_on", "-id")),
    )
    return queryset.get(pk=pk) if pk is not None else queryset.get(identifier=identifier)


@dataclass(frozen=True)
class HistoryStep:
    """One change of a battery's record: when, by whom, what (created, or the fields that changed)."""

    when: Any
    who: Any
    kind: str
    changes: list[tuple[str, Any, Any, Any]]  # (field, its name, old, new) as a reader reads them


HISTORY_FIELDS = ("identifier", "status", "battery_model", "vehicle", "values", "category")


def battery_history(*, battery: Battery) -> list[HistoryStep]:
    """The battery's record history (django-simple-history), newest first: each step's changed fields, named and
    shown as a reader reads them (status labels, model codes, VINs), in a constant number of queries."""
    from portal.vehicles.models import Vehicle

    records = list(Battery.history.filter(id=battery.pk).select_related("history_user").order_by("history_date"))
    if not records:  # created by an import, not changed since: its `+` row is told by the import's batch
        created = creation_of(battery)
        records = [created] if created is not None else []
    raw: list[tuple[Any, list]] = []
    previous = None
    model_ids, vehicle_ids = set(), set()
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, included_fields=list(HISTORY_FIELDS))
            changes = [(change.field, change.old, change.new) for change in delta.changes]
            for field, old, new in changes:
                target = model_ids if field == "battery_model" else vehicle_ids if field == "vehicle" else None
                if target is not None:
                    target.update(value for value in (old, new) if value is not None)
        if previous is None or changes:
            raw.append((record, changes))
        previous = record
    models = dict(BatteryModel.objects.filter(pk__in=model_ids).values_list("pk", "code")) if model_ids else {}
    vins = dict(Vehicle.objects.filter(pk__in=vehicle_ids).values_list("pk", "vin")) if vehicle_ids else {}
    shown = {
        "status": lambda value: BatteryStatus(value).label if value in BatteryStatus.values else value,
        "category": lambda value: BatteryCategory(value).label if value in BatteryCategory.values else value,
        "battery_model": lambda value: models.get(value, value),
        "vehicle": lambda value: vins.get(value, value),
    }
    steps = []
    for record, changes in raw:
        named = [
            (
                field,
                Battery._meta.get_field(field).verbose_name,
                shown.get(field, lambda value: value)(old),
                shown.get(field, lambda value: value)(new),
            )
            for field, old, new in changes
        ]
        steps.append(HistoryStep(record.history_date, record.history_user, record.history_type, named))
    return steps[::-1]


def battery_readings(*, battery: Battery) -> QuerySet[BatteryReading]:
    return BatteryReading.objects.filter(battery=battery).order_by("-measured_at", "-id")


def battery_latest_reading(*, battery: Battery) -> BatteryReading | None:
    return battery_readings(battery=battery).first()


def _present(value: Any) -> bool:
    return value not in (None, "", [], {})


def attribute_value(attribute: PassportAttribute, *, battery: Battery, reading: BatteryReading | None = None) -> Any:
    """The passport value of one attribute for one battery, or None when it has none yet.

    Order: a column of the battery (identifier, category, status, chemistry), the latest reading (dynamic
    data), the battery's own values, then its model's values.
    """
    code = attribute.code
    if code in COLUMN_VALUES:
        return COLUMN_VALUES[code](battery)
    if reading is not None and code in READING_VALUES:
        value = getattr(reading, READING_VALUES[code])
        if _present(value):
            return value
    value = battery.values.get(code)
    if _present(value):
        return value
    value = battery.battery_model.values.get(code)
    return value if _present(value) else None


@dataclass(frozen=True)
class PassportEntry:
    attribute: PassportAttribute
    value: Any

    @property
    def missing(self) -> bool:
        return self.value is None


def passport_values(*, battery: Battery, reader: str, attributes: Iterable[PassportAttribute] | None = None):
    """The passport entries `reader` may see for `battery` (attributes of its category), in the list's order.

    Values of attributes the reader may not see are never read. Pass `attributes` (attribute_list()) to
    share one attribute query across many batteries.
    """
    allowed = groups_for(reader)
    if attributes is None:
        attributes = PassportAttribute.objects.filter(access__in=sorted(allowed)).order_by("number")
    reading = battery_latest_reading(battery=battery)
    return [
        PassportEntry(attribute, attribute_value(attribute, battery=battery, reading=reading))
        for attribute in attributes
        if attribute.access in allowed and battery.category in attribute.categories
    ]


def passport_sections(*, battery: Battery) -> list[tuple[str, list[PassportEntry]]]:
    """The owner's view split by reader: what the public, a legitimate interest and an authority each see."""
    attributes = list(PassportAttribute.objects.order_by("number"))
    entries = passport_values(battery=battery, reader=Reader.OWNER, attributes=attributes)
    return [
        (reader, [entry for entry in entries if entry.attribute.access in groups_for(reader)])
        for reader in (Reader.PUBLIC, Reader.LEGITIMATE_INTEREST, Reader.AUTHORITY)
    ]


def mandatory_attributes(*, include_dynamic: bool = False) -> list[PassportAttribute]:
    """Attributes mandatory for at least one category (static only unless `include_dynamic`)."""
    queryset = PassportAttribute.objects.exclude(mandatory_for=[]).order_by("number")
    if not include_dynamic:
        queryset = queryset.filter(behaviour=Behaviour.STATIC)
    return list(queryset)


def _missing(
    battery: Battery, attributes: list[PassportAttribute], reading: BatteryReading | None
) -> list[PassportAttribute]:
    return [
        attribute
        for attribute in attributes
        if battery.category in attribute.mandatory_for
        and attribute_value(attribute, battery=battery, reading=reading) is None
    ]


def passport_missing(battery: Battery, *, include_dynamic: bool = False) -> list[PassportAttribute]:
    """The mandatory attributes the battery's category still lacks.

    Static attributes are what a passport must hold when the battery is placed on the market; dynamic ones
    (state of health, cycles, events…) are updated over its life, so they count only with `include_dynamic`.
    """
    reading = battery_latest_reading(battery=battery) if include_dynamic else None
    return _missing(battery, mandatory_attributes(include_dynamic=include_dynamic), reading)


def passports_missing(
    batteries: Iterable[Battery], *, include_dynamic: bool = False
) -> dict[int, list[PassportAttribute]]:
    """passport_missing for many batteries in a constant number of queries: {battery id: missing attributes}."""
    batteries = list(batteries)
    attributes = mandatory_attributes(include_dynamic=include_dynamic)
    unjoined = [battery for battery in batteries if not Battery.battery_model.is_cached(battery)]
    if unjoined:
        models = BatteryModel.objects.in_bulk({battery.battery_model_id for battery in unjoined})
        for battery in unjoined:
            battery.battery_model = models[battery.battery_model_id]
    readings: dict[int, BatteryReading] = {}
    if include_dynamic and batteries:
        latest = (
            BatteryReading.objects.filter(battery_id__in=[battery.pk for battery in batteries])
            .order_by("battery_id", "-measured_at", "-id")
            .distinct("battery_id")
        )
        readings = {reading.battery_id: reading for reading in latest}
    return {battery.pk: _missing(battery, attributes, readings.get(battery.pk)) for battery in batteries}


def batteries_incomplete_for_vehicles(*, vehicle_ids: Iterable[int] | QuerySet) -> dict[int, list[Battery]]:
    """The batteries fitted to these vehicles whose passport is incomplete, by vehicle id (one query).

    Uses the stored `complete` flag the services keep; call passports_missing on the result for the names.
    """
    result: dict[int, list[Battery]] = {}
    # A queryset of ids stays a subquery: a shipment of thousands of vehicles sends no list of thousands of ids.
    ids = vehicle_ids if isinstance(vehicle_ids, QuerySet) else list(vehicle_ids)
    queryset = battery_list().filter(vehicle_id__in=ids, complete=False).order_by("identifier")
    for battery in queryset:
        result.setdefault(battery.vehicle_id, []).append(battery)
    return result
