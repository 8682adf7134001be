"""Writes of the vehicle registry: every rule of registration and status change lives here."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django_countries import countries

from portal.core.caller import person_of
from portal.integrations.models import WebhookEndpoint, WebhookEvent
from portal.integrations.webhooks import webhook_event_emit, webhook_event_emit_here
from tenants.models import Partner

from .choices import ChangeSource, VehicleStatus
from .models import Vehicle, VehicleModel, VehicleStatusChange
from .rxswin import rxswin_problem
from .vin import VinCheck, VinProblem, vin_check, wmi_owner_map

BULK_LIMIT = 10_000
# Markets a user can pick for VIN rules: the EU as a whole, or any ISO 3166 country.
MARKET_EU = "EU"
COMMON_MARKETS = ["CN", "US", "CA", "MX", "EU", "TH", "SA", "IN"]

TRANSITIONS: dict[str, frozenset[str]] = {
    VehicleStatus.PRODUCED: frozenset({VehicleStatus.REGISTERED, VehicleStatus.EXPORTED}),
    VehicleStatus.REGISTERED: frozenset({VehicleStatus.EXPORTED, VehicleStatus.DEREGISTERED}),
    # Exported vehicles get registered abroad, or are taken off the road.
    VehicleStatus.EXPORTED: frozenset({VehicleStatus.REGISTERED, VehicleStatus.DEREGISTERED}),
    VehicleStatus.DEREGISTERED: frozenset(),
}


def market_choices() -> list[tuple[str, str]]:
    """The common markets first, then every other country."""
    names = dict(countries)
    first = [(code, _("European Union") if code == MARKET_EU else names[code]) for code in COMMON_MARKETS]
    return first + [(code, name) for code, name in countries if code not in COMMON_MARKETS]


def market_normalise(market: str | None, *, partner) -> str:
    """The market whose VIN rules apply: the one given (EU or an ISO country), else the partner's country."""
    if not market:
        return str(getattr(partner.country, "code", partner.country) or MARKET_EU)
    market = market.strip().upper()
    if market != MARKET_EU and market not in dict(countries):
        raise ValidationError({"market": _("Choose EU or an ISO 3166 country code.")})
    return market


def allowed_transitions(status: str) -> frozenset[str]:
    """Statuses a vehicle in `status` may move to (by any path, a shipment included)."""
    return TRANSITIONS.get(status, frozenset())


# A vehicle becomes exported only through a shipment that ships (`vehicles_export`), never by hand.
SHIPMENT_ONLY = frozenset({VehicleStatus.EXPORTED})


def manual_transitions(status: str) -> list[str]:
    """Statuses a person may set by hand on a vehicle in `status`, in the order of a vehicle's life."""
    allowed = allowed_transitions(status) - SHIPMENT_ONLY
    return [value for value in VehicleStatus.values if value in allowed]


def export_by_hand_message() -> str:
    """Why "exported" cannot be chosen, and how a vehicle does become exported."""
    return _(
        "A vehicle becomes exported only when a shipment carrying it ships: add it to a shipment "
        "(Compliance → Shipments) and ship that shipment."
    )


def _vin_errors(check: VinCheck) -> list[str]:
    return [problem.message for problem in check.errors]


def vehicle_warnings(*, partner, vin: str, market: str | None = None) -> list[VinProblem]:
    """What a registered VIN still deserves a word about (a wrong check digit where it is only advisory, as in
    the EU; a WMI not in the register): shown after a registration, returned in the API's 201 body."""
    return list(vin_check(vin, market=market_normalise(market, partner=partner), partner_id=partner.pk).warnings)


# --- vehicle models ---------------------------------------------------------------------------------------------

MODEL_FIELDS = ("name", "category", "battery_chemistry", "battery_kwh", "range_km", "connectivity", "hs_code")


def _model_save(vehicle_model: VehicleModel) -> VehicleModel:
    vehicle_model.full_clean()
    vehicle_model.save()
    return vehicle_model


def vehicle_model_create(
    *,
    name: str,
    category: str,
    battery_chemistry: str,
    battery_kwh: Decimal | float | str,
    hs_code: str,
    range_km: int | None = None,
    connectivity: Sequence[str] = (),
) -> VehicleModel:
    """Create a vehicle model of the current partner (names are unique per partner)."""
    return _model_save(
        VehicleModel(
            name=name.strip(),
            category=category,
            battery_chemistry=battery_chemistry,
            battery_kwh=Decimal(str(battery_kwh)),
            range_km=range_km,
            connectivity=list(dict.fromkeys(connectivity)),
            hs_code=hs_code.strip(),
        )
    )


