"""Demo battery passports: cq-thunder's motorcycle packs (fitted to its vehicles) and yangtze-cells' industrial and
EV packs, some complete and some still missing mandatory attributes, and the packs of three more makers so that
the alliance's battery statistics disclose some cells and suppress others (idempotent)."""

import datetime

from django_tenants.utils import schema_context

from portal.vehicles.models import Vehicle

from .choices import BatteryCategory, BatteryStatus, Behaviour, Granularity, ReadingSource
from .models import Battery, BatteryModel
from .registry.models import PassportAttribute
from .services import battery_create, battery_model_create, battery_reading_add

SEED_AFTER = ("portal.vehicles",)

# slug → [(code, name, category, chemistry, complete?, identifier prefix, how many, fitted to vehicles?)]
MODELS = {
    "cq-thunder": [
        ("CQT-P43", "Thunder pack 4.3 kWh", BatteryCategory.LMT, "NMC", True, "CQT0P43", 8, True),
        ("CQT-P14", "Thunder swap pack 1.4 kWh", BatteryCategory.LMT, "LFP", False, "CQT0P14", 4, False),
        (
            "CQT-ESS-10",
            "Thunder swap-station storage 10 kWh",
            BatteryCategory.INDUSTRIAL,
            "LFP",
            True,
            "CQT0ESS",
            2,
            False,
        ),
    ],
    "yangtze-cells": [
        ("YZ-ESS-200", "Yangtze storage rack 200 kWh", BatteryCategory.INDUSTRIAL, "LFP", True, "YZC0ESS", 3, False),
        ("YZ-EV-75", "Yangtze EV pack 75 kWh", BatteryCategory.EV, "NMC", False, "YZC0EV75", 3, False),
    ],
    # More makers hold batteries, so that the alliance's battery statistics have cells with three or more of them
    # (LMT packs, both chemistries) and cells that stay suppressed (EV packs: Yangtze Cells alone).
    "cq-lingyun": [
        ("LY-P30", "Lingyun pack 3.0 kWh", BatteryCategory.LMT, "NMC", True, "LYM0P30", 6, False),
        ("LY-ESS-15", "Lingyun charging buffer 15 kWh", BatteryCategory.INDUSTRIAL, "LFP", True, "LYM0ESS", 2, False),
    ],
    "siam-ebike": [("SEB-P05", "Siam e-bike pack 0.5 kWh", BatteryCategory.LMT, "LFP", True, "SEB0P05", 5, False)],
    "wuxi-swiftride": [("WSR-P07", "Swiftride pack 0.7 kWh", BatteryCategory.LMT, "NMC", True, "WSR0P07", 5, False)],
}
# Model values that differ from SAMPLE, for the statistics: other carbon-footprint classes, and LFP cells hold no
# cobalt or nickel.
MODEL_VALUES = {
    "YZ-ESS-200": {"carbon_footprint_performance_class": "A"},
    "LY-P30": {"carbon_footprint_performance_class": "C"},
}
CHEMISTRY_VALUES = {"LFP": {"pre_consumer_recycled_cobalt_share": "0 %", "pre_consumer_recycled_nickel_share": "0 %"}}
# What the incomplete models leave out (so the passport page has something to list).
LEFT_OUT = {"battery_carbon_footprint_per_functional_unit", "carbon_footprint_performance_class", "battery_mass"}
SAMPLE = {
    "manufacturer_identifier_and_information": "{name}, {city}",
    "manufacturing_place": "{city}",
    "warranty_period_of_the_battery": "36 months",
    "battery_mass": "24.5 kg",
    "battery_carbon_footprint_per_functional_unit": "68.2 kg CO2e/kWh",
    "carbon_footprint_performance_class": "B",
    "extinguishing_agent": "Water (large quantities), class D powder for cells",
    "manufacturing_date": "2026-09",
    "date_of_putting_the_battery_into_service": "2026-11-02",
    "pre_consumer_recycled_cobalt_share": "4 %",
    "post_consumer_recycled_lithium_share": "6 %",
}


def _values(category: str, granularity: str, *, partner, complete: bool) -> dict:
    values = {}
    for attribute in PassportAttribute.objects.filter(behaviour=Behaviour.STATIC, granularity=granularity):
        if category not in attribute.categories or attribute.code in {"battery_chemistry", "battery_category"}:
            continue
        if not complete and attribute.code in LEFT_OUT:
            continue
        template = SAMPLE.get(attribute.code, "See the technical documentation, section {number}")
        values[attribute.code] = template.format(name=partner.name, city=partner.city or "", number=attribute.number)
    return values


def seed(*, partners, stdout) -> None:
    """Battery models, batteries and readings for the demo makers (idempotent: existing identifiers are kept)."""
    for slug, specs in MODELS.items():
        partner = partners.get(slug)
        if partner is None:
            continue
        with schema_context(partner.schema_name):
            _seed_partner(partner, specs, stdout)


def _seed_partner(partner, specs, stdout) -> None:
    created = 0
    vehicles = list(Vehicle.objects.order_by("production_date", "vin")[:20])
    for code, name, category, chemistry, complete, prefix, count, fitted in specs:
        model = BatteryModel.objects.filter(code=code).first() or battery_model_create(
            code=code,
            name=name,
            category=category,
            chemistry=chemistry,
            values=_values(category, Granularity.MODEL, partner=partner, complete=complete)
            | MODEL_VALUES.get(code, {}),
        )
        for serial in range(1, count + 1):
            identifier = f"{prefix}-{serial:06d}"
            if Battery.objects.filter(identifier=identifier).exists():
                continue
            vehicle = vehicles.pop(0) if fitted and vehicles else None
            battery = battery_create(
                partner=partner,
                identifier=identifier,
                battery_model=model,
                status=BatteryStatus.REPURPOSED
                if serial == count and category == BatteryCategory.INDUSTRIAL
                else BatteryStatus.ORIGINAL,
                values=_values(category, Granularity.BATTERY, partner=partner, complete=complete or serial % 2 == 0),
                vin=vehicle.vin if vehicle else None,
                fitted_on=vehicle.production_date if vehicle else None,
            )
            for month in (1, 6):
                battery_reading_add(
                    battery=battery,
                    partner=partner,
                    measured_at=datetime.datetime(2026, month, 15, 9, 0, tzinfo=datetime.UTC),
                    state_of_health=100 - month * 0.4,
                    capacity_fade=month * 0.4,
                    cycles=month * 30,
                    energy_throughput=month * 120,
                    negative_event="" if month == 1 or serial != 1 else "Deep discharge below 2.5 V per cell",
                    source=ReadingSource.BMS,
                )
            created += 1
    stdout.write(f"  {partner.slug}: {created} demo batteries")
