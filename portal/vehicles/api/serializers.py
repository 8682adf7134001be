"""Serializers of the vehicle registry API: shapes only, the services decide."""

import datetime

from django.utils import timezone
from rest_framework import serializers

from ..choices import Connectivity, VehicleStatus
from ..models import Vehicle, VehicleModel, VehicleStatusChange
from ..rxswin import RXSWIN_MAX_LENGTH
from ..services import BULK_LIMIT, SHIPMENT_ONLY, export_by_hand_message


class VehicleModelSerializer(serializers.ModelSerializer):
    connectivity = serializers.ListField(
        child=serializers.ChoiceField(choices=Connectivity.choices), required=False, default=list
    )

    class Meta:
        model = VehicleModel
        fields = ["id", "name", "category", "battery_chemistry", "battery_kwh", "range_km", "connectivity", "hs_code"]


class VehicleModelBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = VehicleModel
        fields = ["id", "name", "category"]


class VehicleListSerializer(serializers.ListSerializer):
    """A page of vehicles: `.values()` rows are written directly, with the time zone looked up once."""

    def to_representation(self, data):
        rows = list(data)
        if rows and isinstance(rows[0], dict):
            tz = timezone.get_current_timezone()
            return [_row(row, tz) for row in rows]
        return super().to_representation(rows)


