"""The check of a shipment: one verdict (cleared, needs review, blocked) with every reason.

`evaluate` is pure: it takes what the check needs (the shipment's facts, its vehicles, the partner's
certificates, the rule tables and the screening index) and returns the verdict; `services.shipment_check`
reads those, calls it and stores the result with the versions of the tables it used. Reasons are data
(code, severity, parameters); `reasons.reason_text` words them in the reader's language.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from portal.reference.models import EmbargoSeverity, MarketRequirement, RequirementDay, RequirementEffect
from portal.reference.selectors import RuleSet
from portal.vehicles.choices import BatteryChemistry, VehicleStatus

from .choices import Severity, Verdict
from .screening import ScreeningIndex

NON_LITHIUM = {BatteryChemistry.SODIUM_ION, BatteryChemistry.LEAD_ACID}
VIN_SAMPLE = 20  # VINs listed in a reason; the count says how many there are in all
UPCOMING_DAYS = 365  # rules that start this soon after the arrival are mentioned


class Code:
    """Reason codes (stable: they are stored with every check and sent in webhooks)."""

    EMBARGO = "embargoed_destination"
    EMBARGO_CONSIGNEE = "embargoed_consignee_country"
    SCREENING = "screening_hit"
    CERTIFICATE_MISSING = "certificate_missing"
    CERTIFICATE_EXPIRED = "certificate_expired"
    CERTIFICATE_EXPIRES_BEFORE_ARRIVAL = "certificate_expires_before_arrival"
    CERTIFICATE_NOT_YET_VALID = "certificate_not_yet_valid"
    CERTIFICATE_TOO_LONG = "certificate_validity_too_long"
    NO_MARKET_RULES = "no_market_rules"
    HS_CODE_MISMATCH = "hs_code_mismatch"
    VEHICLE_EXPORTED = "vehicle_already_exported"
    VEHICLE_DEREGISTERED = "vehicle_deregistered"
    VEHICLE_ON_OTHER_SHIPMENT = "vehicle_on_other_shipment"
    NO_VEHICLES = "no_vehicles"
    ARRIVAL_IN_PAST = "arrival_in_past"
    RULE_UPCOMING = "rule_upcoming"
    # Export licences of the exporting country (reference.ExportLicenceRule)
    LICENCE_MISSING = "export_licence_missing"
    LICENCE_EXPIRED = "export_licence_expired"
    LICENCE_NOT_YET_VALID = "export_licence_not_yet_valid"
    LICENCE_OUT_OF_SCOPE = "export_licence_out_of_scope"
    LICENCE_HS_UNCLEAR = "export_licence_hs_unclear"
    LICENCE_NOT_APPLICABLE = "export_licence_not_applicable"
    LICENCE_UPCOMING = "export_licence_upcoming"
    AUTHORISATION_MISSING = "export_authorisation_missing"
    MODEL_CERTIFICATE_MISSING = "export_model_certificate_missing"
    OUTLET_MISSING = "after_sales_outlet_missing"
    USED_LETTER_MISSING = "used_vehicle_letter_missing"
    # Import duties of the destination (reference.ImportDutyRate, reference.PriceUndertaking)
    DUTY_ESTIMATE = "duty_estimate"
    DUTY_DECLARATION_MISSING = "duty_declaration_missing"
    DUTY_PRICE_MISSING = "duty_price_missing"
    UNDERTAKING_PRICE_BELOW_MINIMUM = "undertaking_price_below_minimum"
    UNDERTAKING_CAP_EXCEEDED = "undertaking_cap_exceeded"
    UNDERTAKING_NOT_IN_FORCE = "undertaking_not_in_force"
    # Market requirements one per shipment (SABER SCoC) and those that only inform (EU battery passport, for now)
    SHIPMENT_CERTIFICATE_MISSING = "shipment_certificate_missing"
    REQUIREMENT_NOTE = "requirement_note"
    # EU battery passports (reference.MarketRequirement.battery_passports)
    BATTERY_PASSPORT_INCOMPLETE = "battery_passport_incomplete"
    # UN R156: a vehicle's recorded RXSWIN that no valid software update approval of its model lists
    RXSWIN_NOT_LISTED = "rxswin_not_listed"


@dataclass(frozen=True)
class Reason:
    """One reason of a verdict; `key` names what it is about, so an override can say which reasons it released."""

    code: str
    severity: str
    key: str
    params: dict

    def as_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "key": self.key, "params": self.params}


@dataclass(frozen=True)
class ShipmentFacts:
    destination: str
    consignee_name: str
    consignee_country: str
    hs_code: str
    expected_arrival: datetime.date
    origin: str = ""  # the exporting partner's country
    ships_on: datetime.date | None = None
    manufacturer: str = ""  # set when the partner exports as the manufacturer's authorised trader
    after_sales_letter: str = ""
    shipment_certificate: str = ""  # a certificate issued for this shipment (SABER SCoC), by reference
    producer: str = ""
    taric_additional_code: str = ""
    invoice_price: Decimal | None = None
    invoice_declaration: bool = False
    price_undertaking_id: int | None = None
    undertaking_used: int = 0  # vehicles already shipped this year under the undertaking (other shipments)


class VehicleRow(NamedTuple):
    """One vehicle of the shipment (a named tuple: a check builds thousands of them)."""

    id: int
    vin: str
    status: str
    model_id: int
    ever_exported: bool = False
    registration_date: datetime.date | None = None


@dataclass(frozen=True)
class ModelFacts:
    id: int
    name: str
    category: str
    battery_chemistry: str
    battery_kwh: Decimal
    hs_code: str


@dataclass(frozen=True)
class CertificateFacts:
    id: int
    certificate_type_id: int
    number: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    model_ids: frozenset[int]
    rxswins: frozenset[str] = frozenset()  # UN R156: the RXSWINs the approval covers (empty: none listed)


@dataclass(frozen=True)
class LicenceFacts:
    number: str
    hs_codes: tuple[str, ...]
    destinations: frozenset[str]
    valid_from: datetime.date
    valid_to: datetime.date


@dataclass(frozen=True)
class AuthorisationFacts:
    manufacturer: str
    valid_from: datetime.date
    valid_to: datetime.date


@dataclass(frozen=True)
class ExportFacts:
    """What the partner holds for export licence rules: licences, authorisations, after-sales outlet countries."""

    licences: tuple[LicenceFacts, ...] = ()
    authorisations: tuple[AuthorisationFacts, ...] = ()
    outlet_countries: frozenset[str] = frozenset()


NO_EXPORT_FACTS = ExportFacts()
BATTERY_SAMPLE = 20  # incomplete batteries listed in a reason (with what they lack); the count says how many in all


@dataclass(frozen=True)
class IncompleteBattery:
    """A battery fitted to one of the shipment's vehicles whose passport lacks mandatory attributes."""

    vehicle_id: int
    vin: str
    identifier: str
    missing: tuple[str, ...]  # the names of the attributes it lacks


