"""Choice lists of alliance events and their matchmaking."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionKind(models.TextChoices):
    FORUM = "forum", _("Main forum")
    SUB_FORUM = "sub_forum", _("Sub-forum")
    SUMMIT = "summit", _("Summit")
    EXHIBITION = "exhibition", _("Exhibition")
    AWARDS = "awards", _("Awards")
    SIGNING = "signing", _("Signing ceremony")
    EXCHANGE = "exchange", _("Supply and demand exchange")


class CardKind(models.TextChoices):
    OFFER = "offer", _("Offer")
    NEED = "need", _("Need")


class Interest(models.TextChoices):
    """How much a person wants to meet another: must-meet first when the scheduler places meetings."""

    MUST = "must", _("Must meet")
    WOULD = "would", _("Would like to meet")
    NO = "no", _("No")


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class MeetingStatus(models.TextChoices):
    UNSCHEDULED = "unscheduled", _("Not scheduled yet")
    SCHEDULED = "scheduled", _("Scheduled")
    HELD = "held", _("Held")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")