def vehicle_model_update(*, vehicle_model: VehicleModel, **changes) -> VehicleModel:
    """Change some fields of a vehicle model."""
    unknown = set(changes) - set(MODEL_FIELDS)
    if unknown:
        raise TypeError(f"vehicle_model_update: unknown fields {sorted(unknown)}")
    for field, value in changes.items():
        if field == "connectivity":
            value = list(dict.fromkeys(value or ()))
        elif field == "battery_kwh" and value is not None:
            value = Decimal(str(value))
        elif field in ("name", "hs_code"):
            value = value.strip()
        setattr(vehicle_model, field, value)
    return _model_save(vehicle_model)


# --- vehicles -------------------------------------------------------------------------------------------------


def _history(vehicle: Vehicle, *, from_status: str, user, source: str, note: str) -> VehicleStatusChange:
    return VehicleStatusChange(
        vehicle=vehicle,
        from_status=from_status,
        to_status=vehicle.status,
        # API keys act without a person: the change is then kept with source "api" and no user.
        changed_by=person_of(user),
        source=source,
        note=(note or "")[:300],
    )


def vehicle_register(
    *,
    partner,
    vin: str,
    model: VehicleModel,
    production_date: datetime.date,
    plant: str = "",
    market: str | None = None,
    user=None,
    source: str = ChangeSource.WEB,
    note: str = "",
    rxswin: str = "",
) -> Vehicle:
    """Register a produced vehicle after checking its VIN for `market` (default: the partner's country); `rxswin`:
    its software identification number (UN R156) where the maker records one."""
    market = market_normalise(market, partner=partner)
    rxswin = _rxswin_clean(rxswin)
    check = vin_check(vin, market=market, partner_id=partner.pk)
    if not check.ok:
        raise ValidationError({"vin": _vin_errors(check)})
    if Vehicle.objects.filter(vin=check.vin).exists():
        raise ValidationError({"vin": _("A vehicle with VIN %(vin)s is already registered.") % {"vin": check.vin}})
    if production_date > timezone.localdate():  # the project's calendar (the clock tests pin)
        raise ValidationError({"production_date": _("The production date cannot be in the future.")})
    try:
        with transaction.atomic():
            vehicle = Vehicle.objects.create(
                vin=check.vin, model=model, production_date=production_date, plant=(plant or "").strip(), rxswin=rxswin
            )
            _history(vehicle, from_status="", user=user, source=source, note=note).save()
    except IntegrityError as error:  # registered by someone else a moment ago
        raise ValidationError(
            {"vin": _("A vehicle with VIN %(vin)s is already registered.") % {"vin": check.vin}}
        ) from error
    return vehicle


def _rxswin_clean(rxswin: str | None) -> str:
    """The RXSWIN trimmed (blank: none recorded), or a ValidationError keyed `rxswin` saying what is wrong."""
    text = (rxswin or "").strip()
    problem = rxswin_problem(text) if text else None
    if problem:
        raise ValidationError({"rxswin": ValidationError(problem, code="invalid_rxswin")})
    return text


def vehicle_rxswin_set(
    *, vehicle: Vehicle, rxswin: str, user=None, source: str = ChangeSource.WEB, note: str = ""
) -> Vehicle:
    """Record (or clear, with a blank) the vehicle's RXSWIN (UN R156), e.g. after a software update; the change is
    kept in its history (the status stays) and open shipments see it at their next check."""
    rxswin = _rxswin_clean(rxswin)
    with transaction.atomic():
        vehicle = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        if vehicle.rxswin == rxswin:
            return vehicle
        before = vehicle.rxswin
        vehicle.rxswin = rxswin
        vehicle.save(update_fields=["rxswin", "updated_at"])
        what = _("RXSWIN %(before)s → %(after)s") % {"before": before or "—", "after": rxswin or "—"}
        text = f"{what} · {note}" if note else what
        _history(vehicle, from_status=vehicle.status, user=user, source=source, note=text).save()
    return vehicle


