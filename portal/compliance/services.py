"""Writes of export compliance: certificates, shipments and their vehicles, the check, overrides and shipping.

`shipment_check` is the one check: the pages, the API and the re-check job all call it.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit.choices import AuditAction
from portal.audit.services import audit_record
from portal.integrations.models import WebhookEvent
from portal.integrations.webhooks import webhook_event_emit_here
from portal.reference.models import CertificateType
from portal.reference.selectors import rule_set_as_of, rule_set_current, screened_parties_as_of
from portal.vehicles.choices import ChangeSource, VehicleStatus
from portal.vehicles.models import Vehicle, VehicleStatusChange
from portal.vehicles.services import vehicles_export
from tenants.choices import Role
from tenants.models import Membership, User

from . import selectors
from .choices import ShipmentStatus, Trigger, Verdict
from .models import Certificate, Shipment, ShipmentCheck, ShipmentOverride, ShipmentVehicle
from .screening import index_from_parties, index_get, thresholds
from .verdict import Outcome, ShipmentFacts, evaluate

MAX_CERTIFICATE_BYTES = 10 * 1024 * 1024
CERTIFICATE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/webp", "image/tiff"}
MAX_VEHICLES_PER_CALL = 50_000
MIN_OVERRIDE_REASON = 20
VIN_PATTERN = re.compile(r"\b[A-HJ-NPR-Z0-9]{17}\b")
ELIGIBLE_STATUSES = (VehicleStatus.PRODUCED, VehicleStatus.REGISTERED)
SHIPMENT_FIELDS = (
    "reference",
    "destination",
    "consignee_name",
    "consignee_address",
    "consignee_country",
    "incoterm",
    "hs_code",
    "expected_arrival",
)


def _person(user) -> User | None:
    return user if getattr(user, "pk", None) is not None and isinstance(user, User) else None


# --- certificates ---------------------------------------------------------------------------------------------


def certificate_file_validate(file) -> str:
    """The document's real content type, sniffed from its bytes (the name and the browser's word are not trusted)."""
    limit = getattr(settings, "COMPLIANCE_CERTIFICATE_MAX_BYTES", MAX_CERTIFICATE_BYTES)
    if file.size > limit:
        raise ValidationError({"file": _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}})
    if file.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    file.seek(0)
    head = file.read(512)
    file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in CERTIFICATE_TYPES:
        raise ValidationError({"file": _("Only PDF documents and images (PNG, JPEG, WebP, TIFF) are accepted.")})
    return kind.mime


def _certificate_clean(certificate: Certificate, vehicle_models) -> None:
    errors = {}
    if certificate.valid_to and certificate.valid_to < certificate.valid_from:
        errors["valid_to"] = _("A certificate cannot expire before it is valid.")
    if not list(vehicle_models):
        errors["vehicle_models"] = _("Choose the vehicle models the certificate covers.")
    max_months = certificate.certificate_type.max_validity_months
    if max_months and certificate.valid_to is None:
        errors["valid_to"] = _("A %(type)s expires: give the date.") % {"type": certificate.certificate_type.name}
    if errors:
        raise ValidationError(errors)
    certificate.full_clean(exclude=["file", "vehicle_models"])


def _attach(certificate: Certificate, file) -> None:
    certificate.content_type = certificate_file_validate(file)
    certificate.file_name = (getattr(file, "name", "") or "certificate").rsplit("/", 1)[-1][:200]
    certificate.size = file.size
    certificate.file.save(certificate.file_name, file, save=False)


@transaction.atomic
def certificate_create(
    *,
    certificate_type: CertificateType,
    number: str,
    issuing_body: str,
    vehicle_models,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    file=None,
    note: str = "",
    user=None,
) -> Certificate:
    """Add a certificate of the partner, with its document when given."""
    vehicle_models = list(vehicle_models)
    certificate = Certificate(
        certificate_type=certificate_type,
        number=number.strip(),
        issuing_body=issuing_body.strip(),
        valid_from=valid_from,
        valid_to=valid_to,
        note=(note or "").strip(),
        uploaded_by=_person(user),
    )
    _certificate_clean(certificate, vehicle_models)
    if file is not None:
        _attach(certificate, file)
    certificate.save()
    certificate.vehicle_models.set(vehicle_models)
    return certificate


CERTIFICATE_FIELDS = ("certificate_type", "number", "issuing_body", "valid_from", "valid_to", "note")


@transaction.atomic
def certificate_update(
    *, certificate: Certificate, vehicle_models=None, file=None, user=None, **changes
) -> Certificate:
    """Change a certificate (a renewal is a new validity and document); its expiry warnings start again."""
    unknown = set(changes) - set(CERTIFICATE_FIELDS)
    if unknown:
        raise TypeError(f"certificate_update: unknown fields {sorted(unknown)}")
    for name, value in changes.items():
        setattr(certificate, name, value.strip() if isinstance(value, str) else value)
    models = list(vehicle_models) if vehicle_models is not None else list(certificate.vehicle_models.all())
    _certificate_clean(certificate, models)
    if file is not None:
        old = certificate.file.name
        _attach(certificate, file)
        if old:
            transaction.on_commit(lambda: certificate.file.storage.delete(old))
        certificate.uploaded_by = _person(user) or certificate.uploaded_by
    certificate.save()
    certificate.vehicle_models.set(models)
    return certificate


# --- shipments ------------------------------------------------------------------------------------------------


def _shipment_open(shipment: Shipment) -> None:
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
    shipment = Shipment(**fields, created_by=_person(user))
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
    _shipment_open(shipment)
    for name, value in changes.items():
        setattr(shipment, name, value)
    _shipment_clean(shipment)
    shipment.save()
    shipment_check(shipment=shipment, user=user, trigger=trigger)
    return shipment


def vins_from_text(text: str) -> list[str]:
    """Every VIN-shaped token of a text (one per line, comma-separated, anything), upper-cased, in order, once."""
    return list(dict.fromkeys(VIN_PATTERN.findall((text or "").upper())))


def vins_from_file(file) -> list[str]:
    """The VINs of an uploaded CSV, TXT or XLSX file (any column; each VIN once)."""
    head = file.read(8)
    file.seek(0)
    if head.startswith(b"PK\x03\x04"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(file, read_only=True, data_only=True)
        except Exception as error:
            raise ValidationError({"file": _("The XLSX file cannot be read.")}) from error
        cells = (
            str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value
        )
        return vins_from_text("\n".join(cells))
    raw = file.read(MAX_VEHICLES_PER_CALL * 40)
    for encoding in ("utf-8-sig", "utf-16", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError({"file": _("The file is not a text, CSV or XLSX file.")})
    if "\x00" in text:
        raise ValidationError({"file": _("The file is not a text, CSV or XLSX file.")})
    # csv is only used to split cells; VINs are then found in every cell.
    cells = (cell for row in csv.reader(io.StringIO(text), delimiter=_delimiter(text)) for cell in row)
    return vins_from_text("\n".join(cells))


def _delimiter(text: str) -> str:
    try:
        return csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


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
    _shipment_open(shipment)
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
    _shipment_open(shipment)
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
    _shipment_open(shipment)
    vins = [vin.strip().upper() for vin in vins if vin and vin.strip()]
    removed, _detail = ShipmentVehicle.objects.filter(shipment=shipment, vehicle__vin__in=vins).delete()
    shipment.vehicle_count = ShipmentVehicle.objects.filter(shipment=shipment).count()
    shipment.save(update_fields=["vehicle_count", "updated_at"])
    shipment_check(shipment=shipment, user=user, trigger=trigger)
    return removed


# --- the check ------------------------------------------------------------------------------------------------


def _facts(shipment: Shipment) -> ShipmentFacts:
    return ShipmentFacts(
        destination=str(shipment.destination),
        consignee_name=shipment.consignee_name,
        consignee_country=str(shipment.consignee_country),
        hs_code=shipment.hs_code,
        expected_arrival=shipment.expected_arrival,
    )


def shipment_evaluate(*, shipment: Shipment, rules=None, screening=None, today=None, limits=None) -> Outcome:
    """The verdict of a shipment now (or with given tables, to reproduce a stored check), without storing it."""
    rules = rule_set_current() if rules is None else rules
    screening = index_get(version=rules.versions["screening"]) if screening is None else screening
    vehicles = selectors.check_vehicle_rows(shipment=shipment)
    model_ids = {row.model_id for row in vehicles}
    return evaluate(
        facts=_facts(shipment),
        vehicles=vehicles,
        models=selectors.check_models(model_ids=model_ids),
        certificates=selectors.check_certificates(model_ids=model_ids) if model_ids else [],
        elsewhere=selectors.check_vehicles_elsewhere(shipment=shipment) if vehicles else {},
        rules=rules,
        screening=screening,
        thresholds=limits or thresholds(),
        today=today or timezone.localdate(),
    )


def shipment_check(
    *, shipment: Shipment, user=None, trigger: str = Trigger.MANUAL, today: datetime.date | None = None
) -> ShipmentCheck:
    """Check the shipment, store the verdict with every reason and the table versions, and tell webhooks."""
    started = time.perf_counter()
    today = today or timezone.localdate()
    rules = rule_set_current()
    limits = thresholds()
    outcome = shipment_evaluate(shipment=shipment, rules=rules, today=today, limits=limits)
    with transaction.atomic():
        previous, previous_check_id = shipment.verdict, shipment.latest_check_id
        check = ShipmentCheck.objects.create(
            shipment=shipment,
            verdict=outcome.verdict,
            reasons=outcome.reasons_as_dicts(),
            rules_version=rules.rules_version,
            screening_version=rules.versions["screening"],
            versions=rules.versions,
            thresholds=limits,
            checked_on=today,
            expected_arrival=shipment.expected_arrival,
            destination=str(shipment.destination),
            consignee_name=shipment.consignee_name,
            vehicle_count=shipment.vehicle_count,
            trigger=trigger,
            checked_by=_person(user),
            duration_ms=int((time.perf_counter() - started) * 1000),
        )
        Shipment.objects.filter(pk=shipment.pk).update(verdict=outcome.verdict, latest_check=check)
        shipment.verdict, shipment.latest_check = outcome.verdict, check
        if previous_check_id is not None and outcome.verdict != Verdict.CLEARED:
            _override_carry(shipment=shipment, previous_check_id=previous_check_id, check=check)
        _verdict_event(
            shipment,
            check,
            previous_verdict=previous or None,
            reasons=[{"code": r.code, "severity": r.severity, "key": r.key} for r in outcome.reasons],
            rules_version=check.rules_version,
            screening_version=check.screening_version,
            trigger=trigger,
        )
    return check


def _verdict_event(shipment: Shipment, check: ShipmentCheck, **details) -> None:
    """The `compliance.verdict` webhook event of a check (or of its release)."""
    data = {"shipment": shipment.pk, "reference": shipment.reference, "check": check.pk, "verdict": check.verdict}
    webhook_event_emit_here(event=WebhookEvent.COMPLIANCE_VERDICT, data={**data, **details})


def release_keys(check: ShipmentCheck) -> list[str]:
    """The keys of the reasons a release of this check covers (every reason but the notes)."""
    return [item["key"] for item in check.reasons if item["severity"] != "info"]


def _override_carry(*, shipment: Shipment, previous_check_id: int, check: ShipmentCheck) -> None:
    """An officer's release stays with the shipment while a new check raises nothing the officer did not release."""
    override = shipment.overrides.filter(check_run_id=previous_check_id).order_by("-created_at").first()
    if override is not None and set(release_keys(check)) <= set(override.reason_codes):
        ShipmentOverride.objects.create(
            shipment=shipment,
            check_run=check,
            verdict=check.verdict,
            reason_codes=override.reason_codes,
            reason=override.reason,
            officer=override.officer,
            officer_email=override.officer_email,
        )


