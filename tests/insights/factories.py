"""Statistics test data: raw rows in partner schemas (ORM, fast), and the facts and cells recomputed in Python.

The rows are written straight through the ORM so a test can choose every date (a check's `checked_at`, a
shipment's `shipped_at`); the change-capture triggers fire for them as for any other write. `facts_expected`
recomputes every partner measure from the raw rows, independently of the measures' SQL.
"""

import datetime
import itertools
import re
from collections import defaultdict
from decimal import Decimal

from django_tenants.utils import schema_context

from portal.batteries.models import Battery, BatteryModel
from portal.collaboration.models import Transition
from portal.compliance.models import Certificate, Shipment, ShipmentCheck, ShipmentVehicle
from portal.insights.capture.models import Mark
from portal.insights.choices import Breakdown
from portal.insights.measures import STORED_MEASURES
from portal.insights.models import Cell, Fact
from portal.reference.models import CertificateType
from portal.supply.models import SupplyReport
from portal.vehicles.models import Vehicle, VehicleModel
from tenants.models import Partner

from ..factories import provision_partner
from ..vehicles.factories import vin_for

UTC = datetime.UTC
_names = itertools.count(1)
_serials = itertools.count(500_000)
_numbers = itertools.count(1)

# The measures with facts and cells of their own (a percentage like the local supply rate is computed on read).
MEASURES = {measure.code: measure for measure in STORED_MEASURES}


def partner_make(slug: str, **fields) -> Partner:
    """A third (fourth, …) real partner with its own schema, cloned from the template (rolled back with the test)."""
    fields.setdefault("kind", "component_supplier")
    fields.setdefault("country", "TH")
    return provision_partner(slug, **fields)


def month(year: int, number: int) -> datetime.date:
    return datetime.date(year, number, 1)


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    """A UTC moment on `day`."""
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def utc_month(moment: datetime.datetime) -> datetime.date:
    return moment.astimezone(UTC).date().replace(day=1)


# ---------------------------------------------------------------- raw rows (in the partner's schema)


def model_row(partner, category: str = "L3e") -> VehicleModel:
    with schema_context(partner.schema_name):
        return VehicleModel.objects.create(
            name=f"Stats model {next(_names)}",
            category=category,
            battery_chemistry="LFP",
            battery_kwh=Decimal("4.00"),
            hs_code="8711.60",
        )


def vehicle_row(partner, model, production_date, registration_date=None, country: str = "") -> Vehicle:
    with schema_context(partner.schema_name):
        return Vehicle.objects.create(
            vin=vin_for("LST", next(_serials)),
            model=model,
            production_date=production_date,
            registration_date=registration_date,
            registration_country=country,
        )


def shipment_row(partner, vehicles=(), *, destination="HU", shipped_at=None, status=None) -> Shipment:
    """A shipment with its vehicles; shipped when `shipped_at` is given, open otherwise (unless `status` says)."""
    with schema_context(partner.schema_name):
        shipment = Shipment.objects.create(
            destination=destination,
            consignee_name="Test importer",
            consignee_country=destination,
            incoterm="DAP",
            hs_code="8711.60",
            expected_arrival=datetime.date(2025, 12, 1),
            status=status or ("shipped" if shipped_at else "open"),
            shipped_at=shipped_at,
            vehicle_count=len(vehicles),
        )
        ShipmentVehicle.objects.bulk_create([ShipmentVehicle(shipment=shipment, vehicle=v) for v in vehicles])
        return shipment


def check_row(partner, shipment, *, verdict: str, checked_at, reasons=(), released: bool = False) -> ShipmentCheck:
    """A stored check (`released`: compliance officers released it); `reasons` as (code, severity) pairs."""
    with schema_context(partner.schema_name):
        check = ShipmentCheck.objects.create(
            shipment=shipment,
            verdict=verdict,
            reasons=[{"code": code, "severity": severity, "key": code} for code, severity in reasons],
            rules_version=1,
            screening_version=1,
            checked_on=checked_at.date(),
            expected_arrival=shipment.expected_arrival,
            destination=shipment.destination,
            consignee_name=shipment.consignee_name,
            released=released,
        )
        ShipmentCheck.objects.filter(pk=check.pk).update(checked_at=checked_at)  # auto_now_add: set it after
        check.checked_at = checked_at
        return check


