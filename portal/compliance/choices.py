"""Choice lists of export compliance."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Verdict(models.TextChoices):
    """The outcome of a check, mildest first."""

    CLEARED = "cleared", _("Cleared")
    NEEDS_REVIEW = "needs_review", _("Needs review")
    BLOCKED = "blocked", _("Blocked")


class Severity(models.TextChoices):
    """What a reason does to the verdict."""

    BLOCK = "block", _("Blocks")
    REVIEW = "review", _("Needs review")
    INFO = "info", _("For information")


class ShipmentStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SHIPPED = "shipped", _("Shipped")
    CANCELLED = "cancelled", _("Cancelled")


class ReleaseRequestStatus(models.TextChoices):
    """Where a four-eyes release request stands."""

    PENDING = "pending", _("Waiting for a second officer")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Trigger(models.TextChoices):
    """What made a check run."""

    MANUAL = "manual", _("Run by a person")
    API = "api", _("API")
    CHANGE = "change", _("Shipment changed")
    RECHECK = "recheck", _("Rules or screening list changed")


class Incoterm(models.TextChoices):
    """Incoterms 2020."""

    EXW = "EXW", _("EXW · Ex works")
    FCA = "FCA", _("FCA · Free carrier")
    CPT = "CPT", _("CPT · Carriage paid to")
    CIP = "CIP", _("CIP · Carriage and insurance paid to")
    DAP = "DAP", _("DAP · Delivered at place")
    DPU = "DPU", _("DPU · Delivered at place unloaded")
    DDP = "DDP", _("DDP · Delivered duty paid")
    FAS = "FAS", _("FAS · Free alongside ship")
    FOB = "FOB", _("FOB · Free on board")
    CFR = "CFR", _("CFR · Cost and freight")
    CIF = "CIF", _("CIF · Cost, insurance and freight")


# HS codes of the alliance's goods, offered first in forms (any valid HS code is accepted).
COMMON_HS_CODES = [
    ("8711.60", _("8711.60 · electric motorcycles, mopeds and cycles")),
    ("8703.80", _("8703.80 · battery-electric cars")),
    ("8704.60", _("8704.60 · battery-electric goods vehicles")),
    ("8507.60", _("8507.60 · lithium-ion accumulators")),
]
