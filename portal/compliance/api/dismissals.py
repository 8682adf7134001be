"""API of dismissed screening hits: `screening-dismissals` (list, get; officers signed in create and revoke)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from tenants.choices import Role

from .. import dismissals as dismissal_selectors
from .. import selectors
from ..models import ScreeningDismissal
from ..services import dismissals as dismissals_services
from .views import as_officer


class ScreeningDismissalSerializer(serializers.ModelSerializer):
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = ScreeningDismissal
        fields = [
            "id",
            "entry_id",
            "entry_name",
            "consignee_name",
            "consignee_country",
            "reason",
            "shipment",
            "dismissed_by_email",
            "created_at",
            "revoked_at",
            "revoked_by_email",
            "in_force",
        ]
        read_only_fields = fields

    def get_in_force(self, dismissal) -> bool:
        return dismissal.revoked_at is None


class ScreeningDismissRequestSerializer(serializers.Serializer):
    shipment = serializers.IntegerField()
    entry_id = serializers.IntegerField()
    reason = serializers.CharField(min_length=20, max_length=4000)


@extend_schema_view(
    list=extend_schema(summary="List screening hits marked not the listed party (in force and revoked)"),
    retrieve=extend_schema(summary="Get a dismissed screening hit"),
)
class ScreeningDismissalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Hits officers found not to be the listed party: not raised again until the entry or the consignee changes."""

    api_scope = "compliance"
    queryset = ScreeningDismissal.objects.none()
    serializer_class = ScreeningDismissalSerializer

    @property
    def minimum_role(self):
        return Role.VIEWER if self.request.method in SAFE_METHODS else Role.MEMBER

    def get_queryset(self):
        return dismissal_selectors.dismissal_list()

    @extend_schema(
        summary="Mark a hit of a shipment's latest check not the listed party (compliance officers, signed in)",
        request=ScreeningDismissRequestSerializer,
        responses={201: ScreeningDismissalSerializer},
    )
    def create(self, request, *args, **kwargs):
        data = ScreeningDismissRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        dismissal = as_officer(
            request,
            dismissals_services.screening_hit_dismiss,
            shipment=selectors.shipment_get(pk=data.validated_data["shipment"]),
            entry_id=data.validated_data["entry_id"],
            reason=data.validated_data["reason"],
        )
        return Response(ScreeningDismissalSerializer(dismissal).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Revoke a dismissal (compliance officers): the hit is raised again", request=None)
    @action(detail=True, methods=["post"])
    def revoke(self, request, *args, **kwargs):
        dismissal = as_officer(request, dismissals_services.screening_dismissal_revoke, dismissal=self.get_object())
        return Response(ScreeningDismissalSerializer(dismissal).data)
