"""Choice lists of collaboration projects."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    """Pipeline stages in order, then the two terminal side exits."""

    PROPOSED = "proposed", _("Proposed")
    NEGOTIATING = "negotiating", _("Negotiating")
    DOCKED = "docked", _("Docked")
    SIGNED = "signed", _("Signed")
    IN_DEVELOPMENT = "in_development", _("In development")
    PILOT = "pilot", _("Pilot / certification")
    LAUNCHED = "launched", _("Launched")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    FAILED = "failed", _("Failed")


class ParticipantStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    LEFT = "left", _("Left")


class Technology(models.TextChoices):
    BATTERY_SWAP = "battery_swap", _("Battery swap")
    V2X = "v2x", _("V2X")
    OTA = "ota", _("OTA updates")
    ADAS = "adas", _("ADAS")
    AIOT = "aiot", _("AIoT")
    SMART_MANUFACTURING = "smart_manufacturing", _("Smart manufacturing")
    CELLULAR = "cellular", _("4G / 5G connectivity")
    GNSS = "gnss", _("GNSS")
    BATTERY_PACK = "battery_pack", _("Battery packs")
    HOMOLOGATION = "homologation", _("Homologation")


class BudgetRange(models.TextChoices):
    UNDER_100K = "lt_100k", _("Under USD 100k")
    UP_TO_1M = "100k_1m", _("USD 100k – 1M")
    UP_TO_10M = "1m_10m", _("USD 1M – 10M")
    OVER_10M = "gt_10m", _("Over USD 10M")


class ProductCategory(models.TextChoices):
    E_MOTORCYCLE = "e_motorcycle", _("E-motorcycle")
    E_BIKE = "e_bike", _("E-bike (EPAC)")
    CAR = "car", _("Passenger car")
    BATTERY = "battery", _("Battery system")
    CHARGING = "charging", _("Charging / swap station")
    SOFTWARE = "software", _("Software platform")
    COMPONENT = "component", _("Component")


class ListingKind(models.TextChoices):
    NEED = "need", _("Need")
    OFFER = "offer", _("Offer")


class TimelineKind(models.TextChoices):
    CREATED = "created", _("Project created")
    EDITED = "edited", _("Project edited")
    STAGE = "stage", _("Stage changed")
    INVITED = "invited", _("Partner invited")
    ACCEPTED = "accepted", _("Invitation accepted")
    DECLINED = "declined", _("Invitation declined")
    LEFT = "left", _("Partner left")
    MILESTONE = "milestone", _("Milestone")
    DOCUMENT = "document", _("Document uploaded")
