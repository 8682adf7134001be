"""Read the BatteryPass attribute list (xlsx) shipped in portal/batteries/reference: never retype it.

BatteryPass Data Model 1.2.0 by the Battery Pass consortium, CC-BY-4.0 (see reference/batterypass-1.2.0/SOURCE.md).
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

from portal.batteries.choices import AccessGroup, Aspect, BatteryCategory, Behaviour, Granularity

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference" / "batterypass-1.2.0"
ATTRIBUTE_LIST = REFERENCE_DIR / "2025_Battery_Passport_Data_Attributes_V1.2.xlsx"
SHEET = "Data attribute longlist_v1.2"
HEADER = "#"
DEFINITION = "Short Definition/Understanding per DIN DKE Spec 99100 (if available)"

# The list's "Attribute category" → the data model's aspect.
ASPECTS = {
    "identifiers and product data": Aspect.GENERAL,
    "symbols, labels and documentation of conformity": Aspect.LABELS,
    "battery carbon footprint": Aspect.CARBON_FOOTPRINT,
    "supply chain due diligence": Aspect.DUE_DILIGENCE,
    "battery materials and composition": Aspect.MATERIAL_COMPOSITION,
    "circularity and resource efficiency": Aspect.CIRCULARITY,
    "performance and durability": Aspect.PERFORMANCE,
}
# The list's category columns; "industrial" is the "Other Industrial >2kWh" column (stationary storage is
# a separate column in the list and not a category of ours).
CATEGORY_COLUMNS = {
    "EV": BatteryCategory.EV,
    "LMT": BatteryCategory.LMT,
    "Other Industrial >2kWh": BatteryCategory.INDUSTRIAL,
}


class AttributeListError(ValueError):
    """The xlsx does not look like the attribute list this loader knows."""


def attribute_code(name: str) -> str:
    """The attribute id: the name in lower case, words joined by underscores ("battery_passport_identifier")."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:120]


def access_group(text: str) -> str:
    """The access group of the list's "Access rights" text (the Commission reads every group anyway)."""
    lowered = " ".join(text.lower().split())
    if lowered == "public":
        return AccessGroup.PUBLIC
    if lowered.startswith("persons with a legitimate interest"):
        return AccessGroup.LEGITIMATE_INTEREST
    if lowered.startswith("notified bodies"):
        return AccessGroup.AUTHORITY
    raise AttributeListError(f"unknown access rights {text!r}")


def _text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def attribute_rows(path: Path = ATTRIBUTE_LIST) -> list[dict]:
    """Every attribute of the list as a dict of PassportAttribute fields, in the list's order."""
    with warnings.catch_warnings():  # the list's conditional formatting extensions: nothing we read
        warnings.simplefilter("ignore", UserWarning)
        return _attribute_rows(path)


def _attribute_rows(path: Path) -> list[dict]:
    import openpyxl  # only the loader needs it

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook[SHEET]
    except KeyError as exc:
        raise AttributeListError(f"no sheet {SHEET!r}") from exc
    columns: dict[str, int] | None = None
    rows: list[dict] = []
    for row in sheet.iter_rows(values_only=True):
        cells = [_text(cell) for cell in row]
        if columns is None:
            if HEADER in cells and "Attribute" in cells:
                columns = {name: index for index, name in enumerate(cells) if name}
            continue
        number = row[columns[HEADER]]
        if not isinstance(number, int | float):
            continue
        name = cells[columns["Attribute"]]
        category = cells[columns["Attribute category"]].lower()
        if category not in ASPECTS:
            raise AttributeListError(f"attribute {number}: unknown category {category!r}")
        marks = {ours: cells[columns[column]].lower() for column, ours in CATEGORY_COLUMNS.items()}
        behaviour = cells[columns["Data behavioural characteristic: static vs. dynamic"]].lower()
        granularity = cells[columns["Granularity level I: Model vs individual battery"]].lower()
        access_text = cells[columns["Access rights according to Battery Regulation"]]
        rows.append(
            {
                "number": int(number),
                "code": attribute_code(name),
                "chapter": cells[columns["DIN DKE Spec 99100 Chapter"]],
                "aspect": ASPECTS[category],
                "subcategory": _dash(cells[columns["Attribute sub-category"]]),
                "name": name,
                "definition": _dash(cells[columns[DEFINITION]]),
                "regulation_reference": _dash(cells[columns["Regulation Reference"]])[:300],
                "unit": _dash(cells[columns["Unit of attribute or sign (if applicable)"]])[:120],
                "data_format": cells[columns["Data format"]][:120],
                "mandatory_for": [ours for ours, mark in marks.items() if mark == "x"],
                "voluntary_for": [ours for ours, mark in marks.items() if mark == "o"],
                "behaviour": Behaviour.DYNAMIC if behaviour == "dynamic" else Behaviour.STATIC,
                "access": access_group(access_text),
                "access_text": access_text[:200],
                "granularity": Granularity.BATTERY if granularity.startswith("individual") else Granularity.MODEL,
            }
        )
    workbook.close()
    if not rows:
        raise AttributeListError("no attributes found")
    return rows


def _dash(text: str) -> str:
    return "" if text in ("-", "n.a.") else text


def attributes_load(model, path: Path = ATTRIBUTE_LIST) -> tuple[int, int]:
    """Upsert the list into `model` (PassportAttribute, or its historical twin in a migration): (created, updated).

    Attributes no longer in the list are deleted; rerunning changes nothing.
    """
    rows = attribute_rows(path)
    existing = {attribute.code: attribute for attribute in model.objects.all()}
    created = updated = 0
    for row in rows:
        current = existing.pop(row["code"], None)
        if current is None:
            model.objects.filter(number=row["number"]).delete()  # renumbered or renamed
            model.objects.create(**row)
            created += 1
        elif any(getattr(current, field) != value for field, value in row.items()):
            model.objects.filter(number=row["number"]).exclude(pk=current.pk).delete()
            for field, value in row.items():
                setattr(current, field, value)
            current.save()
            updated += 1
    model.objects.filter(code__in=list(existing)).delete()
    return created, updated