@dataclass
class Outcome:
    """The verdict and its reasons, worst first."""

    verdict: str
    reasons: list[Reason] = field(default_factory=list)

    def reasons_as_dicts(self) -> list[dict]:
        return [reason.as_dict() for reason in self.reasons]


def _vins(rows: list[VehicleRow]) -> dict:
    return {"count": len(rows), "vins": sorted(row.vin for row in rows)[:VIN_SAMPLE]}


def _rule_params(rule: MarketRequirement) -> dict:
    return {
        "rule_id": rule.pk,
        "market": rule.market,
        "certificate_type": rule.certificate_type.code,
        "certificate_name": rule.certificate_type.name,
        "source": rule.source_reference,
    }


def rule_applies(rule: MarketRequirement, model: ModelFacts) -> bool:
    """Does the rule cover this model (category, lithium battery, battery size)?"""
    if rule.categories and model.category not in rule.categories:
        return False
    if rule.lithium_only and model.battery_chemistry in NON_LITHIUM:
        return False
    return not (rule.min_battery_kwh is not None and Decimal(model.battery_kwh) <= rule.min_battery_kwh)


def _certificate_reason(
    rule: MarketRequirement,
    model: ModelFacts,
    count: int,
    held: list[CertificateFacts],
    *,
    arrival: datetime.date,
    today: datetime.date,
    max_months: int | None,
) -> Reason | None:
    base = {**_rule_params(rule), "model_id": model.id, "model": model.name, "vehicle_count": count}
    key = f"{rule.certificate_type.code}:{model.id}"
    valid = [
        certificate
        for certificate in held
        if certificate.valid_from <= arrival and (certificate.valid_to is None or certificate.valid_to >= arrival)
    ]
    if valid:
        best = max(valid, key=lambda certificate: certificate.valid_to or datetime.date.max)
        if max_months and best.valid_to and (best.valid_to - best.valid_from).days > max_months * 31:
            return Reason(
                Code.CERTIFICATE_TOO_LONG,
                Severity.REVIEW,
                key,
                {**base, "number": best.number, "valid_to": best.valid_to.isoformat(), "max_months": max_months},
            )
        return None
    if not held:
        return Reason(Code.CERTIFICATE_MISSING, Severity.BLOCK, key, base)
    latest = max(held, key=lambda certificate: certificate.valid_to or datetime.date.max)
    details = {
        **base,
        "number": latest.number,
        "valid_from": latest.valid_from.isoformat(),
        "valid_to": latest.valid_to.isoformat() if latest.valid_to else None,
        "arrival": arrival.isoformat(),
    }
    if latest.valid_to is not None and latest.valid_to < today:
        return Reason(Code.CERTIFICATE_EXPIRED, Severity.BLOCK, key, details)
    if latest.valid_to is not None and latest.valid_to < arrival:
        return Reason(Code.CERTIFICATE_EXPIRES_BEFORE_ARRIVAL, Severity.BLOCK, key, details)
    return Reason(Code.CERTIFICATE_NOT_YET_VALID, Severity.BLOCK, key, details)


