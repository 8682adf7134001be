"""Demo vehicle registry: vehicle models and a few hundred vehicles with valid VINs and a status history."""

import datetime
import random

from django.db.models import Count
from django_tenants.utils import schema_context

from tenants.models import User

from .choices import ChangeSource, VehicleStatus
from .importing import demo as importing_demo
from .models import Vehicle, VehicleModel, VehicleStatusChange
from .services import vehicle_model_create, vehicle_register, vehicle_status_change, vehicles_export
from .vin import check_digit, wmi_owner_map

MODELS = {
    "cq-thunder": [
        # (name, category, chemistry, kWh, range km, connectivity, HS code, VDS code)
        ("Thunder T3 Pro", "L3e", "NMC", "4.32", 130, ["4G", "GNSS", "OTA"], "8711.60", "T3P1A"),
        ("Thunder T5 Sport", "L3e", "NMC", "7.20", 180, ["4G", "5G", "GNSS", "OTA", "V2X"], "8711.60", "T5S1A"),
        ("Thunder S1 City", "L1e", "LFP", "1.44", 65, ["4G", "GNSS", "BATTERY_SWAP"], "8711.60", "S1C1B"),
        ("Thunder E-Bike 250", "EPAC", "NMC", "0.50", 80, ["GNSS"], "8711.60", "EB2E0"),
    ],
    "siam-ebike": [
        ("Siam Cruiser 250", "EPAC", "NMC", "0.54", 90, ["GNSS"], "8711.60", "CR25E"),
        ("Siam Cargo 250", "EPAC", "LFP", "0.72", 70, ["GNSS", "AIOT"], "8711.60", "CG25E"),
    ],
}
# slug → (WMI, plant letter, small-maker code, how many vehicles, default market, plant name, where it registers)
FLEETS = {
    "cq-thunder": (
        "LCT",
        "B",
        "",
        240,
        "CN",
        "Banan plant, Chongqing",
        [("CN", "Chongqing"), ("CN", "Sichuan"), ("CN", "Guangdong")],
    ),
    "siam-ebike": ("MS9", "A", "SEB", 60, "TH", "Ayutthaya plant", [("TH", "Bangkok"), ("TH", "Chiang Mai")]),
}
EXPORT_COUNTRIES = [("HU", "Budapest"), ("SA", "Riyadh"), ("VN", "Hanoi"), ("TH", "Bangkok")]
YEAR_CHARS = {2023: "P", 2024: "R", 2025: "S", 2026: "T", 2027: "V", 2028: "W", 2029: "X", 2030: "Y"}


def demo_vin(wmi: str, vds: str, year: int, plant: str, serial: int, small_maker_code: str = "") -> str:
    """A VIN with the computed check digit; small makers carry their code in positions 12–14."""
    tail = f"{small_maker_code}{serial:03d}" if small_maker_code else f"{serial:06d}"
    body = f"{wmi}{vds}0{YEAR_CHARS[year]}{plant}{tail}"
    return body[:8] + check_digit(body) + body[9:]


def models_ensure(specs: list) -> list[tuple[VehicleModel, str]]:
    """The current partner's vehicle models named in `specs` (created when missing), each with its VDS code."""
    found = {model.name: model for model in VehicleModel.objects.all()}
    models = []
    for name, category, chemistry, kwh, range_km, connectivity, hs_code, vds in specs:
        model = found.get(name) or vehicle_model_create(
            name=name,
            category=category,
            battery_chemistry=chemistry,
            battery_kwh=kwh,
            range_km=range_km,
            connectivity=connectivity,
            hs_code=hs_code,
        )
        models.append((model, vds))
    return models


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=datetime.UTC)


