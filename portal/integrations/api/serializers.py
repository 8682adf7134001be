"""Serializers of API keys."""

from rest_framework import serializers

from portal.api.scopes import SCOPE_CHOICES
from portal.integrations.models import ApiKey, WebhookDelivery, WebhookEndpoint, WebhookEvent


class ApiKeySerializer(serializers.ModelSerializer):
    scopes = serializers.ListField(
        child=serializers.ChoiceField(choices=SCOPE_CHOICES), required=False, help_text="Default: read every domain."
    )

    class Meta:
        model = ApiKey
        fields = ["prefix", "name", "scopes", "created", "expiry_date", "revoked", "last_used_at"]
        read_only_fields = ["prefix", "created", "revoked", "last_used_at"]
        extra_kwargs = {"name": {"required": True, "allow_blank": False, "max_length": 50}}


WITHHELD_HELP = (
    "Only on an Idempotency-Key replay: the one-time fields left out (they were shown once and are never stored)."
)


class ApiKeyCreatedSerializer(ApiKeySerializer):
    """Returned once, on creation: the only time the secret is shown (null on an idempotent replay)."""

    key = serializers.CharField(read_only=True, allow_null=True)
    one_time_fields_withheld = serializers.ListField(
        child=serializers.CharField(), read_only=True, required=False, help_text=WITHHELD_HELP
    )

    class Meta(ApiKeySerializer.Meta):
        fields = [*ApiKeySerializer.Meta.fields, "key", "one_time_fields_withheld"]


class WebhookEndpointSerializer(serializers.ModelSerializer):
    """An endpoint; its signing secret is shown on creation only."""

    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices), allow_empty=False)

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "is_active", "consecutive_failures", "disabled_reason", "created_at"]
        read_only_fields = ["id", "consecutive_failures", "disabled_reason", "created_at"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    """Returned on creation: the signing secret is shown this once (null on an idempotent replay)."""

    secret = serializers.CharField(read_only=True, allow_null=True)
    one_time_fields_withheld = serializers.ListField(
        child=serializers.CharField(), read_only=True, required=False, help_text=WITHHELD_HELP
    )

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret", "one_time_fields_withheld"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event",
            "payload",
            "status",
            "attempts",
            "response_status",
            "response_body",
            "error",
            "created_at",
            "last_attempt_at",
        ]
        read_only_fields = fields