def _valid_on_day(certificate: CertificateFacts, day: datetime.date) -> bool:
    return certificate.valid_from <= day and (certificate.valid_to is None or certificate.valid_to >= day)


def _rxswin_reason(
    rule: MarketRequirement,
    model: ModelFacts,
    count: int,
    held: list[CertificateFacts],
    recorded: list[tuple[str, str]],
    day: datetime.date,
) -> Reason | None:
    """UN R156: the model's vehicles whose recorded RXSWIN no approval valid on the rule's day lists (a review).

    Checked only where an approval of the model lists RXSWINs (the maker records them for it) and one is valid on
    the day: without a valid approval the certificate reason already speaks for the model. `recorded`: (VIN,
    RXSWIN) of the model's vehicles that have one; vehicles without an RXSWIN are not asked about."""
    if not recorded or not any(certificate.rxswins for certificate in held):
        return None
    valid = [certificate for certificate in held if _valid_on_day(certificate, day)]
    if not valid:
        return None
    listed = frozenset().union(*(certificate.rxswins for certificate in valid))
    unlisted = [(vin, rxswin) for vin, rxswin in recorded if rxswin not in listed]
    if not unlisted:
        return None
    rxswins = sorted({rxswin for _vin, rxswin in unlisted})
    params = {
        **_rule_params(rule),
        "model_id": model.id,
        "model": model.name,
        "vehicle_count": count,
        "count": len(unlisted),
        "vins": sorted(vin for vin, _rxswin in unlisted)[:VIN_SAMPLE],
        "rxswins": rxswins[:VIN_SAMPLE],
        "rxswin_count": len(rxswins),
        "numbers": sorted(certificate.number for certificate in valid),
        "day": day.isoformat(),
    }
    if rule.valid_on == RequirementDay.SHIPPING:
        params["on"] = RequirementDay.SHIPPING.value
    return Reason(Code.RXSWIN_NOT_LISTED, Severity.REVIEW, f"rxswin:{rule.certificate_type.code}:{model.id}", params)


def _rule_day(rule: MarketRequirement, facts: ShipmentFacts, today: datetime.date) -> datetime.date:
    """The day a requirement is checked on: the expected arrival, or the shipping date (blank: today)."""
    if rule.valid_on == RequirementDay.SHIPPING:
        return facts.ships_on or today
    return facts.expected_arrival


def _requirement_reason(rule, model, count, held, facts, day, today, max_months) -> Reason | None:
    """A requirement in force: its certificate (per model, or the shipment's own), worded for its day and
    weighed by its effect (blocks, or needs review)."""
    effect = rule.effect
    on = {"on": RequirementDay.SHIPPING.value} if rule.valid_on == RequirementDay.SHIPPING else {}
    if rule.per_shipment:
        if facts.shipment_certificate:
            return None
        params = {**_rule_params(rule), **on, "day": day.isoformat()}
        severity = Severity.REVIEW if effect == RequirementEffect.REVIEW else Severity.BLOCK
        return Reason(Code.SHIPMENT_CERTIFICATE_MISSING, severity, f"{rule.certificate_type.code}:shipment", params)
    reason = _certificate_reason(rule, model, count, held, arrival=day, today=today, max_months=max_months)
    if reason is None:
        return None
    if effect == RequirementEffect.REVIEW and reason.severity == Severity.BLOCK:
        reason = replace(reason, severity=Severity.REVIEW)
    return replace(reason, params={**reason.params, **on}) if on else reason


def _note_reason(rule: MarketRequirement, model: ModelFacts, day: datetime.date) -> Reason:
    """A requirement that only informs for now (e.g. the EU battery passport before passports are checked)."""
    params = {
        **_rule_params(rule),
        "model": model.name,
        "effective_from": rule.effective_from.isoformat(),
        "in_force": rule.in_force_on(day),
        "note": rule.note,
    }
    return Reason(Code.REQUIREMENT_NOTE, Severity.INFO, f"note:{rule.pk}", params)


