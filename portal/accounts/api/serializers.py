"""Serializers of partners, people and memberships."""

from django_countries.serializer_fields import CountryField
from rest_framework import serializers

from tenants.choices import PartnerKind, PartnerTier
from tenants.models import Membership, Partner, User
from tenants.selectors import partner_url


class PartnerSerializer(serializers.ModelSerializer):
    slug = serializers.CharField(read_only=True)
    country = CountryField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Partner
        fields = ["id", "slug", "name", "kind", "country", "city", "tier", "member_since", "is_active", "url"]

    def get_url(self, partner) -> str:
        return partner_url(partner)


class PartnerProvisionSerializer(serializers.Serializer):
    """Input of partner provisioning."""

    slug = serializers.CharField(max_length=42)
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=PartnerKind.choices)
    country = CountryField()
    city = serializers.CharField(max_length=100, required=False, default="")
    tier = serializers.ChoiceField(choices=PartnerTier.choices, default=PartnerTier.FULL)
    owner_email = serializers.EmailField(required=False)


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name", "is_staff", "preferred_language"]


class MembershipSerializer(serializers.ModelSerializer):
    partner = PartnerSerializer()

    class Meta:
        model = Membership
        fields = ["partner", "role"]


class MeSerializer(serializers.Serializer):
    """Who is calling, and as which partner."""

    kind = serializers.ChoiceField(choices=["user", "api_key"])
    user = UserSerializer(allow_null=True)
    api_key = serializers.DictField(allow_null=True)
    partner = PartnerSerializer(allow_null=True)
    role = serializers.CharField(allow_null=True)
    memberships = MembershipSerializer(many=True)
