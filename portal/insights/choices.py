"""Choice lists of industry statistics."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.TextChoices):
    """Where a partner's figures come from; a change there marks months of that source dirty."""

    VEHICLES = "vehicles", _("Vehicle registry")
    SHIPMENTS = "shipments", _("Shipments")
    CERTIFICATES = "certificates", _("Certificates")
    SUPPLY = "supply", _("Supply reports")
    BATTERIES = "batteries", _("Battery passports")


class Breakdown(models.TextChoices):
    TOTAL = "total", _("Total")
    CATEGORY = "category", _("Vehicle category")
    REGION = "region", _("Registration country")
    DESTINATION = "destination", _("Destination")
    KIND = "kind", _("Partner kind")
    COUNTRY = "country", _("Partner country")
    REASON = "reason", _("Reason")
    CERTIFICATE_TYPE = "certificate_type", _("Certificate type")
    STAGE = "stage", _("Stage")
    BATTERY_CATEGORY = "battery_category", _("Battery category")
    CHEMISTRY = "chemistry", _("Battery chemistry")
    CARBON_CLASS = "carbon_class", _("Carbon-footprint performance class")
    RECYCLED_SHARE = "recycled_share", _("Recycled share (pre- and post-consumer)")


class Grain(models.TextChoices):
    """How long a period of a table is: months are stored, quarters computed on read."""

    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


class CellStatus(models.TextChoices):
    SHOWN = "shown", _("Shown")
    PRIMARY = "primary", _("Suppressed: too few partners or one dominates")
    SECONDARY = "secondary", _("Suppressed: would reveal another suppressed cell")


class RunKind(models.TextChoices):
    INCREMENTAL = "incremental", _("Incremental (changed months only)")
    FULL = "full", _("Full recompute")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Computing partners")
    COMBINING = "combining", _("Combining")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


class PartStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class TargetMetric(models.TextChoices):
    ANNUAL_UNITS = "annual_units", _("Vehicles produced per year")
    PARTNERS = "partners", _("Member partners")
    PROJECTS = "projects", _("Collaboration projects")
    PRODUCTS = "products", _("Products in the catalogue")


class RiskKind(models.TextChoices):
    PRODUCTION_DROP = "production_drop", _("Production dropped month over month")
    EXPORT_CONCENTRATION = "export_concentration", _("Exports concentrated on one market")
    EXPIRY_WAVE = "expiry_wave", _("Wave of certificates expiring")
    RISING_BLOCKS = "rising_blocks", _("Rising blocked shipments")
    STALLED_PROJECTS = "stalled_projects", _("Stalled projects")
    OFFSET_BEHIND = "offset_behind", _("Local production offset behind (Thailand EV 3.5)")
