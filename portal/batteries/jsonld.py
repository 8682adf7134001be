"""A passport as JSON-LD: one payload per BatteryPass 1.2.0 aspect, shaped as the aspect's JSON Schema says.

Each attribute of the attribute list (by its number) has a place in one aspect's payload (PLACES). A value kept in
the schema's own shape (an object or a list of objects) is placed as it is; a scalar is coerced to the schema's type
(numbers, URIs, date-times). Only the attributes the reader may see are ever passed in, so a withheld attribute
is absent from the payload, never null. Each aspect carries a JSON-LD context whose vocabulary is the aspect's
SAMM namespace, so `batteryMass` expands to `urn:samm:io.BatteryPass.GeneralProductInformation:1.2.0#batteryMass`,
the property the aspect model defines.

BatteryPass Data Model 1.2.0 by the Battery Pass consortium, CC-BY-4.0 (see reference/batterypass-1.2.0/SOURCE.md).
"""

import datetime as dt
import json
import re
from decimal import Decimal
from functools import cache

from .choices import Aspect

VERSION = "1.2.0"
# The SAMM namespace of each aspect (the Labels aspect's model is io.BatteryPass.Labels).
NAMESPACES = {
    Aspect.GENERAL: "io.BatteryPass.GeneralProductInformation",
    Aspect.LABELS: "io.BatteryPass.Labels",
    Aspect.CARBON_FOOTPRINT: "io.BatteryPass.CarbonFootprint",
    Aspect.DUE_DILIGENCE: "io.BatteryPass.SupplyChainDueDiligence",
    Aspect.MATERIAL_COMPOSITION: "io.BatteryPass.MaterialComposition",
    Aspect.CIRCULARITY: "io.BatteryPass.Circularity",
    Aspect.PERFORMANCE: "io.BatteryPass.Performance",
}
# The aspect's JSON Schema, relative to portal/batteries/reference/batterypass-1.2.0/.
SCHEMA_FILES = {
    Aspect.GENERAL: "GeneralProductInformation/GeneralProductInformation-schema.json",
    Aspect.LABELS: "Labels/Labeling-schema.json",
    Aspect.CARBON_FOOTPRINT: "CarbonFootprint/CarbonFootprintForBatteries-schema.json",
    Aspect.DUE_DILIGENCE: "SupplyChainDueDiligence/SupplyChainDueDiligence-schema.json",
    Aspect.MATERIAL_COMPOSITION: "MaterialComposition/MaterialComposition-schema.json",
    Aspect.CIRCULARITY: "Circularity/Circularity-schema.json",
    Aspect.PERFORMANCE: "Performance/PerformanceAndDurability-schema.json",
}

NUMBER, URI, DATETIME, TEXT, OBJECT, LIST = "number", "uri", "datetime", "text", "object", "list"