def _certificate_reasons(
    facts: ShipmentFacts,
    rules: RuleSet,
    models: dict[int, ModelFacts],
    counts: dict[int, int],
    certificates: list[CertificateFacts],
    today: datetime.date,
    recorded: dict[int, list[tuple[str, str]]] | None = None,
) -> list[Reason]:
    """`recorded`: model id → (VIN, RXSWIN) of its vehicles with a recorded RXSWIN (UN R156; None: not read)."""
    recorded = recorded or {}
    held: dict[tuple[int, int], list[CertificateFacts]] = defaultdict(list)
    for certificate in certificates:
        for model_id in certificate.model_ids:
            held[(certificate.certificate_type_id, model_id)].append(certificate)
    # Battery passport rows check the batteries, not certificates (_battery_passport_reasons).
    market_rules = [
        rule for rule in rules.requirements_for(facts.destination) if not getattr(rule, "battery_passports", False)
    ]
    reasons = []
    upcoming_seen = set()
    seen = set()  # per-shipment requirements and notes are said once, whatever the models
    rxswin_seen = set()  # (certificate type, model): two markets requiring the same approval ask once
    for model_id, count in sorted(counts.items()):
        model = models[model_id]
        applicable = [rule for rule in market_rules if rule_applies(rule, model)]
        for rule in applicable:
            if rule.effect == RequirementEffect.NOTE and rule.pk not in seen:
                day = _rule_day(rule, facts, today)
                if rule.effective_until is None or rule.effective_until >= day:
                    seen.add(rule.pk)
                    reasons.append(_note_reason(rule, model, day))
        applicable = [rule for rule in applicable if rule.effect != RequirementEffect.NOTE]
        in_force = [rule for rule in applicable if rule.in_force_on(_rule_day(rule, facts, today))]
        if not [rule for rule in in_force if rule.market != "*"]:
            reasons.append(
                Reason(
                    Code.NO_MARKET_RULES,
                    Severity.REVIEW,
                    f"{facts.destination}:{model.category}",
                    {
                        "market": facts.destination,
                        "category": model.category,
                        "model": model.name,
                        "model_id": model.id,
                    },
                )
            )
        for rule in in_force:
            if rule.per_shipment:
                if rule.pk in seen:
                    continue
                seen.add(rule.pk)
            certificate_type = rules.certificate_types.get(rule.certificate_type_id, rule.certificate_type)
            held_here = held.get((rule.certificate_type_id, model_id), [])
            day = _rule_day(rule, facts, today)
            reason = _requirement_reason(
                rule, model, count, held_here, facts, day, today, certificate_type.max_validity_months
            )
            if reason is not None:
                reasons.append(reason)
            approval = (rule.certificate_type_id, model_id)
            if not rule.per_shipment and model_id in recorded and approval not in rxswin_seen:
                rxswin = _rxswin_reason(rule, model, count, held_here, recorded[model_id], day)
                if rxswin is not None:
                    rxswin_seen.add(approval)
                    reasons.append(rxswin)
        for rule in applicable:
            starts, day = rule.effective_from, _rule_day(rule, facts, today)
            if day < starts <= day + datetime.timedelta(days=UPCOMING_DAYS) and rule.pk not in upcoming_seen:
                upcoming_seen.add(rule.pk)
                reasons.append(
                    Reason(
                        Code.RULE_UPCOMING,
                        Severity.INFO,
                        f"rule:{rule.pk}",
                        {**_rule_params(rule), "effective_from": starts.isoformat(), "model": model.name},
                    )
                )
    return reasons


def _battery_passport_reasons(
    facts: ShipmentFacts,
    rules: RuleSet,
    vehicles: list[VehicleRow],
    models: dict[int, ModelFacts],
    batteries: tuple[IncompleteBattery, ...],
    today: datetime.date,
) -> list[Reason]:
    """A complete passport for every battery the shipment's vehicles carry (EU, Regulation (EU) 2023/1542 Art. 77):
    with the rule in force on its day, incomplete passports weigh as its effect says (blocks); before its start
    they need a review, with the count, the date and what each battery lacks."""
    reasons = []
    rows = [rule for rule in rules.requirements_for(facts.destination) if getattr(rule, "battery_passports", False)]
    if not rows or not batteries:
        return reasons
    model_of = {row.id: row.model_id for row in vehicles}
    for rule in rows:
        day = _rule_day(rule, facts, today)
        if rule.effective_until is not None and rule.effective_until < day:
            continue
        covered = [
            battery
            for battery in batteries
            if battery.vehicle_id in model_of and rule_applies(rule, models[model_of[battery.vehicle_id]])
        ]
        if not covered:
            continue
        in_force = rule.in_force_on(day)
        if not in_force:
            severity = Severity.REVIEW
        elif rule.effect == RequirementEffect.BLOCK:
            severity = Severity.BLOCK
        elif rule.effect == RequirementEffect.REVIEW:
            severity = Severity.REVIEW
        else:
            severity = Severity.INFO
        shown = sorted(covered, key=lambda battery: battery.identifier)[:BATTERY_SAMPLE]
        params = {
            **_rule_params(rule),
            "count": len(covered),
            "vehicle_count": len({battery.vehicle_id for battery in covered}),
            "effective_from": rule.effective_from.isoformat(),
            "in_force": in_force,
            "day": day.isoformat(),
            "batteries": [
                {"identifier": battery.identifier, "vin": battery.vin, "missing": list(battery.missing)}
                for battery in shown
            ],
        }
        reasons.append(Reason(Code.BATTERY_PASSPORT_INCOMPLETE, severity, f"battery-passport:{rule.pk}", params))
    return reasons


