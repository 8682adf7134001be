"""Choice lists of the vehicle registry."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BatteryChemistry(models.TextChoices):
    LFP = "LFP", _("Lithium iron phosphate (LFP)")
    NMC = "NMC", _("Nickel manganese cobalt (NMC)")
    NCA = "NCA", _("Nickel cobalt aluminium (NCA)")
    LMO = "LMO", _("Lithium manganese oxide (LMO)")
    LTO = "LTO", _("Lithium titanate (LTO)")
    SODIUM_ION = "NA_ION", _("Sodium-ion")
    LEAD_ACID = "LEAD_ACID", _("Lead-acid")
    OTHER = "OTHER", _("Other")


class Connectivity(models.TextChoices):
    LTE = "4G", _("4G")
    NR = "5G", _("5G")
    GNSS = "GNSS", _("GNSS positioning")
    V2X = "V2X", _("V2X")
    OTA = "OTA", _("OTA updates")
    BATTERY_SWAP = "BATTERY_SWAP", _("Battery swap")
    AIOT = "AIOT", _("AIoT")


class VehicleStatus(models.TextChoices):
    PRODUCED = "produced", _("Produced")
    REGISTERED = "registered", _("Registered")
    EXPORTED = "exported", _("Exported")
    DEREGISTERED = "deregistered", _("Deregistered")


class ChangeSource(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    ADMIN = "admin", _("Admin")


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
    VALID_ROWS = "valid_rows", _("Import the valid rows")


class ImportPhase(models.TextChoices):
    """Where a running import is (ImportJob.phase); the label is what the job page shows."""

    WAITING = "", _("Waiting for a worker")
    READING = "reading", _("Reading and checking rows")
    VALIDATING = "validating", _("Looking for duplicates")
    IMPORTING = "importing", _("Writing vehicles")
    DONE = "done", _("Done")


class ImportProblemLevel(models.TextChoices):
    """How bad a problem of an imported row is: an error refuses the row, a warning only tells."""

    ERROR = "error", _("Error")
    WARNING = "warning", _("Warning")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
