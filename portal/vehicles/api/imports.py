"""API of the bulk vehicle import: upload (multipart → 202), progress, list, and the rejected rows (JSON or CSV)."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from portal.api.parsers import BoundedJSONParser
from portal.core.uploads import MAX_UPLOAD_BYTES

from ..choices import ImportMode
from ..importing.selectors import (
    import_job_get,
    import_job_list,
    import_job_outcome,
    import_job_progress,
    import_rejection_list,
    import_rejections_csv,
    import_warning_list,
)
from ..importing.services import import_job_commit, import_job_create
from ..importing.targets import VEHICLES
from ..models import ImportJob, ImportRejection

WARNINGS_INLINE = 100


class VehicleImportSerializer(serializers.ModelSerializer):
    """An import job and its progress."""

    progress_percent = serializers.SerializerMethodField()
    outcome = serializers.SerializerMethodField(help_text="What happened, in words: imported, refused, would be.")
    created_by = serializers.EmailField(source="created_by.email", read_only=True, default=None)
    committed_from = serializers.UUIDField(
        source="committed_from_id", read_only=True, allow_null=True, help_text="The dry run this run imports."
    )

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "original_name",
            "size_bytes",
            "market",
            "mode",
            "dry_run",
            "status",
            "phase",
            "progress_percent",
            "rows_total",
            "rows_processed",
            "rows_valid",
            "rows_rejected",
            "rows_created",
            "rows_updated",
            "rows_unchanged",
            "rows_warned",
            "outcome",
            "committed_from",
            "error_message",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
        ]
        read_only_fields = fields

    def get_progress_percent(self, job) -> int:
        return import_job_progress(job)

    def get_outcome(self, job) -> str:
        return import_job_outcome(job).text


class VehicleImportWarningSerializer(serializers.ModelSerializer):
    """A warning of a row that was imported all the same (e.g. an advisory VIN check digit in the EU)."""

    message = serializers.CharField(source="reason")

    class Meta:
        model = ImportRejection
        fields = ["line", "column", "value", "message"]
        read_only_fields = fields


class VehicleImportDetailSerializer(VehicleImportSerializer):
    """One import with its first warnings (all of them: `…/warnings/`)."""

    warnings = serializers.SerializerMethodField()

    class Meta(VehicleImportSerializer.Meta):
        fields = [*VehicleImportSerializer.Meta.fields, "warnings"]
        read_only_fields = fields

    def get_warnings(self, job) -> list[dict]:
        rows = import_warning_list(job=job)[:WARNINGS_INLINE] if job.rows_warned else []
        return VehicleImportWarningSerializer(rows, many=True).data


class VehicleImportCreateSerializer(serializers.Serializer):
    """A multipart upload: the file and how to import it."""

    file = serializers.FileField(
        help_text=f"CSV (UTF-8 with or without BOM, UTF-16, GBK/GB18030; comma, semicolon or tab) or XLSX with a "
        f"header row; at most {MAX_UPLOAD_BYTES // 2**20} MB."
    )
    market = serializers.CharField(default="CN", max_length=8, help_text="Target market: ISO country code or EU.")
    mode = serializers.ChoiceField(choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING)
    dry_run = serializers.BooleanField(default=False)


class VehicleImportCommitSerializer(serializers.Serializer):
    """How to import a finished dry run's file: its mode by default."""

    mode = serializers.ChoiceField(choices=ImportMode.choices, required=False, allow_null=True, default=None)


class VehicleImportRejectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImportRejection
        fields = ["line", "column", "value", "reason"]
        read_only_fields = fields


class CsvRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes | str) else b""


@extend_schema_view(
    list=extend_schema(summary="List vehicle imports"),
    retrieve=extend_schema(summary="Get a vehicle import and its progress"),
)
class VehicleImportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Bulk vehicle imports: viewers read, members and above (and write keys) upload."""

    api_scope = "vehicles"
    kinds: tuple[str, ...] = (VEHICLES,)  # the kinds of import this endpoint lists and answers for

    serializer_class = VehicleImportSerializer
    parser_classes = [MultiPartParser, FormParser]
    lookup_value_regex = "[0-9a-fA-F-]{32,36}"
    filterset_class = None
    filter_backends = []

    def get_queryset(self):
        return import_job_list(kinds=self.kinds)

    def handle_exception(self, exc):
        # An error is JSON in the API's error shape even where the success is a CSV file.
        response = super().handle_exception(exc)
        self.request.accepted_renderer, self.request.accepted_media_type = JSONRenderer(), "application/json"
        return response

    def get_serializer_class(self):
        # The upload's own serializer, so the OpenAPI schema documents its validation errors too.
        if self.action == "create":
            return VehicleImportCreateSerializer
        return VehicleImportDetailSerializer if self.action == "retrieve" else VehicleImportSerializer

    def get_object(self):
        job = import_job_get(job_id=self.kwargs["pk"], kinds=self.kinds)
        if job is None:
            raise NotFound()
        return job

    @extend_schema(
        summary="Upload a file to import",
        request=VehicleImportCreateSerializer,
        responses={202: VehicleImportDetailSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user if getattr(request.user, "pk", None) and hasattr(request.user, "email") else None
        job = import_job_create(
            user=user, upload=data["file"], market=data["market"], mode=data["mode"], dry_run=data["dry_run"]
        )
        return Response(VehicleImportDetailSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Import a finished dry run's file without uploading it again",
        description="A new run of the stored file (checked again), linked to the dry run by `committed_from`. "
        "A dry run is imported once: asking again answers with the same run.",
        request=VehicleImportCommitSerializer,
        responses={202: VehicleImportDetailSerializer},
    )
    @action(detail=True, methods=["post"], parser_classes=[BoundedJSONParser, MultiPartParser, FormParser])
    def commit(self, request, pk=None):
        serializer = VehicleImportCommitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = request.user if getattr(request.user, "pk", None) and hasattr(request.user, "email") else None
        job = import_job_commit(user=user, dry_run_job=self.get_object(), mode=serializer.validated_data["mode"])
        return Response(VehicleImportDetailSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Warnings of an import's rows", responses=VehicleImportWarningSerializer(many=True))
    @action(detail=True, methods=["get"])
    def warnings(self, request, pk=None):
        job = self.get_object()
        page = self.paginate_queryset(import_warning_list(job=job))
        return self.get_paginated_response(VehicleImportWarningSerializer(page, many=True).data)

    @extend_schema(summary="Rejected rows of an import", responses=VehicleImportRejectionSerializer(many=True))
    @action(detail=True, methods=["get"])
    def errors(self, request, pk=None):
        job = self.get_object()
        page = self.paginate_queryset(import_rejection_list(job=job))
        return self.get_paginated_response(VehicleImportRejectionSerializer(page, many=True).data)

    @extend_schema(
        summary="Rejected rows of an import as CSV",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="line, column, value, reason")},
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="errors.csv",
        url_name="errors-csv",
        renderer_classes=[CsvRenderer, JSONRenderer],
    )
    def errors_csv(self, request, pk=None):
        job = self.get_object()
        response = StreamingHttpResponse(import_rejections_csv(job=job), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-rejected.csv"'
        return response
