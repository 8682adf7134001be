"""Reads of supply reports."""

from django.db.models import QuerySet

from .models import SupplyReport


def supply_report_list() -> QuerySet[SupplyReport]:
    """The partner's reports, newest month first."""
    return SupplyReport.objects.order_by("-month")
