"""API of the battery import: the vehicle import's endpoint for the two battery kinds (`battery-imports/`)."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response

from portal.api.routers import ApiRouter
from portal.core.uploads import MAX_UPLOAD_BYTES
from portal.vehicles.api.imports import VehicleImportDetailSerializer, VehicleImportSerializer, VehicleImportViewSet
from portal.vehicles.choices import ImportMode
from portal.vehicles.importing.services import import_job_create

from .targets import BATTERIES, KINDS


class BatteryImportSerializer(VehicleImportSerializer):
    """A battery import job and its progress."""

    class Meta(VehicleImportSerializer.Meta):
        fields = ["id", "kind", *(name for name in VehicleImportSerializer.Meta.fields if name not in ("id", "market"))]
        read_only_fields = fields


class BatteryImportDetailSerializer(VehicleImportDetailSerializer):
    """One battery import with its first warnings."""

    class Meta(VehicleImportDetailSerializer.Meta):
        fields = ["id", "kind", *(n for n in VehicleImportDetailSerializer.Meta.fields if n not in ("id", "market"))]
        read_only_fields = fields


class BatteryImportCreateSerializer(serializers.Serializer):
    """A multipart upload: the file, what it holds and how to import it."""

    file = serializers.FileField(
        help_text=f"CSV (UTF-8 with or without BOM, UTF-16, GBK/GB18030; comma, semicolon or tab) or XLSX with a "
        f"header row; at most {MAX_UPLOAD_BYTES // 2**20} MB."
    )
    kind = serializers.ChoiceField(choices=KINDS, default=BATTERIES, help_text="batteries or battery_readings")
    mode = serializers.ChoiceField(choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING)
    dry_run = serializers.BooleanField(default=False)


@extend_schema_view(
    list=extend_schema(summary="List battery imports"),
    retrieve=extend_schema(summary="Get a battery import and its progress"),
    commit=extend_schema(summary="Import a finished dry run's file without uploading it again"),
    warnings=extend_schema(summary="Warnings of a battery import's rows"),
    errors=extend_schema(summary="Rejected rows of a battery import"),
    errors_csv=extend_schema(summary="Rejected rows of a battery import as CSV"),
)
class BatteryImportViewSet(VehicleImportViewSet):
    """Bulk battery and reading imports: viewers read, members and above (and `batteries:write` keys) upload."""

    api_scope = "batteries"
    kinds = KINDS

    def get_serializer_class(self):
        if self.action == "create":
            return BatteryImportCreateSerializer
        return BatteryImportDetailSerializer if self.action == "retrieve" else BatteryImportSerializer

    @extend_schema(
        summary="Upload a file of batteries or readings to import",
        request=BatteryImportCreateSerializer,
        responses={202: BatteryImportDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = BatteryImportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user if getattr(request.user, "pk", None) and hasattr(request.user, "email") else None
        job = import_job_create(
            user=user, upload=data["file"], market="EU", mode=data["mode"], dry_run=data["dry_run"], kind=data["kind"]
        )
        return Response(BatteryImportDetailSerializer(job).data, status=status.HTTP_202_ACCEPTED)


router = ApiRouter()
router.register("battery-imports", BatteryImportViewSet, basename="battery-import")
urlpatterns = router.urls
