"""Serializers of the compliance API: shapes only, the services decide."""

from django_countries.serializer_fields import CountryField
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.reference.models import CertificateType, Embargo, MarketBloc, MarketRequirement
from portal.vehicles.models import VehicleModel
from portal.vehicles.rxswin import RXSWIN_MAX_LENGTH, validate_rxswin

from ..choices import Incoterm
from ..models import Certificate, ReleaseRequest, Shipment, ShipmentCheck, ShipmentOverride
from ..reasons import reasons_explained
from ..selectors import release_request_pending
from ..services.releases import shipment_may_ship
from ..services.shipments import SHIPMENT_FIELDS


class CertificateTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CertificateType
        fields = ["id", "code", "name", "description", "max_validity_months"]
        read_only_fields = fields


class MarketBlocSerializer(serializers.ModelSerializer):
    class Meta:
        model = MarketBloc
        fields = ["id", "code", "name", "countries"]
        read_only_fields = fields


class MarketRequirementSerializer(serializers.ModelSerializer):
    certificate_type = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = MarketRequirement
        fields = [
            "id",
            "market",
            "categories",
            "lithium_only",
            "min_battery_kwh",
            "certificate_type",
            "per_shipment",
            "valid_on",
            "effect",
            "effective_from",
            "effective_until",
            "source_reference",
            "note",
        ]
        read_only_fields = fields


class EmbargoSerializer(serializers.ModelSerializer):
    country = CountryField(read_only=True)

    class Meta:
        model = Embargo
        fields = ["id", "country", "severity", "effective_from", "effective_until", "source_reference", "note"]
        read_only_fields = fields


class CertificateSerializer(serializers.ModelSerializer):
    certificate_type = serializers.SlugRelatedField(slug_field="code", queryset=CertificateType.objects.all())
    vehicle_models = serializers.PrimaryKeyRelatedField(
        many=True, queryset=VehicleModel.objects.all(), help_text="Ids of the vehicle models it covers."
    )
    file = serializers.FileField(write_only=True, required=False, help_text="PDF or image, up to 10 MB.")
    file_url = serializers.SerializerMethodField()
    rxswins = serializers.ListField(
        child=serializers.CharField(max_length=RXSWIN_MAX_LENGTH, validators=[validate_rxswin], trim_whitespace=True),
        required=False,
        max_length=500,
        help_text="UN R156: the RXSWINs (software identification numbers) the approval covers; empty: none listed.",
    )

    class Meta:
        model = Certificate
        fields = [
            "id",
            "certificate_type",
            "number",
            "issuing_body",
            "vehicle_models",
            "valid_from",
            "valid_to",
            "note",
            "rxswins",
            "file",
            "file_name",
            "content_type",
            "size",
            "file_url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "file_name", "content_type", "size", "file_url", "created_at", "updated_at"]

    def get_file_url(self, certificate) -> str | None:
        if not certificate.file:
            return None
        request = self.context.get("request")
        path = f"/api/v1/certificates/{certificate.pk}/file/"
        return request.build_absolute_uri(path) if request else path

    def validate(self, attrs):
        # Model validation is the service's job; skip the ModelSerializer's unique-together guesses.
        return attrs


class ReleaseSerializer(serializers.ModelSerializer):
    """Who released the shipment's latest check, when and why."""

    officer = serializers.EmailField(source="officer_email", read_only=True)
    approved_by = serializers.SerializerMethodField(help_text="The second officer of a four-eyes release, or null.")
    released_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = ShipmentOverride
        fields = ["officer", "approved_by", "released_at", "reason", "verdict", "check_run"]
        read_only_fields = fields

    def get_approved_by(self, override) -> str | None:
        return override.approved_by_email or None


class ShipmentSerializer(serializers.ModelSerializer):
    origin = CountryField(
        required=False, allow_blank=True, help_text="Exported from (TH for vehicles made in Thailand); blank: China."
    )
    destination = CountryField()
    consignee_country = CountryField()
    incoterm = serializers.ChoiceField(choices=Incoterm.choices)
    latest_check = serializers.PrimaryKeyRelatedField(read_only=True)
    released = serializers.BooleanField(
        read_only=True, help_text="The latest check is blocked or needs review, and compliance officers released it."
    )
    release = ReleaseSerializer(read_only=True, allow_null=True, help_text="Who released it, when and why; or null.")

    class Meta:
        model = Shipment
        fields = [
            "id",
            *SHIPMENT_FIELDS,
            "status",
            "verdict",
            "released",
            "release",
            "latest_check",
            "vehicle_count",
            "created_at",
            "updated_at",
            "shipped_at",
        ]
        read_only_fields = [
            "id",
            "status",
            "verdict",
            "released",
            "release",
            "latest_check",
            "vehicle_count",
            "created_at",
            "updated_at",
            "shipped_at",
        ]

    def validate(self, attrs):
        return attrs


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["block", "review", "info"])
    key = serializers.CharField()
    params = serializers.DictField()
    text = serializers.CharField(help_text="The reason in plain words, in the request's language.")