def check_reproduce(*, check: ShipmentCheck) -> Outcome:
    """Run a stored check again with the rule tables and screening list exactly as they were (from their history).

    The shipment's vehicles and certificates are read as they are now; on an unchanged shipment the outcome
    equals the stored one.
    """
    rules = rule_set_as_of(check.versions)
    version = check.versions.get("screening", check.screening_version)
    screening = index_from_parties(screened_parties_as_of(version), version=version)
    shipment = Shipment(
        pk=check.shipment_id,
        destination=check.destination,
        consignee_name=check.consignee_name,
        consignee_country=check.shipment.consignee_country,
        hs_code=check.shipment.hs_code,
        expected_arrival=check.expected_arrival,
    )
    return shipment_evaluate(
        shipment=shipment, rules=rules, screening=screening, today=check.checked_on, limits=check.thresholds
    )


# --- releasing and shipping -----------------------------------------------------------------------------------


def officer_check(*, membership: Membership | None) -> None:
    """Only a compliance officer (a member with the flag) may release a shipment."""
    if membership is None or not membership.is_compliance_officer or not membership.has_role(Role.MEMBER):
        raise PermissionDenied(_("Only a compliance officer may override a verdict."))


@transaction.atomic
def shipment_override(*, shipment: Shipment, membership: Membership | None, user, reason: str) -> ShipmentOverride:
    """A compliance officer releases the latest blocked or needs-review check, with a written reason (audited)."""
    officer_check(membership=membership)
    shipment = Shipment.objects.select_for_update(of=("self",)).select_related("latest_check").get(pk=shipment.pk)
    _shipment_open(shipment)
    reason = (reason or "").strip()
    if len(reason) < MIN_OVERRIDE_REASON:
        raise ValidationError(
            {"reason": _("Explain the override in at least %(count)d characters.") % {"count": MIN_OVERRIDE_REASON}}
        )
    check = shipment.latest_check
    if check is None or check.verdict == Verdict.CLEARED:
        raise ValidationError(_("Only a blocked or needs-review verdict can be overridden."))
    override = ShipmentOverride.objects.create(
        shipment=shipment,
        check_run=check,
        verdict=check.verdict,
        reason_codes=release_keys(check),
        reason=reason,
        officer=user,
        officer_email=user.email,
    )
    _verdict_event(shipment, check, overridden=True, officer=user.email)
    audit_record(
        action=AuditAction.COMPLIANCE_OVERRIDE,
        actor=user,
        partner=membership.partner if membership is not None else None,
        target=shipment,
        details={"reason": reason, "verdict": check.verdict, "reasons": list(override.reason_codes)},
    )
    return override