def _hs_starts(hs_code: str, prefixes) -> str | None:
    digits = hs_code.replace(".", "")
    return next((prefix for prefix in prefixes if digits.startswith(prefix.replace(".", ""))), None)


def _hs_coarse(hs_code: str, prefixes) -> str | None:
    """A covered code that the shipment's (shorter) code could be: the declaration is not precise enough to tell."""
    digits = hs_code.replace(".", "")
    return next((prefix for prefix in prefixes if prefix.replace(".", "").startswith(digits)), None)


def _valid_on(item, day: datetime.date) -> bool:
    return item.valid_from <= day <= item.valid_to


def _licence_reason(facts: ShipmentFacts, held: ExportFacts, day: datetime.date, base: dict, key: str):
    destination = facts.destination
    covering = [
        licence
        for licence in held.licences
        if destination in licence.destinations and _hs_starts(facts.hs_code, licence.hs_codes)
    ]
    if any(_valid_on(licence, day) for licence in covering):
        return None
    if covering:
        latest = max(covering, key=lambda licence: licence.valid_to)
        code = Code.LICENCE_EXPIRED if latest.valid_to < day else Code.LICENCE_NOT_YET_VALID
        details = {"number": latest.number, "valid_from": latest.valid_from.isoformat()}
        return Reason(code, Severity.BLOCK, key, {**base, **details, "valid_to": latest.valid_to.isoformat()})
    if held.licences:
        held_scope = [
            {"number": licence.number, "hs_codes": list(licence.hs_codes), "destinations": sorted(licence.destinations)}
            for licence in held.licences
        ]
        return Reason(Code.LICENCE_OUT_OF_SCOPE, Severity.BLOCK, key, {**base, "licences": held_scope})
    return Reason(Code.LICENCE_MISSING, Severity.BLOCK, key, base)


def _model_certificate_reasons(rule, models, counts, certificates, rules: RuleSet, day, base) -> list[Reason]:
    types = {item.code: item for item in rules.certificate_types.values()}
    reasons = []
    for model_id in sorted(counts):
        model = models[model_id]
        for type_code in rule.model_certificates:
            certificate_type = types.get(type_code)
            held = [
                certificate
                for certificate in certificates
                if certificate_type is not None
                and certificate.certificate_type_id == certificate_type.pk
                and model_id in certificate.model_ids
            ]
            valid = [c for c in held if c.valid_from <= day and (c.valid_to is None or c.valid_to >= day)]
            if valid:
                continue
            latest = max(held, key=lambda c: c.valid_to or datetime.date.max) if held else None
            params = {
                **base,
                "model": model.name,
                "model_id": model.id,
                "certificate_type": type_code,
                "certificate_name": certificate_type.name if certificate_type else type_code,
                "number": latest.number if latest else "",
                "valid_to": latest.valid_to.isoformat() if latest and latest.valid_to else "",
            }
            reasons.append(
                Reason(Code.MODEL_CERTIFICATE_MISSING, Severity.BLOCK, f"{base['rule']}:{type_code}:{model_id}", params)
            )
    return reasons