# attribute number → (aspect, path, kind, extra). A path is dotted; "+" appends an item to a list; "@" wraps a
# dynamic value as {<extra>: value, "lastUpdate": …}. Attributes without a place (26, 35, 37, 85, 86: the schema
# has no property of their own) appear on the page only.
PLACES: dict[int, tuple[str, str, str, str]] = {
    1: (Aspect.GENERAL, "batteryPassportIdentifier", "urn", ""),
    2: (Aspect.GENERAL, "productIdentifier", TEXT, ""),
    3: (Aspect.GENERAL, "operatorInformation", OBJECT, ""),
    4: (Aspect.GENERAL, "manufacturerInformation", OBJECT, ""),
    5: (Aspect.GENERAL, "manufacturingPlace", OBJECT, ""),
    6: (Aspect.GENERAL, "manufacturingDate", DATETIME, ""),
    7: (Aspect.GENERAL, "puttingIntoService", DATETIME, ""),
    8: (Aspect.GENERAL, "warrentyPeriod", TEXT, ""),  # sic: the schema's spelling
    9: (Aspect.GENERAL, "batteryCategory", TEXT, ""),
    10: (Aspect.GENERAL, "batteryMass", NUMBER, ""),
    11: (Aspect.GENERAL, "batteryStatus", TEXT, ""),
    12: (Aspect.LABELS, "labels+", "label", "SeparateCollection"),
    13: (Aspect.LABELS, "labels+", "label", "HazardousMaterial"),
    14: (Aspect.LABELS, "labels+", "label", "CarbonFootPrint"),
    15: (Aspect.CIRCULARITY, "safetyMeasures.extinguishingAgent", "strings", ""),
    17: (Aspect.LABELS, "declarationOfConformity", URI, ""),
    18: (Aspect.LABELS, "resultOfTestReport", URI, ""),
    19: (Aspect.CARBON_FOOTPRINT, "batteryCarbonFootprint", NUMBER, ""),
    20: (Aspect.CARBON_FOOTPRINT, "carbonFootprintPerLifecycleStage+", "stage", "RawMaterialExtraction"),
    21: (Aspect.CARBON_FOOTPRINT, "carbonFootprintPerLifecycleStage+", "stage", "MainProduction"),
    22: (Aspect.CARBON_FOOTPRINT, "carbonFootprintPerLifecycleStage+", "stage", "Distribution"),
    23: (Aspect.CARBON_FOOTPRINT, "carbonFootprintPerLifecycleStage+", "stage", "Recycling"),
    24: (Aspect.CARBON_FOOTPRINT, "carbonFootprintPerformanceClass", TEXT, ""),
    25: (Aspect.CARBON_FOOTPRINT, "carbonFootprintStudy", URI, ""),
    27: (Aspect.CARBON_FOOTPRINT, "absoluteCarbonFootprint", NUMBER, ""),
    28: (Aspect.DUE_DILIGENCE, "supplyChainDueDiligenceReport", URI, ""),
    29: (Aspect.DUE_DILIGENCE, "thirdPartyAussurances", URI, ""),  # sic
    30: (Aspect.DUE_DILIGENCE, "supplyChainIndicies", NUMBER, ""),  # sic
    31: (Aspect.MATERIAL_COMPOSITION, "batteryChemistry", "chemistry", ""),
    32: (Aspect.MATERIAL_COMPOSITION, "batteryMaterials+", LIST, ""),
    33: (Aspect.MATERIAL_COMPOSITION, "batteryMaterials+", LIST, ""),
    34: (Aspect.MATERIAL_COMPOSITION, "hazardousSubstances+", LIST, ""),
    36: (Aspect.CIRCULARITY, "dismantlingAndRemovalInformation+", "document", "DismantlingManual"),
    38: (Aspect.CIRCULARITY, "sparePartSources+", LIST, ""),
    39: (Aspect.CIRCULARITY, "safetyMeasures.safetyInstructions", URI, ""),
    40: (Aspect.CIRCULARITY, "recycledContent+", "recycled", "Nickel.preConsumerShare"),
    41: (Aspect.CIRCULARITY, "recycledContent+", "recycled", "Cobalt.preConsumerShare"),
    42: (Aspect.CIRCULARITY, "recycledContent+", "recycled", "Lithium.preConsumerShare"),
    43: (Aspect.CIRCULARITY, "recycledContent+", "recycled", "Lead.preConsumerShare"),
    44: (Aspect.CIRCULARITY, "recycledContent+", "recycled", "Nickel.postConsumerShare"),
    45: (Aspect.CIRCULARITY, "recycledContent+", "recycled", "Cobalt.postConsumerShare"),
    46: (Aspect.CIRCULARITY, "recycledContent+", "recycled", "Lithium.postConsumerShare"),
    47: (Aspect.CIRCULARITY, "recycledContent+", "recycled", "Lead.postConsumerShare"),
    48: (Aspect.CIRCULARITY, "renewableContent", NUMBER, ""),
    49: (Aspect.CIRCULARITY, "endOfLifeInformation.wastePrevention", URI, ""),
    50: (Aspect.CIRCULARITY, "endOfLifeInformation.separateCollection", URI, ""),
    51: (Aspect.CIRCULARITY, "endOfLifeInformation.informationOnCollection", URI, ""),
    52: (Aspect.PERFORMANCE, "batteryTechicalProperties.ratedCapacity", NUMBER, ""),  # sic
    53: (Aspect.PERFORMANCE, "batteryCondition.remainingCapacity@", NUMBER, "remainingCapacityValue"),
    54: (Aspect.PERFORMANCE, "batteryCondition.capacityFade@", NUMBER, "capacityFadeValue"),
    55: (Aspect.PERFORMANCE, "batteryTechicalProperties.ratedEnergy", NUMBER, ""),
    56: (Aspect.PERFORMANCE, "batteryCondition.remainingEnergy@", NUMBER, "remainingEnergyalue"),  # sic
    57: (Aspect.PERFORMANCE, "batteryCondition.stateOfCertifiedEnergy@", NUMBER, "stateOfCertifiedEnergyValue"),
    58: (Aspect.PERFORMANCE, "batteryCondition.stateOfCharge@", NUMBER, "stateOfChargeValue"),
    59: (Aspect.PERFORMANCE, "batteryTechicalProperties.minimumVoltage", NUMBER, ""),
    60: (Aspect.PERFORMANCE, "batteryTechicalProperties.maximumVoltage", NUMBER, ""),
    61: (Aspect.PERFORMANCE, "batteryTechicalProperties.nominalVoltage", NUMBER, ""),
    62: (Aspect.PERFORMANCE, "batteryTechicalProperties.originalPowerCapability+", LIST, ""),
    63: (Aspect.PERFORMANCE, "batteryCondition.remainingPowerCapability+", LIST, ""),
    64: (Aspect.PERFORMANCE, "batteryCondition.powerFade", NUMBER, ""),
    65: (Aspect.PERFORMANCE, "batteryTechicalProperties.ratedMaximumPower", NUMBER, ""),
    66: (Aspect.PERFORMANCE, "batteryTechicalProperties.powerCapabilityRatio", NUMBER, ""),
    67: (Aspect.PERFORMANCE, "batteryTechicalProperties.roundtripEfficiency", NUMBER, ""),
    68: (Aspect.PERFORMANCE, "batteryCondition.roundTripEfficiencyat50PerCentCycleLife", NUMBER, ""),
    69: (
        Aspect.PERFORMANCE,
        "batteryCondition.remainingRoundTripEnergyEfficiency@",
        NUMBER,
        "remainingRoundTripEnergyEfficiencyValue",
    ),
    70: (Aspect.PERFORMANCE, "batteryCondition.roundTripEfficiencyFade", NUMBER, ""),
    71: (Aspect.PERFORMANCE, "batteryTechicalProperties.initialSelfDischarge", NUMBER, ""),
    72: (
        Aspect.PERFORMANCE,
        "batteryCondition.currentSelfDischargingRate@",
        NUMBER,
        "currentSelfDischargingRateEntity",
    ),
    73: (
        Aspect.PERFORMANCE,
        "batteryCondition.evolutionOfSelfDischarge",
        "wrap",
        "evolutionOfSelfDischargeEntityValue",
    ),
    74: (Aspect.PERFORMANCE, "batteryTechicalProperties.initialInternalResistance+", "resistance", "ohmicResistance"),
    75: (
        Aspect.PERFORMANCE,
        "batteryCondition.internalResistanceIncrease+",
        "resistance@",
        "internalResistanceIncreaseValue",
    ),
    76: (Aspect.PERFORMANCE, "batteryTechicalProperties.expectedLifetime", NUMBER, ""),
    77: (Aspect.PERFORMANCE, "batteryTechicalProperties.expectedNumberOfCycles", NUMBER, ""),
    78: (Aspect.PERFORMANCE, "batteryCondition.numberOfFullCycles@", NUMBER, "numberOfFullCyclesValue"),
    79: (Aspect.PERFORMANCE, "batteryTechicalProperties.lifetimeReferenceTest", URI, ""),
    80: (Aspect.PERFORMANCE, "batteryTechicalProperties.cRateLifeCycleTest", NUMBER, ""),
    81: (Aspect.PERFORMANCE, "batteryCondition.energyThroughput", NUMBER, ""),
    82: (Aspect.PERFORMANCE, "batteryCondition.capacityThroughput@", NUMBER, "capacityThroughputValue"),
    83: (Aspect.PERFORMANCE, "batteryTechicalProperties.capacityThresholdForExhaustion", NUMBER, ""),
    84: (Aspect.PERFORMANCE, "batteryCondition.temperatureInformation", OBJECT, ""),
    87: (Aspect.PERFORMANCE, "batteryCondition.temperatureInformation.timeExtremeHighTemp", NUMBER, ""),
    88: (Aspect.PERFORMANCE, "batteryCondition.temperatureInformation.timeExtremeLowTemp", NUMBER, ""),
    89: (Aspect.PERFORMANCE, "batteryCondition.temperatureInformation.timeExtremeHighTempCharging", NUMBER, ""),
    90: (Aspect.PERFORMANCE, "batteryCondition.temperatureInformation.timeExtremeLowTempCharging", NUMBER, ""),
    91: (Aspect.PERFORMANCE, "batteryCondition.negativeEvents+", "event", "deep discharge events"),
    92: (Aspect.PERFORMANCE, "batteryCondition.negativeEvents+", "event", "overcharge events"),
    93: (Aspect.PERFORMANCE, "batteryCondition.negativeEvents+", "event", ""),
}

