"""Serializers of audit events."""

from rest_framework import serializers

from ..models import AuditEvent


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()
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

    def get_actor(self, event) -> str:
        """Who acted; a partner's owners are not told who an outsider was (staff are)."""
        request = self.context.get("request")
        return event.label_for_owners if getattr(request, "partner", None) is not None else event.actor_label