def _export_licence_reasons(
    facts: ShipmentFacts,
    vehicles: list[VehicleRow],
    models: dict[int, ModelFacts],
    counts: dict[int, int],
    certificates: list[CertificateFacts],
    rules: RuleSet,
    held: ExportFacts,
    today: datetime.date,
) -> list[Reason]:
    """The exporting country's licence rules, on the shipping date (blank: today)."""
    day = facts.ships_on or today
    reasons = []
    for rule in rules.export_licence_rules:
        if str(rule.origin) != facts.origin:
            continue
        base = {
            "rule": rule.code,
            "rule_id": rule.pk,
            "rule_name": rule.name,
            "source": rule.source_reference,
            "hs_code": facts.hs_code,
            "destination": facts.destination,
            "ships_on": day.isoformat(),
        }
        key = f"{rule.code}:licence"
        covered = _hs_starts(facts.hs_code, rule.hs_codes)
        coarse = None if covered else _hs_coarse(facts.hs_code, rule.hs_codes)
        if not rule.in_force_on(day):
            if (covered or coarse) and day < rule.effective_from <= day + datetime.timedelta(days=UPCOMING_DAYS):
                params = {**base, "effective_from": rule.effective_from.isoformat()}
                reasons.append(Reason(Code.LICENCE_UPCOMING, Severity.INFO, f"{rule.code}:upcoming", params))
            continue
        if not covered and not coarse:
            outside = _hs_starts(facts.hs_code, rule.outside_hs_codes)
            params = {**base, "covers": list(rule.hs_codes), "why": rule.outside_note if outside else ""}
            reasons.append(Reason(Code.LICENCE_NOT_APPLICABLE, Severity.INFO, f"{rule.code}:outside", params))
            continue
        if coarse:  # the declared code is too short to tell: an officer finds the full code (the rest follows it)
            params = {**base, "covered_code": coarse}
            reasons.append(Reason(Code.LICENCE_HS_UNCLEAR, Severity.REVIEW, f"{rule.code}:hs", params))
            continue
        reason = _licence_reason(facts, held, day, base, key)
        if reason is not None:
            reasons.append(reason)
        if facts.manufacturer:
            wanted = facts.manufacturer.casefold().strip()
            if not any(
                item.manufacturer.casefold().strip() == wanted and _valid_on(item, day) for item in held.authorisations
            ):
                params = {**base, "manufacturer": facts.manufacturer}
                reasons.append(Reason(Code.AUTHORISATION_MISSING, Severity.REVIEW, f"{rule.code}:trader", params))
        reasons += _model_certificate_reasons(rule, models, counts, certificates, rules, day, base)
        if rule.after_sales_outlets and facts.destination not in held.outlet_countries:
            reasons.append(Reason(Code.OUTLET_MISSING, Severity.REVIEW, f"{rule.code}:outlets", base))
        if rule.used_vehicle_days and not facts.after_sales_letter:
            used = [
                row
                for row in vehicles
                if row.registration_date and 0 <= (day - row.registration_date).days < rule.used_vehicle_days
            ]
            if used:
                params = {**base, **_vins(used), "days": rule.used_vehicle_days}
                reasons.append(Reason(Code.USED_LETTER_MISSING, Severity.BLOCK, f"{rule.code}:used", params))
    return reasons


CENT = Decimal("0.01")


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _duty_rows(rules: RuleSet, facts: ShipmentFacts, day: datetime.date, kind: str) -> list:
    markets = set(rules.markets_of(facts.destination))
    return [
        row
        for row in rules.import_duty_rates
        if row.kind == kind
        and row.market in markets
        and (not row.origin or str(row.origin) == facts.origin)
        and _hs_starts(facts.hs_code, [row.hs_code])
        and row.in_force_on(day)
    ]


def _undertaking_reasons(facts, rules, count, day, base) -> tuple[list[Reason], bool]:
    """Whether the shipment keeps its price undertaking (then exempt from countervailing duty), and why not."""
    undertaking = next((u for u in rules.price_undertakings if u.pk == facts.price_undertaking_id), None)
    if undertaking is None:
        return [], False
    words = {
        **base,
        "undertaking_id": undertaking.pk,
        "undertaking": f"{undertaking.producer} {undertaking.model} {undertaking.configuration}",
        "undertaking_source": undertaking.source_reference,
        "minimum_price": str(undertaking.minimum_price),
        "annual_cap": undertaking.annual_cap,
        "used": facts.undertaking_used,
        "vehicle_count": count,
    }
    reasons = []
    if not undertaking.in_force_on(day):
        reasons.append(Reason(Code.UNDERTAKING_NOT_IN_FORCE, Severity.REVIEW, "undertaking:dates", words))
    if facts.invoice_price is not None and facts.invoice_price < undertaking.minimum_price:
        reasons.append(Reason(Code.UNDERTAKING_PRICE_BELOW_MINIMUM, Severity.REVIEW, "undertaking:price", words))
    if facts.undertaking_used + count > undertaking.annual_cap:
        reasons.append(Reason(Code.UNDERTAKING_CAP_EXCEEDED, Severity.REVIEW, "undertaking:cap", words))
    return reasons, not reasons


def _basis(exempt: bool, applied, company, covered: int) -> str:
    if exempt:
        return "undertaking"
    if applied is None or not covered:
        return "none"
    return "company" if applied is company else "residual"


