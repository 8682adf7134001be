"""Serializers of audit events."""

from rest_framework import serializers

from ..models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_label", read_only=True)
    partner = serializers.SlugRelatedField(slug_field="schema_name", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "action",
            "actor",
            "partner",
            "target_type",
            "target_id",
            "target_label",
            "details",
            "request_id",
            "ip_address",
            "method",
            "path",
        ]
        read_only_fields = fields
