"""Passport test data shaped as the BatteryPass JSON Schemas expect, and unique markers to spot leaks."""

import datetime as dt

from django_tenants.utils import schema_context

from portal.batteries.choices import BatteryCategory, Granularity
from portal.batteries.registry.models import PassportAttribute
from portal.batteries.services import battery_create, battery_model_create, battery_reading_add
from portal.vehicles.choices import BatteryChemistry

from .factories import identifier_next

ADDRESS = {"addressCountry": "HU", "postalCode": "1051", "streetAddress": "Nador utca 10"}
CONTACT = {"contactName": "Yangtze Cells Kft.", "postalAddress": ADDRESS, "identifier": "HU12345678"}

# attribute number → a value in the shape its JSON Schema place expects
REAL_VALUES = {
    3: CONTACT,
    4: CONTACT,
    5: ADDRESS,
    6: "2026-05",
    7: "2026-06-15",
    8: "--06",
    10: 412.5,
    12: "https://example.com/symbols/separate-collection.svg",
    13: "https://example.com/symbols/cd-pb.svg",
    14: "https://example.com/symbols/cf.svg",
    15: "Water (large quantities), class D powder",
    16: "The crossed-out wheeled bin: collect separately.",
    17: "https://example.com/doc/declaration.pdf",
    18: "https://example.com/doc/test-report.pdf",
    19: 61.3,
    20: 40.1,
    21: 15.2,
    22: 2.0,
    23: 4.0,
    24: "B",
    25: "https://example.com/doc/cf-study.pdf",
    27: 3200,
    28: "https://example.com/doc/due-diligence.pdf",
    29: "https://example.com/doc/assurance.pdf",
    30: 0.8,
    32: [
        {
            "batteryMaterialLocation": {"componentName": "Cathode"},
            "batteryMaterialIdentifier": "7440-48-4",
            "batteryMaterialName": "Cobalt",
            "batteryMaterialMass": 1.2,
            "isCriticalRawMaterial": True,
        }
    ],
    33: [
        {
            "batteryMaterialLocation": {"componentName": "Anode"},
            "batteryMaterialIdentifier": "7782-42-5",
            "batteryMaterialName": "Graphite",
            "batteryMaterialMass": 8.4,
            "isCriticalRawMaterial": True,
        }
    ],
    34: [
        {
            "hazardousSubstanceClass": "AcuteToxicity",
            "hazardousSubstanceName": "Lithium hexafluorophosphate",
            "hazardousSubstanceConcentration": 0.9,
            "hazardousSubstanceImpact": ["toxic if swallowed"],
            "hazardousSubstanceLocation": {"componentName": "Electrolyte"},
            "hazardousSubstanceIdentifier": "21324-40-3",
        }
    ],
    35: "Toxic if swallowed; handle electrolyte with gloves.",
    36: "https://example.com/doc/dismantling.pdf",
    37: "https://example.com/parts",
    38: [
        {
            "nameOfSupplier": "Spare Parts Ltd",
            "addressOfSupplier": ADDRESS,
            "emailAddressOfSupplier": "parts@example.com",
            "supplierWebAddress": "https://example.com/parts",
            "components": [{"partName": "Module", "partNumber": "M-1"}],
        }
    ],
    39: "https://example.com/doc/safety.pdf",
    40: 4.0,
    41: 6.0,
    42: 1.0,
    43: 0.0,
    44: 8.0,
    45: 12.0,
    46: 2.0,
    47: 0.0,
    48: 5.5,
    49: "https://example.com/doc/waste-prevention.pdf",
    50: "https://example.com/doc/separate-collection.pdf",
    51: "https://example.com/doc/collection.pdf",
    52: 50,
    54: 12.5,
    55: 3300,
    59: 36,
    60: 54,
    61: 48,
    62: [{"atSoC": 80, "powerCapabilityAt": 3000}],
    64: 10.0,
    65: 3500,
    66: 1.06,
    67: 95.0,
    68: 92.0,
    70: 3.0,
    71: 2.0,
    74: 0.08,
    75: 20.0,
    76: 10,
    77: 2000,
    79: "https://example.com/doc/cycle-life.pdf",
    80: 0.5,
    83: 70.0,
    85: -20,
    86: 45,
}


def attribute_numbers() -> dict[int, PassportAttribute]:
    return {attribute.number: attribute for attribute in PassportAttribute.objects.all()}


def _split(values_by_number: dict[int, object], category: str) -> tuple[dict, dict]:
    """(model values, battery values) keyed by attribute code, as the attributes' granularity says."""
    model_values, battery_values = {}, {}
    for number, attribute in attribute_numbers().items():
        if number not in values_by_number or category not in attribute.categories:
            continue
        target = model_values if attribute.granularity == Granularity.MODEL else battery_values
        target[attribute.code] = values_by_number[number]
    return model_values, battery_values


def marked_values() -> dict[int, str]:
    """A unique marker per attribute: finding one in a response proves that attribute was shown."""
    return {number: f"marker-{number:03d}-q7" for number in attribute_numbers()}


def passport_battery(partner, *, values: dict[int, object], category: str = BatteryCategory.LMT, reading=True):
    """A battery of the partner whose attributes hold `values` (by number), with one reading."""
    model_values, battery_values = _split(values, category)
    with schema_context(partner.schema_name):
        battery_model = battery_model_create(
            code=f"PM-{identifier_next('X')}",
            name="Passport pack",
            category=category,
            chemistry=BatteryChemistry.NMC,
            values=model_values,
        )
        battery = battery_create(
            partner=partner, identifier=identifier_next("PP01"), battery_model=battery_model, values=battery_values
        )
        if reading:
            battery_reading_add(
                battery=battery,
                measured_at=dt.datetime(2026, 11, 30, 8, 0, tzinfo=dt.UTC),
                state_of_health="97.50",
                cycles=120,
                energy_throughput="5400.000",
                negative_event="marker-093-q7 fell off a pallet",
            )
    return battery