def certificate_row(partner, code: str, valid_to) -> Certificate:
    with schema_context(partner.schema_name):
        return Certificate.objects.create(
            certificate_type=CertificateType.objects.get(code=code),
            number=f"STAT-{next(_numbers):05d}",
            issuing_body="Test authority",
            valid_from=datetime.date(2023, 1, 1),
            valid_to=valid_to,
        )


def supply_row(partner, when, total, local) -> SupplyReport:
    with schema_context(partner.schema_name):
        return SupplyReport.objects.create(month=when, total_value=Decimal(total), local_value=Decimal(local))


def battery_model_row(partner, category: str = "LMT", chemistry: str = "NMC", **values) -> BatteryModel:
    """A battery model with these passport values (attribute id → value)."""
    with schema_context(partner.schema_name):
        return BatteryModel.objects.create(
            code=f"STAT-BM-{next(_numbers)}", name="Stats pack", category=category, chemistry=chemistry, values=values
        )


def battery_row(partner, model, created: datetime.datetime, **values) -> Battery:
    """A battery of the model registered at `created` (a UTC moment), with its own passport values."""
    with schema_context(partner.schema_name):
        battery = Battery.objects.create(
            identifier=f"STAT{next(_serials):09d}", category=model.category, battery_model=model, values=values
        )
        Battery.objects.filter(pk=battery.pk).update(created_at=created)  # auto_now_add: set it after
        battery.created_at = created
        return battery


# ---------------------------------------------------------------- reading the pipeline's tables


def facts(**filters) -> dict:
    """(measure, period, d1, d2, partner id) → value of the stored facts."""
    rows = Fact.objects.filter(**filters).values_list("measure", "period", "d1", "d2", "partner_id", "value")
    return {tuple(row[:5]): row[5] for row in rows}


def cells(**filters) -> dict:
    """(measure, breakdown, period, key) → value of the stored cells."""
    rows = Cell.objects.filter(**filters).values_list("measure", "breakdown", "period", "key", "value")
    return {tuple(row[:4]): row[4] for row in rows}


def _partner_schemas(schema_name: str | None) -> list[str]:
    if schema_name is not None:
        return [schema_name]
    return list(Partner.objects.members().values_list("schema_name", flat=True))


def dirty(schema_name: str | None = None) -> set:
    """(schema, source, month) of the pending marks (of one partner schema, or of every partner's)."""
    found = set()
    for schema in _partner_schemas(schema_name):
        with schema_context(schema):
            found |= {(schema, source, month) for source, month in Mark.objects.values_list("source", "month")}
    return found


def dirty_clear(schema_name: str | None = None) -> None:
    """Delete the pending marks (of one partner schema, or of every partner's)."""
    for schema in _partner_schemas(schema_name):
        with schema_context(schema):
            Mark.objects.all().delete()


def mark_add(schema_name: str, source: str, month: datetime.date) -> None:
    """A mark as a trigger would leave it, without a write."""
    with schema_context(schema_name):
        Mark.objects.get_or_create(source=source, month=month)


# ---------------------------------------------------------------- the same figures, recomputed in Python

SHARE = re.compile(r"^ *([0-9]+(?:[.,][0-9]+)?) *%? *$")
CLASS = re.compile(r"^ *(?:CLASS *)?([A-Z]) *$")
MATERIALS = ("cobalt", "lithium", "nickel", "lead")


def _share(value) -> Decimal | None:
    found = SHARE.match(str(value)) if value is not None else None
    return Decimal(found.group(1).replace(",", ".")) if found else None


def recycled_band(pre, post) -> str:
    """The band of a material's pre- plus post-consumer share, as docs/insights.md defines them."""
    shares = [share for share in (_share(pre), _share(post)) if share is not None]
    if not shares or sum(shares) > 100:
        return "none"
    total = sum(shares)
    if total == 0:
        return "0"
    for band, upper in (("0-5", 5), ("5-10", 10), ("10-20", 20), ("20-50", 50)):
        if total < upper:
            return band
    return "50-100"


def carbon_class(value) -> str:
    if value is None or not str(value).strip():
        return "none"
    found = CLASS.match(str(value).upper())
    return found.group(1) if found else "other"


