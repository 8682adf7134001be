from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaptureConfig(AppConfig):
    """The partner-schema side of statistics: triggers that mark changed months (see `triggers.py`)."""

    name = "portal.insights.capture"
    label = "insights_capture"
    verbose_name = _("Statistics change capture")