class ShipmentCheckSerializer(serializers.ModelSerializer):
    reasons = serializers.SerializerMethodField()
    checked_by = serializers.EmailField(source="checked_by.email", read_only=True, default=None, allow_null=True)

    class Meta:
        model = ShipmentCheck
        fields = [
            "id",
            "shipment",
            "verdict",
            "reasons",
            "rules_version",
            "screening_version",
            "versions",
            "thresholds",
            "checked_on",
            "expected_arrival",
            "destination",
            "consignee_name",
            "vehicle_count",
            "trigger",
            "checked_by",
            "checked_at",
            "duration_ms",
        ]
        read_only_fields = fields

    def get_reasons(self, check) -> list[dict]:
        return ReasonSerializer(reasons_explained(check.reasons), many=True).data


class ShipmentOverrideSerializer(serializers.ModelSerializer):
    class Meta:
        model = ShipmentOverride
        fields = [
            "id",
            "shipment",
            "check_run",
            "verdict",
            "reason_codes",
            "reason",
            "officer_email",
            "approved_by_email",
            "created_at",
        ]
        read_only_fields = fields


class ReleaseRequestSerializer(serializers.ModelSerializer):
    """A four-eyes release request: a second, different compliance officer approves or declines it."""

    class Meta:
        model = ReleaseRequest
        fields = [
            "id",
            "shipment",
            "check_run",
            "verdict",
            "reason_codes",
            "reason",
            "requested_by_email",
            "status",
            "decided_by_email",
            "decided_at",
            "decision_note",
            "created_at",
        ]
        read_only_fields = fields


class ReleaseDeclineSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=4000, required=False, allow_blank=True)


class ShipmentDetailSerializer(ShipmentSerializer):
    check = ShipmentCheckSerializer(source="latest_check", read_only=True, allow_null=True)
    may_ship = serializers.SerializerMethodField()
    release_request = serializers.SerializerMethodField(help_text="The release waiting for a second officer, or null.")

    class Meta(ShipmentSerializer.Meta):
        fields = [*ShipmentSerializer.Meta.fields, "check", "may_ship", "release_request"]
        read_only_fields = [*ShipmentSerializer.Meta.read_only_fields, "check", "may_ship", "release_request"]

    def get_may_ship(self, shipment) -> bool:
        return shipment_may_ship(shipment=shipment)

    @extend_schema_field(ReleaseRequestSerializer(allow_null=True))
    def get_release_request(self, shipment) -> dict | None:
        pending = release_request_pending(shipment=shipment)
        return ReleaseRequestSerializer(pending).data if pending is not None else None


class VehiclesChangeSerializer(serializers.Serializer):
    vins = serializers.ListField(child=serializers.CharField(max_length=30), allow_empty=False, max_length=50_000)


class VehiclesAddedSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    skipped = serializers.IntegerField()
    shipment = ShipmentDetailSerializer()


class VehiclesRemovedSerializer(serializers.Serializer):
    removed = serializers.IntegerField()
    shipment = ShipmentDetailSerializer()


class OverrideRequestSerializer(serializers.Serializer):
    reason = serializers.CharField(min_length=20, max_length=4000)