def vehicle_status_change(
    *,
    vehicle: Vehicle,
    to_status: str,
    user=None,
    source: str = ChangeSource.WEB,
    note: str = "",
    registration_country: str = "",
    registration_region: str = "",
    plate: str = "",
    registration_date: datetime.date | None = None,
) -> Vehicle:
    """Move a vehicle along the allowed transitions by hand and keep the step in its history.

    "Exported" is refused: only a shipment that ships exports vehicles (`vehicles_export`).
    """
    with transaction.atomic():
        # Lock the row so two simultaneous changes cannot both start from the same status.
        vehicle = Vehicle.objects.select_for_update().get(pk=vehicle.pk)
        if to_status in SHIPMENT_ONLY:
            raise ValidationError({"to_status": ValidationError(export_by_hand_message(), code="export_by_shipment")})
        if to_status not in allowed_transitions(vehicle.status):
            raise ValidationError(
                {
                    "to_status": _("A vehicle that is %(current)s cannot become %(target)s.")
                    % {
                        "current": VehicleStatus(vehicle.status).label,
                        "target": VehicleStatus(to_status).label if to_status in VehicleStatus.values else to_status,
                    }
                }
            )
        if to_status == VehicleStatus.REGISTERED:
            errors = {}
            if not registration_country:
                errors["registration_country"] = _("A registration needs the country.")
            elif registration_country.upper() not in dict(countries):
                errors["registration_country"] = _("Choose an ISO 3166 country code.")
            if registration_date is None:
                errors["registration_date"] = _("A registration needs the date.")
            elif registration_date < vehicle.production_date:
                errors["registration_date"] = _("A vehicle cannot be registered before it was produced.")
            elif registration_date > datetime.date.today():
                errors["registration_date"] = _("The registration date cannot be in the future.")
            if errors:
                raise ValidationError(errors)
            vehicle.registration_country = registration_country.upper()
            vehicle.registration_region = (registration_region or "").strip()[:80]
            vehicle.plate = (plate or "").strip()[:20]
            vehicle.registration_date = registration_date
        from_status = vehicle.status
        vehicle.status = to_status
        vehicle.save()
        _history(vehicle, from_status=from_status, user=user, source=source, note=note).save()
        webhook_event_emit_here(
            event=WebhookEvent.VEHICLE_STATUS_CHANGED,
            data={"vin": vehicle.vin, "from": from_status, "to": to_status, "source": source},
        )
    return vehicle


# --- bulk registration ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem of one row of a bulk call."""

    index: int
    field: str
    message: str

    def as_dict(self) -> dict:
        return {"index": self.index, "field": self.field, "message": self.message}


class BulkValidationError(Exception):
    """Some rows of a bulk call are invalid: every problem, by row index and field; nothing was written."""

    def __init__(self, errors: list[RowError]):
        super().__init__(f"{len(errors)} problems")
        self.errors = errors


def _parse_date(value) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value.strip())
        except ValueError:
            return None
    return None