def shipment_may_ship(*, shipment: Shipment) -> bool:
    """Cleared, or its latest check released by a compliance officer."""
    if shipment.status != ShipmentStatus.OPEN or shipment.latest_check_id is None or not shipment.vehicle_count:
        return False
    if shipment.verdict == Verdict.CLEARED:
        return True
    return selectors.shipment_override_current(shipment=shipment) is not None


def shipment_ship(*, shipment: Shipment, user=None, source: str = ChangeSource.WEB, today=None) -> Shipment:
    """Mark the shipment shipped: checked once more now (kept), then its vehicles become exported (vehicle services)."""
    _shipment_open(shipment)
    trigger = Trigger.API if source == ChangeSource.API else Trigger.MANUAL
    shipment_check(shipment=shipment, user=user, trigger=trigger, today=today)
    with transaction.atomic():
        return _ship(Shipment.objects.select_for_update().get(pk=shipment.pk), user=user, source=source)


def _ship(shipment: Shipment, *, user, source: str) -> Shipment:
    _shipment_open(shipment)
    if not shipment_may_ship(shipment=shipment):
        raise ValidationError(_("Only a cleared shipment, or one a compliance officer released, can be shipped."))
    vehicle_ids = list(ShipmentVehicle.objects.filter(shipment=shipment).values_list("vehicle_id", flat=True))
    vehicles_export(
        vehicle_ids=vehicle_ids,
        user=_person(user),
        source=source,
        note=_("Shipped on %(reference)s to %(country)s")
        % {"reference": shipment.label, "country": shipment.destination},
    )
    shipment.status = ShipmentStatus.SHIPPED
    shipment.shipped_at = timezone.now()
    shipment.shipped_by = _person(user)
    shipment.save(update_fields=["status", "shipped_at", "shipped_by", "updated_at"])
    return shipment


@transaction.atomic
def shipment_cancel(*, shipment: Shipment, user=None) -> Shipment:
    """Cancel an open shipment (its vehicles are free for another)."""
    shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
    _shipment_open(shipment)
    shipment.status = ShipmentStatus.CANCELLED
    shipment.save(update_fields=["status", "updated_at"])
    return shipment
