"""Writes of battery passports: every rule of battery models, batteries, fitments and readings lives here.

Each write keeps the alliance's passport index (public schema) and the battery's stored `complete` flag in
step, and tells the partner's webhooks that a passport changed.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from portal.integrations.models import WebhookEvent
from portal.integrations.webhooks import webhook_event_emit
from portal.vehicles.models import Vehicle
from tenants.models import Partner

from .choices import BatteryCategory, BatteryStatus, ReadingSource
from .models import Battery, BatteryFitment, BatteryModel, BatteryReading
from .registry.selectors import attribute_codes
from .registry.services import passport_index_add, passport_index_remove, passport_index_rename
from .selectors import passports_missing

IDENTIFIER_MAX = 100
# ISO/IEC 15459 unique identifiers use upper-case letters, digits and a few separators (an ISO/IEC 646 subset);
# the issuing agency code comes first, so at least two characters. "/" is refused: the identifier is one URL
# segment of the passport's address (/passport/<identifier>/).
IDENTIFIER_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9.\-]{1,99}$")
CHANGE_BATCH = 2000

STATUS_TRANSITIONS: dict[str, frozenset[str]] = {
    BatteryStatus.ORIGINAL: frozenset({BatteryStatus.REPURPOSED, BatteryStatus.REMANUFACTURED, BatteryStatus.WASTE}),
    BatteryStatus.REPURPOSED: frozenset({BatteryStatus.REMANUFACTURED, BatteryStatus.WASTE}),
    BatteryStatus.REMANUFACTURED: frozenset({BatteryStatus.REPURPOSED, BatteryStatus.WASTE}),
    BatteryStatus.WASTE: frozenset(),  # the end of a battery's life
}


def _partner(partner: Partner | None) -> Partner:
    """The partner whose schema the connection is on (services run inside it)."""
    if partner is not None:
        return partner
    found = Partner.objects.filter(schema_name=connection.schema_name).first()
    if found is None:
        raise RuntimeError("battery services run inside a partner's schema")
    return found


def identifier_normalise(identifier: str) -> str:
    """The identifier as stored: trimmed and upper case; a ValidationError keyed "identifier" if malformed."""
    value = (identifier or "").strip().upper()
    if not value:
        raise ValidationError({"identifier": _("Enter the battery's unique identifier.")}, code="required")
    if len(value) > IDENTIFIER_MAX or not IDENTIFIER_PATTERN.match(value):
        raise ValidationError(
            {
                "identifier": _(
                    "An ISO/IEC 15459 identifier has 2 to 100 characters: letters A–Z, digits, “-” and “.” only."
                )
            },
            code="invalid",
        )
    return value


def values_clean(values: Mapping[str, Any] | None, *, field: str = "values") -> dict[str, Any]:
    """Passport values keyed by known attribute ids; empty values are dropped."""
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise ValidationError({field: _("Passport values are a mapping of attribute id to value.")}, code="invalid")
    unknown = sorted(set(values) - attribute_codes())
    if unknown:
        raise ValidationError(
            {field: _("Unknown passport attributes: %(codes)s.") % {"codes": ", ".join(unknown[:10])}},
            code="unknown_attribute",
        )
    return {code: value for code, value in values.items() if value not in (None, "", [], {})}


def _category(value: str, *, field: str = "category") -> str:
    if value not in BatteryCategory.values:
        raise ValidationError({field: _("Choose EV, LMT or industrial.")}, code="invalid_choice")
    return value


def _passport_changed(*, partner: Partner, battery: Battery, change: str) -> None:
    webhook_event_emit(
        partner=partner,
        event=WebhookEvent.PASSPORT_CHANGED,
        data={"identifier": battery.identifier, "change": change, "complete": battery.complete},
    )


def completeness_refresh(batteries: Iterable[Battery]) -> int:
    """Recompute the stored `complete` flag of these batteries; returns how many changed."""
    batteries = list(batteries)
    missing = passports_missing(batteries)
    changed = []
    for battery in batteries:
        complete = not missing[battery.pk]
        if battery.complete != complete:
            battery.complete = complete
            changed.append(battery)
    if changed:
        # Through the queryset: the flag is derived data, not a change worth a history row.
        for value in (True, False):
            ids = [battery.pk for battery in changed if battery.complete is value]
            if ids:
                Battery.objects.filter(pk__in=ids).update(complete=value)
    return len(changed)


# Battery models --------------------------------------------------------------------------------------------------


def battery_model_create(
    *, code: str, name: str, category: str, chemistry: str, values: Mapping[str, Any] | None = None
) -> BatteryModel:
    """Add a battery model with its static passport values."""
    from portal.vehicles.choices import BatteryChemistry

    code = (code or "").strip()
    if not code:
        raise ValidationError({"code": _("Enter the model's code.")}, code="required")
    if chemistry not in BatteryChemistry.values:
        raise ValidationError({"chemistry": _("Choose a battery chemistry.")}, code="invalid_choice")
    model = BatteryModel(
        code=code,
        name=(name or "").strip() or code,
        category=_category(category),
        chemistry=chemistry,
        values=values_clean(values),
    )
    try:
        with transaction.atomic():
            model.save()
    except IntegrityError:
        raise ValidationError({"code": _("A battery model with this code exists.")}, code="duplicate") from None
    return model


def battery_model_update(*, battery_model: BatteryModel, partner: Partner | None = None, **fields) -> BatteryModel:
    """Change a model's name, chemistry or values (`values` replaces them; `values_merge` adds to them).

    The completeness of every battery of the model is recomputed in batches.
    """
    from portal.vehicles.choices import BatteryChemistry

    if "name" in fields:
        battery_model.name = (fields.pop("name") or "").strip() or battery_model.code
    if "chemistry" in fields:
        chemistry = fields.pop("chemistry")
        if chemistry not in BatteryChemistry.values:
            raise ValidationError({"chemistry": _("Choose a battery chemistry.")}, code="invalid_choice")
        battery_model.chemistry = chemistry
    if "values" in fields:
        battery_model.values = values_clean(fields.pop("values"))
    if "values_merge" in fields:
        merged = {**battery_model.values, **(fields.pop("values_merge") or {})}
        battery_model.values = values_clean({code: value for code, value in merged.items() if value is not None})
    if "category" in fields:
        category = _category(fields.pop("category"))
        if category != battery_model.category and battery_model.batteries.exists():
            raise ValidationError(
                {"category": _("Batteries of this model exist: their category cannot change.")}, code="in_use"
            )
        battery_model.category = category
    if fields:
        raise TypeError(f"unknown fields {sorted(fields)}")
    with transaction.atomic():
        battery_model.save()
        completeness_refresh_all(battery_model=battery_model)
        # One event for the model, not one per battery: a model may carry a million passports.
        webhook_event_emit(
            partner=_partner(partner),
            event=WebhookEvent.PASSPORT_CHANGED,
            data={"battery_model": battery_model.code, "change": "model_updated"},
        )
    return battery_model


def completeness_refresh_all(*, battery_model: BatteryModel | None = None) -> int:
    """Recompute `complete` for every battery (of one model, if given) in batches; returns how many changed.

    Run after a model's values change, and after the attribute list is reloaded (its mandatory flags may move):
    `manage.py passport_completeness_refresh` does it in every partner's schema.
    """
    batteries = Battery.objects.select_related("battery_model").order_by("pk")
    if battery_model is not None:
        batteries = batteries.filter(battery_model=battery_model)
    changed = last = 0
    while True:
        batch = list(batteries.filter(pk__gt=last)[:CHANGE_BATCH])
        if not batch:
            return changed
        if battery_model is not None:
            for battery in batch:
                battery.battery_model = battery_model
        changed += completeness_refresh(batch)
        last = batch[-1].pk


# Batteries -------------------------------------------------------------------------------------------------------


def _vehicle(vin: str | None, *, field: str = "vin") -> Vehicle | None:
    if not vin:
        return None
    vehicle = Vehicle.objects.filter(vin=vin.strip().upper()).first()
    if vehicle is None:
        raise ValidationError({field: _("No vehicle of yours has this VIN.")}, code="not_found")
    return vehicle


def battery_create(
    *,
    identifier: str,
    battery_model: BatteryModel,
    category: str | None = None,
    status: str = BatteryStatus.ORIGINAL,
    values: Mapping[str, Any] | None = None,
    vin: str | None = None,
    fitted_on: datetime.date | None = None,
    partner: Partner | None = None,
) -> Battery:
    """Add a battery and its passport; registers the identifier in the alliance's passport index."""
    partner = _partner(partner)
    identifier = identifier_normalise(identifier)
    category = _category(category or battery_model.category)
    if category != battery_model.category:
        raise ValidationError(
            {
                "category": _("The battery's category must be its model's (%(category)s).")
                % {"category": battery_model.category}
            },
            code="mismatch",
        )
    if status not in BatteryStatus.values:
        raise ValidationError({"status": _("Choose a battery status.")}, code="invalid_choice")
    vehicle = _vehicle(vin)
    if vehicle is not None and fitted_on is None:
        raise ValidationError({"fitted_on": _("Enter the date the battery was fitted.")}, code="required")
    battery = Battery(
        identifier=identifier,
        category=category,
        battery_model=battery_model,
        status=status,
        values=values_clean(values),
        vehicle=vehicle,
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                battery.save()
        except IntegrityError:
            raise ValidationError(
                {"identifier": _("A battery with this identifier exists.")}, code="duplicate"
            ) from None
        passport_index_add(partner=partner, identifier=identifier, battery_id=battery.pk)
        if vehicle is not None:
            BatteryFitment.objects.create(battery=battery, vehicle=vehicle, vin=vehicle.vin, fitted_on=fitted_on)
        completeness_refresh([battery])
        _passport_changed(partner=partner, battery=battery, change="created")
    return battery


def battery_update(
    *,
    battery: Battery,
    partner: Partner | None = None,
    identifier: str | None = None,
    status: str | None = None,
    values: Mapping[str, Any] | None = None,
    values_merge: Mapping[str, Any] | None = None,
    battery_model: BatteryModel | None = None,
) -> Battery:
    """Change a battery's identifier (a correction), status (its life's steps), model or passport values."""
    partner = _partner(partner)
    old_identifier = battery.identifier
    if identifier is not None:
        battery.identifier = identifier_normalise(identifier)
    if status is not None and status != battery.status:
        if status not in STATUS_TRANSITIONS.get(battery.status, frozenset()):
            raise ValidationError(
                {
                    "status": _("A %(current)s battery cannot become %(new)s.")
                    % {"current": BatteryStatus(battery.status).label, "new": status}
                },
                code="transition",
            )
        battery.status = status
    if battery_model is not None and battery_model.pk != battery.battery_model_id:
        if battery_model.category != battery.category:
            raise ValidationError(
                {"battery_model": _("The new model must be of the battery's category.")}, code="mismatch"
            )
        battery.battery_model = battery_model
    if values is not None:
        battery.values = values_clean(values)
    if values_merge is not None:
        merged = {**battery.values, **values_merge}
        battery.values = values_clean({code: value for code, value in merged.items() if value is not None})
    with transaction.atomic():
        try:
            with transaction.atomic():
                battery.save()
        except IntegrityError:
            raise ValidationError(
                {"identifier": _("A battery with this identifier exists.")}, code="duplicate"
            ) from None
        passport_index_rename(partner=partner, old=old_identifier, new=battery.identifier)
        completeness_refresh([battery])
        _passport_changed(partner=partner, battery=battery, change="updated")
    return battery


def battery_delete(*, battery: Battery, partner: Partner | None = None) -> None:
    """Delete a battery entered by mistake, and its passport with it."""
    partner = _partner(partner)
    with transaction.atomic():
        identifier = battery.identifier
        battery.delete()
        passport_index_remove(partner=partner, identifiers=[identifier])


def battery_fit(*, battery: Battery, vin: str, fitted_on: datetime.date) -> BatteryFitment:
    """Fit the battery to a vehicle (a replacement): the current fitment ends that day, both are kept."""
    vehicle = _vehicle(vin)
    if not isinstance(fitted_on, datetime.date):
        raise ValidationError({"fitted_on": _("Enter the date the battery was fitted.")}, code="required")
    if battery.status == BatteryStatus.WASTE:
        raise ValidationError({"vin": _("A waste battery cannot be fitted.")}, code="waste")
    with transaction.atomic():
        current = BatteryFitment.objects.select_for_update().filter(battery=battery, removed_on__isnull=True).first()
        if current is not None:
            if current.vehicle_id == vehicle.pk:
                raise ValidationError({"vin": _("The battery is fitted to this vehicle already.")}, code="same")
            if fitted_on < current.fitted_on:
                raise ValidationError(
                    {"fitted_on": _("The battery was fitted to %(vin)s on a later date.") % {"vin": current.vin}},
                    code="order",
                )
            current.removed_on = fitted_on
            current.save(update_fields=["removed_on"])
        fitment = BatteryFitment.objects.create(battery=battery, vehicle=vehicle, vin=vehicle.vin, fitted_on=fitted_on)
        battery.vehicle = vehicle
        battery.save(update_fields=["vehicle", "updated_at"])
    return fitment


def battery_remove(*, battery: Battery, removed_on: datetime.date) -> BatteryFitment | None:
    """Take the battery out of its vehicle; None when it was not fitted."""
    with transaction.atomic():
        current = BatteryFitment.objects.select_for_update().filter(battery=battery, removed_on__isnull=True).first()
        if current is None:
            return None
        if removed_on < current.fitted_on:
            raise ValidationError({"removed_on": _("The battery was fitted after this date.")}, code="order")
        current.removed_on = removed_on
        current.save(update_fields=["removed_on"])
        battery.vehicle = None
        battery.save(update_fields=["vehicle", "updated_at"])
    return current


# Readings --------------------------------------------------------------------------------------------------------


def _decimal(value, *, field: str, low: Decimal | None = None, high: Decimal | None = None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "."))
    except InvalidOperation:
        raise ValidationError({field: _("Enter a number.")}, code="invalid") from None
    if not number.is_finite() or (low is not None and number < low) or (high is not None and number > high):
        raise ValidationError({field: _("The number is out of range.")}, code="range")
    return number


