"""API of the caller and of partners."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.permissions import IsAllianceStaff, IsSignedInHere, partner_context
from portal.api.principals import ApiKeyPrincipal
from tenants.filters import PartnerFilterSet
from tenants.selectors import membership_list_for_user, partner_list
from tenants.services import partner_provision

from .serializers import MeSerializer, PartnerProvisionSerializer, PartnerSerializer


class MeView(APIView):
    """The caller (person or API key) and the partner it acts for."""

    permission_classes = [IsSignedInHere]

    @extend_schema(responses=MeSerializer)
    def get(self, request, *args, **kwargs):
        partner = partner_context(request)
        principal = request.user
        if isinstance(principal, ApiKeyPrincipal):
            data = {
                "kind": "api_key",
                "user": None,
                "api_key": {"prefix": principal.key.prefix, "name": principal.key.name},
                "memberships": [],
            }
        else:
            data = {
                "kind": "user",
                "user": principal,
                "api_key": None,
                "memberships": membership_list_for_user(user=principal),
            }
        data.update(partner=partner, role=getattr(request, "role", None))
        return Response(MeSerializer(data).data)


class PartnerViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """The alliance's partner directory; staff provision new partners here."""

    serializer_class = PartnerSerializer
    filterset_class = PartnerFilterSet
    ordering_fields = ["name", "member_since", "country"]
    ordering = ["name"]

    def get_queryset(self):
        return partner_list()

    def get_permissions(self):
        return [IsAllianceStaff()] if self.action == "create" else [IsSignedInHere()]

    @extend_schema(request=PartnerProvisionSerializer, responses={201: PartnerSerializer})
    def create(self, request, *args, **kwargs):
        serializer = PartnerProvisionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        provisioned = partner_provision(**serializer.validated_data)
        return Response(PartnerSerializer(provisioned.partner).data, status=status.HTTP_201_CREATED)