def vehicle_bulk_register(
    *,
    partner,
    rows: Sequence[Mapping],
    market: str | None = None,
    user=None,
    source: str = ChangeSource.API,
    note: str = "",
    warnings: list[RowError] | None = None,
) -> list[Vehicle]:
    """Register up to 10,000 vehicles: all rows are validated first, then all are written in one transaction.

    Each row: `vin`, `model` (id or name of a vehicle model), `production_date` (ISO date), optional `plant` and
    `rxswin` (UN R156 software identification number).
    Any invalid row → BulkValidationError listing every problem, and nothing is written. The warnings of the rows
    (an advisory check digit, a WMI not in the register) are appended to `warnings` when given.
    """
    if len(rows) > BULK_LIMIT:
        raise ValidationError(_("At most %(limit)d vehicles per call.") % {"limit": BULK_LIMIT})
    if not rows:
        raise ValidationError(_("Send at least one vehicle."))
    market = market_normalise(market, partner=partner)
    owners = wmi_owner_map()
    models_by_key: dict[str, VehicleModel] = {}
    for vehicle_model in VehicleModel.objects.all():
        models_by_key[str(vehicle_model.pk)] = vehicle_model
        models_by_key[vehicle_model.name.casefold()] = vehicle_model
    today = datetime.date.today()
    errors: list[RowError] = []
    prepared: list[Vehicle] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        if not isinstance(row, Mapping):
            errors.append(RowError(index, "", _("Each vehicle is an object.")))
            continue
        check = vin_check(str(row.get("vin") or ""), market=market, partner_id=partner.pk, wmi_owners=owners)
        errors += [RowError(index, "vin", message) for message in _vin_errors(check)]
        if warnings is not None:
            warnings += [RowError(index, "vin", problem.message) for problem in check.warnings]
        if check.ok:
            if check.vin in seen:
                errors.append(
                    RowError(
                        index, "vin", _("Same VIN as vehicle %(index)d of this call.") % {"index": seen[check.vin]}
                    )
                )
            else:
                seen[check.vin] = index
        model_key = row.get("model")
        vehicle_model = models_by_key.get(str(model_key).strip().casefold()) if model_key not in (None, "") else None
        if vehicle_model is None:
            errors.append(RowError(index, "model", _("No vehicle model %(model)s.") % {"model": model_key or "—"}))
        production_date = _parse_date(row.get("production_date"))
        if production_date is None:
            errors.append(RowError(index, "production_date", _("Give the production date as YYYY-MM-DD.")))
        elif production_date > today:
            errors.append(RowError(index, "production_date", _("The production date cannot be in the future.")))
        plant = row.get("plant") or ""
        if not isinstance(plant, str) or len(plant) > 120:
            errors.append(RowError(index, "plant", _("The plant is a text of at most 120 characters.")))
            plant = ""
        rxswin = row.get("rxswin") or ""
        problem = rxswin_problem(rxswin.strip()) if isinstance(rxswin, str) and rxswin.strip() else None
        if not isinstance(rxswin, str) or problem:
            errors.append(RowError(index, "rxswin", problem or _("The RXSWIN is a text.")))
            rxswin = ""
        vehicle = Vehicle(vin=check.vin, model=vehicle_model, production_date=production_date, plant=plant)
        vehicle.rxswin = rxswin.strip()
        prepared.append(vehicle)
    for vin in Vehicle.objects.filter(vin__in=list(seen)).values_list("vin", flat=True):
        errors.append(RowError(seen[vin], "vin", _("A vehicle with VIN %(vin)s is already registered.") % {"vin": vin}))
    if errors:
        raise BulkValidationError(sorted(errors, key=lambda error: error.index))
    try:
        with transaction.atomic():
            vehicles = Vehicle.objects.bulk_create(prepared, batch_size=2000)
            VehicleStatusChange.objects.bulk_create(
                [_history(vehicle, from_status="", user=user, source=source, note=note) for vehicle in vehicles],
                batch_size=2000,
            )
    except IntegrityError as error:  # a VIN of this call was registered meanwhile
        raise BulkValidationError(
            [RowError(0, "vin", _("A VIN of this call was registered meanwhile; retry."))]
        ) from error
    return vehicles


def vehicles_export(*, vehicle_ids: Sequence[int], user=None, source: str = ChangeSource.WEB, note: str = "") -> int:
    """Mark many vehicles exported at once (a shipment leaving), with the same transition rule as one by one.

    All or nothing: if any vehicle may not become exported, nothing changes. One history row per vehicle, and a
    `vehicle.status_changed` webhook event per vehicle when the partner subscribed to it.
    """
    with transaction.atomic():
        vehicles = list(Vehicle.objects.select_for_update().filter(pk__in=list(vehicle_ids)).order_by("pk"))
        refused = [
            vehicle.vin for vehicle in vehicles if VehicleStatus.EXPORTED not in allowed_transitions(vehicle.status)
        ]
        if refused:
            raise ValidationError(
                _("These vehicles cannot be exported: %(vins)s") % {"vins": ", ".join(sorted(refused)[:20])}
            )
        previous = {vehicle.pk: vehicle.status for vehicle in vehicles}
        Vehicle.objects.filter(pk__in=list(previous)).update(status=VehicleStatus.EXPORTED, updated_at=timezone.now())
        changes = []
        for vehicle in vehicles:
            vehicle.status = VehicleStatus.EXPORTED
            changes.append(_history(vehicle, from_status=previous[vehicle.pk], user=user, source=source, note=note))
        VehicleStatusChange.objects.bulk_create(changes, batch_size=2000)
        partner = Partner.objects.filter(schema_name=connection.schema_name).first()
        subscribed = (
            partner is not None
            and WebhookEndpoint.objects.filter(
                partner=partner, is_active=True, events__contains=[WebhookEvent.VEHICLE_STATUS_CHANGED]
            ).exists()
        )
        if subscribed:
            for vehicle in vehicles:
                webhook_event_emit(
                    partner=partner,
                    event=WebhookEvent.VEHICLE_STATUS_CHANGED,
                    data={
                        "vin": vehicle.vin,
                        "from": previous[vehicle.pk],
                        "to": VehicleStatus.EXPORTED,
                        "source": source,
                    },
                )
    return len(vehicles)