def _duty_reasons(
    facts: ShipmentFacts, rules: RuleSet, vehicles: list[VehicleRow], models: dict[int, ModelFacts]
) -> list[Reason]:
    """The destination's import duties on the invoice value, estimated on the arrival date (customs +
    countervailing: the producer's company rate with the invoice declaration, else the residual rate; none under
    a price undertaking that is kept)."""
    day = facts.expected_arrival
    customs = _duty_rows(rules, facts, day, "customs")
    countervailing = _duty_rows(rules, facts, day, "countervailing")
    if not customs and not countervailing:
        return []
    base = {"hs_code": facts.hs_code, "destination": facts.destination, "arrival": day.isoformat()}
    if facts.invoice_price is None:
        return [Reason(Code.DUTY_PRICE_MISSING, Severity.REVIEW, "duty:price", base)]
    reasons = []
    count = len(vehicles)
    customs_rate = max((row.rate for row in customs), default=Decimal(0))
    excluded = {category for row in countervailing for category in row.excluded_categories}
    covered = sum(1 for row in vehicles if models[row.model_id].category not in excluded)
    residual = next((row for row in countervailing if not row.producer), None)
    company = next(
        (
            row
            for row in countervailing
            if row.producer
            and (
                (facts.taric_additional_code and row.taric_additional_code == facts.taric_additional_code)
                or (facts.producer and row.producer.casefold() == facts.producer.strip().casefold())
            )
        ),
        None,
    )
    applied = company or residual
    if company is not None and company.needs_invoice_declaration and not facts.invoice_declaration:
        params = {
            **base,
            "producer": company.producer,
            "company_rate": str(company.rate),
            "source": company.source_reference,
        }
        params["residual_rate"] = str(residual.rate) if residual else ""
        reasons.append(Reason(Code.DUTY_DECLARATION_MISSING, Severity.REVIEW, "duty:declaration", params))
        applied = residual
    undertaking_reasons, exempt = _undertaking_reasons(facts, rules, count, day, base)
    reasons += undertaking_reasons
    value = _money(facts.invoice_price * count)
    cvd_rate = Decimal(0) if exempt or applied is None else applied.rate
    customs_amount = _money(value * customs_rate / 100)
    cvd_amount = _money(_money(facts.invoice_price * covered) * cvd_rate / 100)
    estimate = {
        **base,
        "vehicle_count": count,
        "countervailing_vehicles": covered,
        "invoice_price": str(facts.invoice_price),
        "invoice_value": str(value),
        "customs_rate": str(customs_rate),
        "customs_amount": str(customs_amount),
        "countervailing_rate": str(cvd_rate),
        "countervailing_amount": str(cvd_amount),
        "countervailing_basis": _basis(exempt, applied, company, covered),
        "producer": applied.producer if applied is not None and applied.producer else "",
        "taric_additional_code": applied.taric_additional_code if applied is not None else "",
        "total": str(customs_amount + cvd_amount),
        "source": (applied or (customs[0] if customs else None)).source_reference if (applied or customs) else "",
    }
    reasons.append(Reason(Code.DUTY_ESTIMATE, Severity.INFO, "duty:estimate", estimate))
    return reasons


def _vehicle_reasons(
    facts: ShipmentFacts,
    vehicles: list[VehicleRow],
    models: dict[int, ModelFacts],
    counts: dict[int, int],
    elsewhere: dict[str, list[str]],
) -> list[Reason]:
    reasons = []
    if not vehicles:
        return [Reason(Code.NO_VEHICLES, Severity.REVIEW, "vehicles", {})]
    # Compared as plain strings: an enum member on the right of == makes each of thousands of comparisons slow.
    exported_status, deregistered_status = VehicleStatus.EXPORTED.value, VehicleStatus.DEREGISTERED.value
    exported = [row for row in vehicles if row.status == exported_status or row.ever_exported]
    if exported:
        reasons.append(Reason(Code.VEHICLE_EXPORTED, Severity.BLOCK, "exported", _vins(exported)))
    deregistered = [row for row in vehicles if row.status == deregistered_status]
    if deregistered:
        reasons.append(Reason(Code.VEHICLE_DEREGISTERED, Severity.BLOCK, "deregistered", _vins(deregistered)))
    if elsewhere:
        others = sorted({label for labels in elsewhere.values() for label in labels})
        reasons.append(
            Reason(
                Code.VEHICLE_ON_OTHER_SHIPMENT,
                Severity.REVIEW,
                "elsewhere",
                {"count": len(elsewhere), "vins": sorted(elsewhere)[:VIN_SAMPLE], "shipments": others[:VIN_SAMPLE]},
            )
        )
    for model_id in sorted(counts):
        model = models[model_id]
        # The shipment may declare the code in more detail (8703.80.10.90 for a model registered as 8703.80).
        if model.hs_code and not _hs_starts(facts.hs_code, [model.hs_code.replace(" ", "")]):
            reasons.append(
                Reason(
                    Code.HS_CODE_MISMATCH,
                    Severity.REVIEW,
                    f"hs:{model_id}",
                    {"model": model.name, "model_hs_code": model.hs_code, "hs_code": facts.hs_code},
                )
            )
    return reasons


