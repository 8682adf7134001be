"""Serializers of supply reports."""

from rest_framework import serializers

from ..models import SupplyReport


class SupplyReportSerializer(serializers.ModelSerializer):
    local_rate = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Percent of purchases bought locally."
    )
    month = serializers.DateField(help_text="Any day of the month; stored as its first day.")

    class Meta:
        model = SupplyReport
        fields = ["id", "month", "total_value", "local_value", "currency", "note", "local_rate", "updated_at"]
        read_only_fields = ["id", "updated_at"]
        # The service replaces a month already reported; the table's unique check would refuse it first.
        validators = []
