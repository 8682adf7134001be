"""Choice lists of battery passports."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BatteryCategory(models.TextChoices):
    """The battery categories that need a passport (Art. 77(1)); industrial means over 2 kWh."""

    EV = "EV", _("Electric vehicle battery")
    LMT = "LMT", _("Light means of transport battery")
    INDUSTRIAL = "industrial", _("Industrial battery over 2 kWh")


class BatteryStatus(models.TextChoices):
    """Battery status (Annex XIII 4(c))."""

    ORIGINAL = "original", _("Original")
    REPURPOSED = "repurposed", _("Repurposed")
    REMANUFACTURED = "remanufactured", _("Remanufactured")
    WASTE = "waste", _("Waste")


class Reader(models.TextChoices):
    """Who reads a passport: the three access groups of Annex XIII, and the partner that owns the battery."""

    PUBLIC = "public", _("Public")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Persons with a legitimate interest")
    AUTHORITY = "authority", _("Notified bodies, market surveillance and the Commission")
    OWNER = "owner", _("Owner")


class AccessGroup(models.TextChoices):
    """An attribute's access group, as the attribute list gives it."""

    PUBLIC = "public", _("Public")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Persons with a legitimate interest")
    AUTHORITY = "authority", _("Notified bodies, market surveillance and the Commission")


class Aspect(models.TextChoices):
    """The BatteryPass data model's aspects (one SAMM model and JSON Schema each)."""

    GENERAL = "GeneralProductInformation", _("General product information")
    LABELS = "Labels", _("Symbols, labels and documentation of conformity")
    CARBON_FOOTPRINT = "CarbonFootprint", _("Carbon footprint")
    DUE_DILIGENCE = "SupplyChainDueDiligence", _("Supply chain due diligence")
    MATERIAL_COMPOSITION = "MaterialComposition", _("Material composition")
    CIRCULARITY = "Circularity", _("Circularity and resource efficiency")
    PERFORMANCE = "Performance", _("Performance and durability")


class Behaviour(models.TextChoices):
    STATIC = "static", _("Static")
    DYNAMIC = "dynamic", _("Dynamic")


class Granularity(models.TextChoices):
    """Where an attribute's value is kept: on the battery model, or on each battery."""

    MODEL = "model", _("Battery model")
    BATTERY = "battery", _("Individual battery")


class ReadingSource(models.TextChoices):
    BMS = "bms", _("Battery management system")
    SERVICE = "service", _("Service visit")
    MANUAL = "manual", _("Entered by hand")
    IMPORT = "import", _("Import")
    API = "api", _("API")


# The attribute ids (PassportAttribute.code, from the attribute list) the alliance statistics read.
CARBON_FOOTPRINT_CLASS = "carbon_footprint_performance_class"
# The materials whose recycled share a passport declares (Annex XIII 1(e)), each with its (pre-consumer,
# post-consumer) share: Art. 8(2) counts both ("recovered from manufacturing waste or post-consumer waste").
RECYCLED_SHARES = {
    material: (f"pre_consumer_recycled_{material}_share", f"post_consumer_recycled_{material}_share")
    for material in ("cobalt", "lithium", "nickel", "lead")
}
