"""Serializers of the statistics API."""

from rest_framework import serializers

from ..choices import Breakdown, CellStatus, RiskKind, TargetMetric


class MeasureSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    breakdowns = serializers.ListField(child=serializers.ChoiceField(choices=Breakdown.choices))


class CellSerializer(serializers.Serializer):
    """One cell: `value` is null when it is suppressed for the caller; `own_value` is the caller's own figure."""

    measure = serializers.CharField()
    breakdown = serializers.ChoiceField(choices=Breakdown.choices)
    period = serializers.DateField(help_text="The first day of the month.")
    key = serializers.CharField(help_text="The breakdown's value (a category, a country code, …); blank on totals.")
    label = serializers.CharField()
    value = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True)
    suppressed = serializers.BooleanField()
    status = serializers.ChoiceField(choices=CellStatus.choices)
    own_value = serializers.DecimalField(max_digits=20, decimal_places=2, allow_null=True, required=False)
    contributors = serializers.IntegerField(required=False, help_text="Staff only.")
    top_share = serializers.FloatField(required=False, help_text="Staff only.")


class WarningSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RiskKind.choices)
    partner = serializers.CharField(source="partner.slug", allow_null=True, default=None)
    period = serializers.DateField()
    subject = serializers.CharField()
    value = serializers.FloatField()
    threshold = serializers.FloatField()


class TargetProgressSerializer(serializers.Serializer):
    metric = serializers.ChoiceField(choices=TargetMetric.choices, source="target.metric")
    target = serializers.DecimalField(max_digits=16, decimal_places=0, source="target.value")
    year = serializers.IntegerField(source="target.year")
    current = serializers.FloatField(allow_null=True, help_text="Null when not disclosed to the caller.")
    percent = serializers.FloatField(allow_null=True)
    growth = serializers.FloatField(
        allow_null=True, help_text="Per year: a rate for vehicles, an increment for counts."
    )
    projected = serializers.FloatField(allow_null=True)
    on_track = serializers.BooleanField(allow_null=True, read_only=True, help_text="Null without a projection.")


class StatisticsFunnelStageSerializer(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    reached = serializers.IntegerField(allow_null=True, help_text="Null when suppressed for the caller.")
    current = serializers.IntegerField(allow_null=True)
    conversion_pct = serializers.FloatField(allow_null=True, help_text="Of the projects that reached the stage before.")
    median_days = serializers.FloatField(allow_null=True)
    suppressed = serializers.BooleanField()


class StatisticsFunnelSerializer(serializers.Serializer):
    alliance = StatisticsFunnelStageSerializer(many=True)
    own = StatisticsFunnelStageSerializer(many=True, allow_null=True, help_text="Projects the caller's partner owns.")