def battery_facts(partner) -> dict:
    """(measure, month, d1, d2) → count of the partner's batteries, from their passport values."""
    counts: dict = defaultdict(Decimal)
    with schema_context(partner.schema_name):
        for battery in Battery.objects.select_related("battery_model"):
            values = {**battery.battery_model.values, **battery.values}
            period = utc_month(battery.created_at)
            counts[("batteries", period, battery.category, battery.battery_model.chemistry)] += 1
            counts[
                ("battery_carbon_class", period, carbon_class(values.get("carbon_footprint_performance_class")), "")
            ] += 1
            for material in MATERIALS:
                pre = values.get(f"pre_consumer_recycled_{material}_share")
                post = values.get(f"post_consumer_recycled_{material}_share")
                counts[(f"battery_recycled_{material}", period, recycled_band(pre, post), "")] += 1
    return dict(counts)


def _partner_facts(partner) -> dict:
    counts: dict = defaultdict(Decimal)
    shipments_of: dict = defaultdict(set)
    with schema_context(partner.schema_name):
        for vehicle in Vehicle.objects.select_related("model"):
            category = vehicle.model.category
            counts[("production", vehicle.production_date.replace(day=1), category, "")] += 1
            if vehicle.registration_date and vehicle.registration_country:
                key = (
                    "registrations",
                    vehicle.registration_date.replace(day=1),
                    category,
                    vehicle.registration_country,
                )
                counts[key] += 1
        items = ShipmentVehicle.objects.select_related("shipment", "vehicle__model")
        for item in items.filter(shipment__status="shipped", shipment__shipped_at__isnull=False):
            shipment = item.shipment
            key = ("exports", utc_month(shipment.shipped_at), str(shipment.destination), item.vehicle.model.category)
            counts[key] += 1
        for check in ShipmentCheck.objects.filter(released=True):
            shipments_of[("shipments_released", utc_month(check.checked_at), "", "")].add(check.shipment_id)
        for check in ShipmentCheck.objects.filter(verdict="blocked", released=False):
            period = utc_month(check.checked_at)
            shipments_of[("shipments_blocked", period, "", "")].add(check.shipment_id)
            for reason in check.reasons:
                if reason.get("severity") == "block":
                    shipments_of[("block_reasons", period, reason["code"], "")].add(check.shipment_id)
        for certificate in Certificate.objects.filter(valid_to__isnull=False).select_related("certificate_type"):
            counts[
                ("certificates_expiring", certificate.valid_to.replace(day=1), certificate.certificate_type.code, "")
            ] += 1
        for report in SupplyReport.objects.all():
            counts[("supply_total", report.month, "", "")] += report.total_value
            counts[("supply_local", report.month, "", "")] += report.local_value
    for key, shipment_ids in shipments_of.items():
        counts[key] = Decimal(len(shipment_ids))
    counts.update(battery_facts(partner))
    return {(*key, partner.pk): value for key, value in counts.items() if value}


def project_facts_expected() -> dict:
    """project_stage_entries: distinct projects entering each stage per month, by owner."""
    projects: dict = defaultdict(set)
    for transition in Transition.objects.select_related("project"):
        key = ("project_stage_entries", utc_month(transition.at), transition.to_stage, "", transition.project.owner_id)
        projects[key].add(transition.project_id)
    return {key: Decimal(len(ids)) for key, ids in projects.items()}


def facts_expected(partners) -> dict:
    """Every fact a full run must store for these partners, from their raw rows (and the public projects)."""
    expected: dict = {}
    for partner in partners:
        expected.update(_partner_facts(partner))
    expected.update(project_facts_expected())
    return expected


def cells_expected(fact_rows: dict) -> dict:
    """(measure, breakdown, period, key) → sum of the facts, for every breakdown of every measure."""
    partners = {partner.pk: partner for partner in Partner.objects.all()}
    sums: dict = defaultdict(Decimal)
    for (code, period, d1, d2, partner_id), value in fact_rows.items():
        measure = MEASURES[code]
        for breakdown in measure.breakdowns:
            if breakdown == Breakdown.TOTAL:
                key = ""
            elif breakdown == Breakdown.KIND:
                key = partners[partner_id].kind
            elif breakdown == Breakdown.COUNTRY:
                key = str(partners[partner_id].country)
            else:
                key = {"d1": d1, "d2": d2}[measure.dimensions[breakdown]]
            sums[(code, breakdown, period, key)] += value
    return dict(sums)