PASSPORT_URN = re.compile(r"^urn:[a-z0-9]+:[a-z0-9]+$")
URI_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
YEAR_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (ArithmeticError, ValueError):
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def _datetime(value) -> str | None:
    """An ISO 8601 date-time with zone: "2025-06" and "2025-06-17" become the first moment of that month / day."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).isoformat()
    if isinstance(value, dt.date):
        return f"{value.isoformat()}T00:00:00Z"
    text = str(value).strip()
    if YEAR_MONTH.match(text):
        return f"{text}-01T00:00:00Z"
    if DATE.match(text):
        return f"{text}T00:00:00Z"
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return _datetime(parsed)


def _uri(value) -> str | None:
    text = str(value).strip()
    return text if URI_PATTERN.match(text) else None


def _stamp(when) -> str:
    return _datetime(when) or ""


def _set(payload: dict, path: str, value) -> None:
    *parents, leaf = path.split(".")
    node = payload
    for key in parents:
        node = node.setdefault(key, {})
    if leaf.endswith("+"):
        node.setdefault(leaf[:-1], []).extend(value if isinstance(value, list) else [value])
    else:
        node[leaf] = value


def _shape(kind: str, extra: str, value, updated):
    """The attribute's value in the schema's shape, or None when it cannot take that shape."""
    if kind == NUMBER:
        return _number(value)
    if kind == URI:
        return _uri(value)
    if kind == DATETIME:
        return _datetime(value)
    if kind == TEXT:
        return str(value) if value not in (None, "") else None
    if kind == "urn":  # the schema wants urn:<namespace>:<id> in lower-case letters and digits, nothing else
        return str(value) if PASSPORT_URN.match(str(value)) else None
    if kind == OBJECT:
        return value if isinstance(value, dict) and value else None
    if kind == LIST:
        items = value if isinstance(value, list) else [value]
        items = [item for item in items if isinstance(item, dict)]
        return items or None
    if kind == "strings":
        items = value if isinstance(value, list) else [value]
        return [str(item) for item in items if item not in (None, "")] or None
    if kind == "label":
        symbol = _uri(value.get("labelingSymbol", "")) if isinstance(value, dict) else _uri(value)
        return {"labelingSubject": extra, "labelingSymbol": symbol} if symbol else None
    if kind == "stage":
        number = _number(value)
        return {"lifecycleStage": extra, "carbonFootprint": number} if number is not None else None
    if kind == "chemistry":
        if isinstance(value, dict):
            return value if value.get("shortName") and value.get("clearName") else None
        return {"shortName": str(value), "clearName": str(value)} if value else None
    if kind == "document":
        if isinstance(value, list | dict):
            return _shape(LIST, "", value, updated)
        uri = _uri(value)
        return {"documentType": extra, "mimeType": "application/pdf", "documentURL": uri} if uri else None
    if kind == "wrap":
        number = _number(value)
        return {extra: number} if number is not None else None
    if kind in ("resistance", "resistance@"):
        if isinstance(value, list):
            return _shape(LIST, "", value, updated)
        number = _number(value)
        if number is None:
            return None
        if kind.endswith("@") and updated is None:
            return None  # the schema asks when it was measured
        item = {extra: number, "batteryComponent": "pack"}
        return item | ({"lastUpdate": _stamp(updated)} if kind.endswith("@") else {})
    if kind == "event":
        if value in (None, "", 0) or updated is None:
            return None
        text = f"{value} {extra}" if extra else str(value)
        return {"negativeEvent": text, "lastUpdate": _stamp(updated)}
    return None


def aspect_payloads(values: dict[int, object], *, updated: dict[int, object] | None = None) -> dict[str, dict]:
    """The payload of each aspect that has a value, from {attribute number: value} (only what the reader sees).

    `updated` gives the time a dynamic value was measured (its `lastUpdate`); values without one use no stamp
    where the schema asks none.
    """
    updated = updated or {}
    payloads: dict[str, dict] = {}
    recycled: dict[str, dict] = {}
    for number in sorted(values):
        place = PLACES.get(number)
        value = values[number]
        if place is None or value is None or value == "":
            continue
        aspect, path, kind, extra = place
        if kind == "recycled":
            material, field = extra.split(".")
            share = _number(value)
            if share is not None:
                recycled.setdefault(material, {"recycledMaterial": material})[field] = share
            continue
        wrapped = path.endswith("@")
        shaped = _shape(kind, extra, value, updated.get(number))
        if shaped is None:
            continue
        if wrapped:
            path = path[:-1]
            if updated.get(number) is None:
                continue  # the schema asks when a dynamic value was measured: without it, nothing to say
            shaped = {extra: shaped, "lastUpdate": _stamp(updated[number])}
        _set(payloads.setdefault(aspect, {}), path, shaped)
    # A recycled-content item needs both shares (the schema requires them): a half-known item is left out.
    items = [item for item in recycled.values() if len(item) == 3]
    if items:
        _set(payloads.setdefault(Aspect.CIRCULARITY, {}), "recycledContent", items)
    _meanings(payloads.get(Aspect.LABELS, {}).get("labels", []), values.get(16))
    temperature = payloads.get(Aspect.PERFORMANCE, {}).get("batteryCondition", {}).get("temperatureInformation")
    if temperature is not None and "lastUpdate" not in temperature:
        stamps = [updated.get(n) for n in (84, 87, 88, 89, 90) if updated.get(n) is not None]
        if stamps:
            temperature["lastUpdate"] = _stamp(max(stamps))
    return payloads


def _meanings(labels: list[dict], meaning) -> None:
    """Each label's `labelingMeaning` (a text per language) from attribute 16, "Meaning of labels and symbols":
    a mapping by labelling subject, a mapping by language, or one English text for every label."""
    if not labels or meaning in (None, ""):
        return
    for label in labels:
        text = meaning.get(label["labelingSubject"], meaning) if isinstance(meaning, dict) else meaning
        if isinstance(text, dict):
            texts = {str(language): str(value) for language, value in text.items() if isinstance(value, str)}
        else:
            texts = {"en": str(text)}
        if texts:
            label["labelingMeaning"] = texts


def aspect_context(aspect: str) -> dict:
    """The JSON-LD context of one aspect: its properties are the SAMM model's properties."""
    return {"@vocab": f"urn:samm:{NAMESPACES[aspect]}:{VERSION}#"}


def passport_document(*, url: str, identifier: str, group: str, payloads: dict[str, dict]) -> dict:
    """The whole JSON-LD document: the passport's URL as its id, the access group it was read at, the aspects."""
    return {
        "@context": {
            "@vocab": f"urn:samm:io.BatteryPass:{VERSION}#",
            "schema": "https://schema.org/",
        },
        "@id": url,
        "@type": "BatteryPassport",
        "identifier": identifier,
        "accessGroup": group,
        "dataModel": f"BatteryPass Data Model {VERSION} (CC-BY-4.0, Battery Pass consortium)",
        "aspects": {
            aspect: {"@context": aspect_context(aspect), **payload}
            for aspect in NAMESPACES
            if (payload := payloads.get(aspect))
        },
    }


@cache
def aspect_schema(aspect: str) -> dict:
    """The JSON Schema the aspect's payload follows (the shipped files are UTF-8 or UTF-16)."""
    from .registry.attributes import REFERENCE_DIR

    raw = (REFERENCE_DIR / SCHEMA_FILES[aspect]).read_bytes()
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            return json.loads(raw.decode(encoding))
        except (UnicodeDecodeError, json.JSONDecodeError):
            continue
    raise ValueError(f"cannot read the schema of {aspect}")