class VehicleSerializer(serializers.ModelSerializer):
    model = VehicleModelBriefSerializer(read_only=True)
    registration_country = serializers.CharField(read_only=True, help_text="ISO 3166 code, blank until registered.")
    rxswin = serializers.CharField(
        read_only=True, help_text="UN R156 software identification number the maker recorded; blank: none recorded."
    )

    class Meta:
        model = Vehicle
        fields = [
            "vin",
            "model",
            "production_date",
            "plant",
            "status",
            "registration_country",
            "registration_region",
            "plate",
            "registration_date",
            "rxswin",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        list_serializer_class = VehicleListSerializer

    def to_representation(self, vehicle):
        # Hand-written for speed: pages of up to 1,000 vehicles; the declared fields still document the schema.
        tz = timezone.get_current_timezone()
        if isinstance(vehicle, dict):  # a row of selectors.vehicle_rows (the list endpoint)
            return _row(vehicle, tz)
        model = vehicle.model
        return {
            "vin": vehicle.vin,
            "model": {"id": model.pk, "name": model.name, "category": model.category},
            "production_date": _date(vehicle.production_date),
            "plant": vehicle.plant,
            "status": vehicle.status,
            "registration_country": str(vehicle.registration_country.code or ""),
            "registration_region": vehicle.registration_region,
            "plate": vehicle.plate,
            "registration_date": _date(vehicle.registration_date),
            "rxswin": vehicle.rxswin,
            "created_at": _datetime(vehicle.created_at, tz),
            "updated_at": _datetime(vehicle.updated_at, tz),
        }


def _row(row: dict, tz) -> dict:
    """The same shape as VehicleSerializer, from a `.values()` row."""
    return {
        "vin": row["vin"],
        "model": {"id": row["model_id"], "name": row["model__name"], "category": row["model__category"]},
        "production_date": _date(row["production_date"]),
        "plant": row["plant"],
        "status": row["status"],
        "registration_country": row["registration_country"] or "",
        "registration_region": row["registration_region"],
        "plate": row["plate"],
        "registration_date": _date(row["registration_date"]),
        "rxswin": row["rxswin"],
        "created_at": _datetime(row["created_at"], tz),
        "updated_at": _datetime(row["updated_at"], tz),
    }


def _date(value):
    return value.isoformat() if value is not None else None


def _datetime(value, tz):
    """As DRF's DateTimeField writes it (ISO 8601 in time zone `tz`, "Z" for UTC), without its overhead."""
    if value is None:
        return None
    text = value.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class StatusChangeSerializer(serializers.ModelSerializer):
    # null on the first entry (the registration has no earlier status)
    from_status = serializers.ChoiceField(choices=VehicleStatus.choices, allow_null=True, read_only=True)
    # null when an API key (no person) made the change
    changed_by = serializers.EmailField(source="changed_by.email", read_only=True, default=None, allow_null=True)

    class Meta:
        model = VehicleStatusChange
        fields = ["from_status", "to_status", "changed_by", "changed_at", "source", "note"]
        read_only_fields = fields

    def to_representation(self, change):
        data = super().to_representation(change)
        data["from_status"] = data["from_status"] or None
        return data


class VehicleDetailSerializer(VehicleSerializer):
    history = StatusChangeSerializer(source="status_changes", many=True, read_only=True)

    class Meta(VehicleSerializer.Meta):
        fields = [*VehicleSerializer.Meta.fields, "history"]
        read_only_fields = fields

    def to_representation(self, vehicle):
        data = super().to_representation(vehicle)
        tz = timezone.get_current_timezone()
        data["history"] = [
            {
                "from_status": change["from_status"] or None,
                "to_status": change["to_status"],
                "changed_by": change["changed_by"],
                "changed_at": _datetime(datetime.datetime.fromisoformat(change["changed_at"]), tz),
                "source": change["source"],
                "note": change["note"],
            }
            # JSON rows, oldest first: annotated by vehicle_get(with_history=True), or a vehicle_detail_row's
            for change in (vehicle["history_rows"] if isinstance(vehicle, dict) else vehicle.history_rows)
        ]
        return data


class VehicleRegisterSerializer(serializers.Serializer):
    """One vehicle to register; `market` picks the VIN rules (EU or an ISO country; default: the partner's)."""

    vin = serializers.CharField(max_length=30)
    model = serializers.PrimaryKeyRelatedField(queryset=VehicleModel.objects.all())
    production_date = serializers.DateField()
    plant = serializers.CharField(max_length=120, required=False, default="", allow_blank=True)
    market = serializers.CharField(max_length=8, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)
    rxswin = serializers.CharField(
        max_length=RXSWIN_MAX_LENGTH,
        required=False,
        default="",
        allow_blank=True,
        help_text="UN R156 software identification number, where the maker records one (e.g. R156-ABC-1.2.3).",
    )


class VehicleRxswinSerializer(serializers.Serializer):
    """The vehicle's RXSWIN (UN R156) after a software update; blank clears it."""

    rxswin = serializers.CharField(max_length=RXSWIN_MAX_LENGTH, allow_blank=True)
    note = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class ManualStatusField(serializers.ChoiceField):
    """The statuses a person may set; "exported" is refused with how a vehicle does become exported."""

    def __init__(self, **kwargs):
        choices = [(value, label) for value, label in VehicleStatus.choices if value not in SHIPMENT_ONLY]
        super().__init__(choices=choices, **kwargs)

    def to_internal_value(self, data):
        if data in SHIPMENT_ONLY:
            raise serializers.ValidationError(export_by_hand_message(), code="export_by_shipment")
        return super().to_internal_value(data)


class VehicleStatusChangeSerializer(serializers.Serializer):
    """A status change by hand; registration needs `registration_country` and `registration_date`.

    "exported" is not one: a vehicle becomes exported when a shipment carrying it ships.
    """

    to_status = ManualStatusField()
    registration_country = serializers.CharField(max_length=2, required=False, default="", allow_blank=True)
    registration_region = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)
    plate = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    registration_date = serializers.DateField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class BulkVehicleRowSerializer(serializers.Serializer):
    """A row of a bulk call (documentation only: rows are validated together by the service)."""

    vin = serializers.CharField()
    model = serializers.CharField(help_text="Id or name of the vehicle model.")
    production_date = serializers.DateField()
    plant = serializers.CharField(required=False)
    rxswin = serializers.CharField(required=False, help_text="UN R156 software identification number, if recorded.")


class VehicleBulkSerializer(serializers.Serializer):
    """Up to 10,000 vehicles, validated together and written in one transaction (or not at all)."""

    vehicles = serializers.ListField(child=serializers.DictField(), allow_empty=False, max_length=BULK_LIMIT)
    market = serializers.CharField(max_length=8, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class VehicleBulkDocSerializer(VehicleBulkSerializer):
    vehicles = BulkVehicleRowSerializer(many=True)


class VehicleWarningSerializer(serializers.Serializer):
    """A finding about a registered VIN that did not stop it."""

    code = serializers.CharField(help_text="check_digit, model_year, wmi_unknown")
    message = serializers.CharField()


class VehicleCreatedSerializer(VehicleSerializer):
    """The registered vehicle and its warnings (documentation of the 201 body)."""

    warnings = VehicleWarningSerializer(many=True, read_only=True)

    class Meta(VehicleSerializer.Meta):
        fields = [*VehicleSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


class BulkWarningSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class VehicleBulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    vins = serializers.ListField(child=serializers.CharField())
    warnings = BulkWarningSerializer(many=True, help_text="Findings that did not stop a row (by row index).")
