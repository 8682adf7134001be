"""API of local-production offsets (Thailand EV 3.5): `offset-ledgers` (read) and `subsidised-imports` (list, get;
members create and delete)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from portal.core.caller import request_person
from tenants.choices import Role

from .. import offsets
from ..models import SubsidisedImport
from ..services import offsets as offset_services


class OffsetStageSerializer(serializers.Serializer):
    deadline = serializers.DateField()
    ratio = serializers.DecimalField(max_digits=5, decimal_places=2)
    obligation = serializers.DecimalField(max_digits=14, decimal_places=2)
    credits = serializers.DecimalField(max_digits=14, decimal_places=2)
    projected = serializers.DecimalField(max_digits=14, decimal_places=2)
    shortfall = serializers.DecimalField(max_digits=14, decimal_places=2)
    progress = serializers.IntegerField(help_text="Credits as a percentage of the obligation.")
    days_left = serializers.IntegerField()
    met = serializers.BooleanField()
    source = serializers.CharField()


class OffsetLedgerSerializer(serializers.Serializer):
    scheme = serializers.CharField(source="scheme.code")
    scheme_name = serializers.CharField(source="scheme.name")
    country = serializers.CharField(source="scheme.country.code")
    today = serializers.DateField()
    status = serializers.ChoiceField(choices=["none", "met", "on_track", "behind", "missed"])
    imports = serializers.IntegerField(help_text="Vehicles imported with subsidies under the scheme.")
    produced = serializers.IntegerField(help_text="Vehicles made in the country since the scheme began.")
    exported = serializers.IntegerField(help_text="Of those, exported from the country.")
    exported_weighted = serializers.IntegerField(help_text="Of those, counted with the export weight.")
    credits = serializers.DecimalField(max_digits=14, decimal_places=2)
    rate_per_month = serializers.DecimalField(
        max_digits=14, decimal_places=1, help_text="Credits a month over the last 90 days."
    )
    current_deadline = serializers.DateField(source="current.deadline", allow_null=True, default=None)
    stages = OffsetStageSerializer(many=True)


class SubsidisedImportSerializer(serializers.ModelSerializer):
    scheme = serializers.SlugRelatedField(slug_field="code", queryset=offsets.scheme_list())

    class Meta:
        model = SubsidisedImport
        fields = ["id", "scheme", "model_name", "quantity", "imported_on", "reference", "note", "created_at"]
        read_only_fields = ["id", "created_at"]


@extend_schema_view(list=extend_schema(summary="The partner's offset ledgers (one per scheme it imported under)"))
class OffsetLedgerViewSet(viewsets.ViewSet):
    """Obligation, credits, progress and projection to each deadline, as the Thailand EV 3.5 page shows them."""

    api_scope = "compliance"
    minimum_role = Role.VIEWER
    serializer_class = OffsetLedgerSerializer

    def list(self, request):
        ledgers = offsets.ledgers_get(today=offsets.today())
        return Response(OffsetLedgerSerializer(ledgers, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="List subsidised imports"),
    retrieve=extend_schema(summary="Get a subsidised import"),
    create=extend_schema(summary="Record a subsidised import (members)"),
    destroy=extend_schema(summary="Remove a subsidised import (members)"),
)
class SubsidisedImportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Vehicles imported under a subsidy scheme that local production must offset."""

    api_scope = "compliance"
    queryset = SubsidisedImport.objects.none()
    serializer_class = SubsidisedImportSerializer

    @property
    def minimum_role(self):
        return Role.VIEWER if self.request.method in SAFE_METHODS else Role.MEMBER

    def get_queryset(self):
        return offsets.subsidised_import_list()

    def create(self, request, *args, **kwargs):
        data = SubsidisedImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = offset_services.subsidised_import_create(user=request_person(request), **data.validated_data)
        return Response(SubsidisedImportSerializer(item).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, *args, **kwargs):
        item = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        offset_services.subsidised_import_delete(pk=item.pk, user=request_person(request))
        return Response(status=status.HTTP_204_NO_CONTENT)