def _party_reasons(facts: ShipmentFacts, rules: RuleSet, screening: ScreeningIndex, thresholds: dict) -> list[Reason]:
    reasons = []
    arrival = facts.expected_arrival
    for code, country in ((Code.EMBARGO, facts.destination), (Code.EMBARGO_CONSIGNEE, facts.consignee_country)):
        if code == Code.EMBARGO_CONSIGNEE and country == facts.destination:
            continue
        for embargo in rules.embargoes_for(country, on=arrival):
            severity = Severity.BLOCK if embargo.severity == EmbargoSeverity.FULL else Severity.REVIEW
            reasons.append(
                Reason(
                    code,
                    severity,
                    f"embargo:{embargo.pk}",
                    {
                        "country": country,
                        "embargo_id": embargo.pk,
                        "embargo": embargo.severity,
                        "source": embargo.source_reference,
                        "note": embargo.note,
                        "since": embargo.effective_from.isoformat(),
                    },
                )
            )
    for hit in screening.screen(
        facts.consignee_name, country=facts.consignee_country, review_score=thresholds["REVIEW_SCORE"]
    ):
        blocks = hit.score >= thresholds["BLOCK_SCORE"] and hit.country_agrees
        reasons.append(
            Reason(
                Code.SCREENING,
                Severity.BLOCK if blocks else Severity.REVIEW,
                f"party:{hit.entry.id}",
                {
                    **hit.as_dict(),
                    "consignee": facts.consignee_name,
                    "review_score": thresholds["REVIEW_SCORE"],
                    "block_score": thresholds["BLOCK_SCORE"],
                },
            )
        )
    return reasons


SEVERITY_ORDER = {Severity.BLOCK: 0, Severity.REVIEW: 1, Severity.INFO: 2}


def evaluate(
    *,
    facts: ShipmentFacts,
    vehicles: list[VehicleRow],
    models: dict[int, ModelFacts],
    certificates: list[CertificateFacts],
    elsewhere: dict[str, list[str]],
    rules: RuleSet,
    screening: ScreeningIndex,
    thresholds: dict,
    today: datetime.date,
    export_facts: ExportFacts = NO_EXPORT_FACTS,
    batteries: tuple[IncompleteBattery, ...] = (),
    rxswins: dict[int, str] | None = None,
) -> Outcome:
    """Every reason, then the verdict: blocked if any reason blocks, needs review if any needs review.

    `batteries`: the incomplete battery passports of the shipment's vehicles (complete ones are not passed).
    `rxswins`: vehicle id → its recorded RXSWIN (UN R156), for the vehicles that have one; read only when a
    certificate of the shipment's models lists RXSWINs."""
    counts: dict[int, int] = defaultdict(int)
    for row in vehicles:
        counts[row.model_id] += 1
    recorded: dict[int, list[tuple[str, str]]] = defaultdict(list)
    if rxswins:
        for row in vehicles:
            rxswin = rxswins.get(row.id)
            if rxswin:
                recorded[row.model_id].append((row.vin, rxswin))
    reasons = _party_reasons(facts, rules, screening, thresholds)
    reasons += _vehicle_reasons(facts, vehicles, models, counts, elsewhere)
    reasons += _certificate_reasons(facts, rules, models, counts, certificates, today, recorded)
    reasons += _battery_passport_reasons(facts, rules, vehicles, models, batteries, today)
    reasons += _export_licence_reasons(facts, vehicles, models, counts, certificates, rules, export_facts, today)
    reasons += _duty_reasons(facts, rules, vehicles, models)
    if facts.expected_arrival < today:
        reasons.append(
            Reason(Code.ARRIVAL_IN_PAST, Severity.REVIEW, "arrival", {"arrival": facts.expected_arrival.isoformat()})
        )
    reasons.sort(key=lambda reason: SEVERITY_ORDER[reason.severity])
    severities = {reason.severity for reason in reasons}
    if Severity.BLOCK in severities:
        verdict = Verdict.BLOCKED
    elif Severity.REVIEW in severities:
        verdict = Verdict.NEEDS_REVIEW
    else:
        verdict = Verdict.CLEARED
    return Outcome(verdict=verdict, reasons=reasons)
