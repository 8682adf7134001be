"""Serializers of collaboration projects."""

from django_countries import countries
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tenants.models import Partner

from ..choices import BudgetRange, ListingKind, ParticipantStatus, ProductCategory, Stage, Technology
from ..models import Listing, Milestone, Participant, Product, Project, TimelineEvent, Transition


def _one_of(values) -> dict:
    """A string listed by description, not as an enum: the enum hook names enums by field name, and these
    choice sets appear under several names (or those names carry other sets elsewhere in the API)."""
    return {"type": "string", "description": "One of: " + ", ".join(v or "(blank)" for v in values)}


@extend_schema_field({"type": "string", "enum": Stage.values})
class StageField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Stage.choices, **kwargs)


@extend_schema_field(_one_of(Stage.values))
class StageNamedField(StageField):
    """A stage under another field name (to_stage)."""


@extend_schema_field(_one_of(["", *Stage.values]))
class FromStageField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=[("", "-"), *Stage.choices], **kwargs)


@extend_schema_field(_one_of(ParticipantStatus.values))
class ParticipantStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ParticipantStatus.choices, **kwargs)


@extend_schema_field({"type": "string", "enum": Technology.values})
class TechnologyField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=Technology.choices, **kwargs)


@extend_schema_field(_one_of(Technology.values))
class FeatureField(TechnologyField):
    """A technology under another field name (product features)."""


@extend_schema_field(_one_of(ProductCategory.values))
class ProductCategoryField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ProductCategory.choices, **kwargs)


@extend_schema_field({"type": "string", "minLength": 2, "maxLength": 2, "description": "ISO 3166 country code"})
class CountryCodeField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=list(countries), **kwargs)

    def to_internal_value(self, data):
        return super().to_internal_value(str(data).upper())


class PartnerRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Partner
        fields = ["id", "name", "kind"]


class ParticipantSerializer(serializers.ModelSerializer):
    partner = PartnerRefSerializer(read_only=True)
    status = ParticipantStatusField(read_only=True)

    class Meta:
        model = Participant
        fields = ["partner", "status", "invited_at", "responded_at"]


class ProjectSerializer(serializers.ModelSerializer):
    owner = PartnerRefSerializer(read_only=True)
    participants = ParticipantSerializer(many=True, read_only=True)
    tags = serializers.ListField(child=TechnologyField(), required=False)
    markets = serializers.ListField(child=CountryCodeField(), required=False)
    budget_range = serializers.ChoiceField(choices=BudgetRange.choices, required=False, allow_blank=True)
    stage = StageField(read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "title",
            "summary",
            "tags",
            "markets",
            "budget_range",
            "stage",
            "version",
            "owner",
            "participants",
            "stage_changed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["stage", "version", "stage_changed_at", "created_at", "updated_at"]


class ProjectUpdateSerializer(ProjectSerializer):
    """A change to a project's description: `version` is the one the caller read (optimistic locking)."""

    version = serializers.IntegerField(min_value=1)
    title = serializers.CharField(max_length=200, required=False)

    class Meta(ProjectSerializer.Meta):
        read_only_fields = ["stage", "stage_changed_at", "created_at", "updated_at"]


class TransitionSerializer(serializers.ModelSerializer):
    by_partner = PartnerRefSerializer(read_only=True)
    # null when an API key (no person) moved the project
    by_user = serializers.EmailField(source="by_user.email", read_only=True, default=None, allow_null=True)
    from_stage = FromStageField(read_only=True)
    to_stage = StageNamedField(read_only=True)

    class Meta:
        model = Transition
        fields = ["id", "project", "from_stage", "to_stage", "at", "reason", "by_user", "by_partner", "evidence"]


class TransitionRequestSerializer(serializers.Serializer):
    to_stage = StageNamedField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    evidence = serializers.FileField(
        required=False, help_text="A document (multipart); moving on to signed needs the signed agreement."
    )
    version = serializers.IntegerField(min_value=1)


class InviteSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.members().active())


class TimelineEventSerializer(serializers.ModelSerializer):
    partner = PartnerRefSerializer(read_only=True)
    description = serializers.CharField(read_only=True, help_text="The line in the request's language.")
    params = serializers.JSONField(read_only=True, help_text="Codes of the line (stages, field names, dates).")

    class Meta:
        model = TimelineEvent
        fields = ["id", "kind", "at", "text", "params", "description", "partner"]


class MilestoneSerializer(serializers.ModelSerializer):
    owner = PartnerRefSerializer(read_only=True)

    class Meta:
        model = Milestone
        fields = ["id", "project", "title", "due_date", "owner", "done"]
        read_only_fields = ["done"]

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects


class ProductSerializer(serializers.ModelSerializer):
    partner = PartnerRefSerializer(read_only=True)
    category = ProductCategoryField()
    features = serializers.ListField(child=FeatureField(), required=False)
    markets = serializers.ListField(child=CountryCodeField(), required=False)

    class Meta:
        model = Product
        fields = ["id", "name", "category", "features", "launch_date", "markets", "partner", "project"]

    def __init__(self, *args, projects=None, **kwargs):
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects


class ListingSerializer(serializers.ModelSerializer):
    partner = PartnerRefSerializer(read_only=True)
    kind = serializers.ChoiceField(choices=ListingKind.choices)
    tags = serializers.ListField(child=TechnologyField(), required=False)
    markets = serializers.ListField(child=CountryCodeField(), required=False)

    class Meta:
        model = Listing
        fields = [
            "id",
            "kind",
            "title",
            "description",
            "tags",
            "markets",
            "partner_kinds",
            "capacity",
            "is_open",
            "partner",
        ]
        read_only_fields = ["is_open"]


class SuggestionSerializer(serializers.Serializer):
    partner = PartnerRefSerializer()
    score = serializers.IntegerField()
    kind_fit = serializers.BooleanField()
    tag_fit = serializers.BooleanField()
    market_fit = serializers.BooleanField()


class SuggestionAcceptSerializer(serializers.Serializer):
    partner = serializers.PrimaryKeyRelatedField(queryset=Partner.objects.members().active())


class FunnelStageSerializer(serializers.Serializer):
    stage = StageField()
    current = serializers.IntegerField()
    reached = serializers.IntegerField()
    conversion_pct = serializers.FloatField(allow_null=True)
    median_days = serializers.FloatField(allow_null=True)


class FunnelSerializer(serializers.Serializer):
    stages = FunnelStageSerializer(many=True)
    exits = serializers.DictField(child=serializers.IntegerField())
    total = serializers.IntegerField()
    stalled_days = serializers.IntegerField()
    stalled_count = serializers.IntegerField()
