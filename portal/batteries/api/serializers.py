"""Serializers of the battery passport API: shapes only, the services decide."""

from rest_framework import serializers

from ..choices import BatteryCategory, BatteryStatus, ReadingSource
from ..models import Battery, BatteryFitment, BatteryModel, BatteryReading
from ..selectors import PassportEntry


class BatteryModelSerializer(serializers.ModelSerializer):
    values = serializers.DictField(required=False, default=dict, help_text="Static passport values by attribute id.")

    class Meta:
        model = BatteryModel
        fields = ["id", "code", "name", "category", "chemistry", "values", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class BatterySerializer(serializers.ModelSerializer):
    battery_model = serializers.SlugRelatedField(slug_field="code", read_only=True)
    vin = serializers.CharField(source="vehicle.vin", read_only=True, default=None)

    class Meta:
        model = Battery
        fields = [
            "identifier",
            "category",
            "battery_model",
            "status",
            "vin",
            "complete",
            "values",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class BatteryCreateSerializer(serializers.Serializer):
    identifier = serializers.CharField(max_length=100)
    battery_model = serializers.SlugRelatedField(slug_field="code", queryset=BatteryModel.objects.all())
    category = serializers.ChoiceField(choices=BatteryCategory.choices, required=False)
    status = serializers.ChoiceField(choices=BatteryStatus.choices, default=BatteryStatus.ORIGINAL)
    values = serializers.DictField(required=False, default=dict)
    vin = serializers.CharField(max_length=17, required=False, allow_blank=True, default="")
    fitted_on = serializers.DateField(required=False, allow_null=True, default=None)


class BatteryUpdateSerializer(serializers.Serializer):
    identifier = serializers.CharField(max_length=100, required=False)
    battery_model = serializers.SlugRelatedField(slug_field="code", queryset=BatteryModel.objects.all(), required=False)
    status = serializers.ChoiceField(choices=BatteryStatus.choices, required=False)
    values = serializers.DictField(required=False, help_text="Replaces the battery's own values.")
    values_merge = serializers.DictField(required=False, help_text="Adds to them (null removes one).")


class BatteryFitSerializer(serializers.Serializer):
    vin = serializers.CharField(max_length=17)
    fitted_on = serializers.DateField()


class BatteryFitmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = BatteryFitment
        fields = ["vin", "fitted_on", "removed_on"]


class BatteryReadingSerializer(serializers.ModelSerializer):
    source = serializers.ChoiceField(choices=ReadingSource.choices, default=ReadingSource.API)

    class Meta:
        model = BatteryReading
        fields = [
            "measured_at",
            "state_of_health",
            "capacity_fade",
            "cycles",
            "energy_throughput",
            "negative_event",
            "source",
        ]
        extra_kwargs = {"negative_event": {"required": False}}
        # The service upserts on (battery, time, source): the unique-together check would refuse the update.
        validators = []


class PassportEntrySerializer(serializers.Serializer):
    attribute = serializers.CharField(source="attribute.code")
    name = serializers.CharField(source="attribute.name")
    access = serializers.CharField(source="attribute.access")
    value = serializers.SerializerMethodField()

    def get_value(self, entry: PassportEntry):
        value = entry.value
        return value if value is None or isinstance(value, str | int | float | bool | list | dict) else str(value)


class BatteryDetailSerializer(BatterySerializer):
    fitments = BatteryFitmentSerializer(many=True, read_only=True)

    class Meta(BatterySerializer.Meta):
        fields = [*BatterySerializer.Meta.fields, "fitments"]
        read_only_fields = fields