def reading_clean(
    *,
    measured_at: datetime.datetime,
    state_of_health=None,
    capacity_fade=None,
    cycles=None,
    energy_throughput=None,
    negative_event: str = "",
    source: str = ReadingSource.MANUAL,
) -> dict[str, Any]:
    """A reading's fields checked and converted (shared with the battery import); ValidationError keyed by field."""
    if not isinstance(measured_at, datetime.datetime):
        raise ValidationError({"measured_at": _("Enter when it was measured.")}, code="required")
    if source not in ReadingSource.values:
        raise ValidationError({"source": _("Choose a source.")}, code="invalid_choice")
    if cycles not in (None, ""):
        try:
            cycles = int(cycles)
        except (TypeError, ValueError):
            raise ValidationError({"cycles": _("Enter a whole number.")}, code="invalid") from None
        if cycles < 0:
            raise ValidationError({"cycles": _("The number is out of range.")}, code="range")
    else:
        cycles = None
    fields = {
        "measured_at": measured_at,
        "state_of_health": _decimal(state_of_health, field="state_of_health", low=Decimal(0), high=Decimal(100)),
        "capacity_fade": _decimal(capacity_fade, field="capacity_fade", low=Decimal(0), high=Decimal(100)),
        "cycles": cycles,
        "energy_throughput": _decimal(
            energy_throughput, field="energy_throughput", low=Decimal(0), high=Decimal("99999999999")
        ),
        "negative_event": (negative_event or "").strip()[:4000],
        "source": source,
    }
    measured = ("state_of_health", "capacity_fade", "cycles", "energy_throughput", "negative_event")
    if all(fields[name] in (None, "") for name in measured):
        raise ValidationError({"measured_at": _("A reading needs at least one measured value.")}, code="empty")
    return fields


def battery_reading_add(*, battery: Battery, partner: Partner | None = None, **fields) -> BatteryReading:
    """Record dynamic data measured at one time; the same battery, time and source again updates that reading."""
    cleaned = reading_clean(**fields)
    key = {"battery": battery, "measured_at": cleaned.pop("measured_at"), "source": cleaned.pop("source")}
    with transaction.atomic():
        reading, _created = BatteryReading.objects.update_or_create(**key, defaults=cleaned)
        _passport_changed(partner=_partner(partner), battery=battery, change="reading")
    return reading
