"""Serializers of the events API."""

from rest_framework import serializers

from portal.collaboration.api.serializers import CountryCodeField, ProductCategoryField, TechnologyField

from ..models import Card, Event, Meeting, MeetingRequest, Session


class SessionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Session
        fields = ["id", "kind", "title", "starts_at", "ends_at", "room", "speakers"]


class EventSerializer(serializers.ModelSerializer):
    sessions = SessionSerializer(many=True, read_only=True)

    class Meta:
        model = Event
        fields = [
            "id",
            "name",
            "city",
            "venue",
            "time_zone",
            "starts_on",
            "ends_on",
            "languages",
            "registration_opens_at",
            "registration_closes_at",
            "requests_open_at",
            "requests_close_at",
            "slot_minutes",
            "sessions",
        ]


class CardSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.name", read_only=True)
    # The market's own fields: one schema name for a choice set across the API.
    tags = serializers.ListField(child=TechnologyField(), required=False)
    categories = serializers.ListField(child=ProductCategoryField(), required=False)
    markets = serializers.ListField(child=CountryCodeField(), required=False)

    class Meta:
        model = Card
        fields = [
            "id",
            "event",
            "partner",
            "kind",
            "title",
            "description",
            "tags",
            "categories",
            "markets",
            "is_private",
            "created_at",
        ]
        read_only_fields = ["partner", "created_at"]


class MeetingRequestSerializer(serializers.ModelSerializer):
    requester_name = serializers.CharField(source="requester.name", read_only=True)
    recipient_name = serializers.CharField(source="recipient.name", read_only=True)
    requester_partner = serializers.CharField(source="requester_partner.name", read_only=True)
    recipient_partner = serializers.CharField(source="recipient_partner.name", read_only=True)

    class Meta:
        model = MeetingRequest
        fields = [
            "id",
            "event",
            "requester",
            "recipient",
            "requester_name",
            "recipient_name",
            "requester_partner",
            "recipient_partner",
            "must_meet",
            "message",
            "status",
            "created_at",
            "responded_at",
        ]
        read_only_fields = ["event", "status", "created_at", "responded_at"]
        validators = []  # the service decides (and never tells whether another partner's pair has a request)


class RequestAnswerSerializer(serializers.Serializer):
    accept = serializers.BooleanField()


class AgendaEntrySerializer(serializers.ModelSerializer):
    starts_at = serializers.DateTimeField(source="slot.starts_at", read_only=True, allow_null=True)
    ends_at = serializers.DateTimeField(source="slot.ends_at", read_only=True, allow_null=True)
    table = serializers.CharField(source="table.name", read_only=True, allow_null=True)
    people = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = ["id", "status", "starts_at", "ends_at", "table", "people", "follow_up"]

    def get_people(self, meeting) -> list[str]:
        return [meeting.request.requester.name, meeting.request.recipient.name]