def _seed_partner(partner, slug: str, stdout) -> None:
    wmi, plant_letter, code, count, market, plant_name, regions = FLEETS[slug]
    user = User.objects.filter(memberships__partner=partner, memberships__role="member").first()
    owners = wmi_owner_map()
    if owners.get((wmi, code)) != partner.pk:
        stdout.write(f"{slug}: WMI {wmi} not assigned to it; vehicles skipped.")
        return
    with schema_context(partner.schema_name):
        models = models_ensure(MODELS[slug])
        if Vehicle.objects.count() >= count:
            stdout.write(f"{slug}: vehicles already seeded.")
            return
        rng = random.Random(slug)  # the same demo every time
        today = datetime.date.today()
        # Production over the last ~three years, so the statistics show recent months too.
        first_day = max(datetime.date(2023, 1, 9), today - datetime.timedelta(days=1030))
        for serial in range(1, count + 1):
            model, vds = models[serial % len(models)]
            produced = first_day + datetime.timedelta(days=rng.randrange(0, 1000))
            produced = min(produced, today - datetime.timedelta(days=30))
            vin = demo_vin(wmi, vds, produced.year, plant_letter, serial, code)
            if Vehicle.objects.filter(vin=vin).exists():
                continue
            source = rng.choice([ChangeSource.WEB, ChangeSource.API, ChangeSource.IMPORT])
            vehicle = vehicle_register(
                partner=partner,
                vin=vin,
                model=model,
                production_date=produced,
                plant=plant_name,
                market=market,
                user=user,
                source=source,
            )
            steps = _life(rng, produced, today, regions)
            for to_status, day, country, region in steps:
                if to_status == VehicleStatus.EXPORTED:
                    # The demo's exports left on shipments of years past: the shipment path's service.
                    vehicles_export(vehicle_ids=[vehicle.pk], user=user, source=source)
                    vehicle.refresh_from_db()
                    continue
                vehicle = vehicle_status_change(
                    vehicle=vehicle,
                    to_status=to_status,
                    user=user,
                    source=source,
                    registration_country=country,
                    registration_region=region,
                    plate=f"{region[:2].upper()}-{rng.randrange(10000, 99999)}" if to_status == "registered" else "",
                    registration_date=day if to_status == "registered" else None,
                )
            # Put the history on the days it happened (changed_at is set to "now" on insert).
            dates = [produced, *(day for _status, day, _c, _r in steps)]
            for change, day in zip(vehicle.status_changes.order_by("id"), dates, strict=True):
                VehicleStatusChange.objects.filter(pk=change.pk).update(changed_at=_at(day))
        statuses = dict(Vehicle.objects.values_list("status").annotate(n=Count("id")))
        stdout.write(f"{slug}: {Vehicle.objects.count()} vehicles {statuses}.")


def _life(rng, produced, today, regions):
    """A plausible life after production: (status, day, registration country, region) steps."""
    span = (today - produced).days
    day = produced + datetime.timedelta(days=rng.randrange(3, max(4, min(60, span))))
    roll = rng.random()
    if roll < 0.25 or day >= today:
        return []
    if roll < 0.65:
        country, region = rng.choice(regions)
        steps = [(VehicleStatus.REGISTERED, day, country, region)]
        if rng.random() < 0.15:
            steps.append((VehicleStatus.DEREGISTERED, min(today, day + datetime.timedelta(days=200)), "", ""))
        return steps
    steps = [(VehicleStatus.EXPORTED, day, "", "")]
    later = day + datetime.timedelta(days=rng.randrange(20, 60))
    if later < today and rng.random() < 0.7:
        country, region = rng.choice(EXPORT_COUNTRIES)
        steps.append((VehicleStatus.REGISTERED, later, country, region))
    return steps


# The makers' WMIs come from the alliance's register (portal.reference).
SEED_AFTER = ("portal.reference",)


def seed(*, partners, stdout) -> None:
    """Vehicle models and vehicles for the demo makers, their monthly production, then the demo imports (idempotent)."""
    from .demo_volumes import volumes_seed  # it builds on this module: imported late, no import cycle

    fleets_seed(partners=partners, stdout=stdout)
    volumes_seed(partners=partners, stdout=stdout)
    importing_demo.seed(partners=partners, stdout=stdout)


def fleets_seed(*, partners, stdout) -> None:
    """Vehicle models and vehicles for the demo makers (idempotent)."""
    for slug in FLEETS:
        if slug in partners:
            _seed_partner(partners[slug], slug, stdout)
