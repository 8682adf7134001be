"""API of the vehicle registry: vehicle models and vehicles (lookup by VIN, status changes, bulk registration)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from portal.api.conditional import conditional_response
from portal.api.pagination import PortalCursorPagination
from tenants.choices import Role

from ..choices import ChangeSource
from ..filters import ORDERING_FIELDS, VehicleFilterSet
from ..models import Vehicle, VehicleModel
from ..selectors import vehicle_detail_row, vehicle_get, vehicle_list, vehicle_model_list, vehicle_rows
from ..services import (
    BulkValidationError,
    vehicle_bulk_register,
    vehicle_model_create,
    vehicle_model_update,
    vehicle_register,
    vehicle_rxswin_set,
    vehicle_status_change,
    vehicle_warnings,
)
from .serializers import (
    VehicleBulkDocSerializer,
    VehicleBulkResultSerializer,
    VehicleBulkSerializer,
    VehicleCreatedSerializer,
    VehicleDetailSerializer,
    VehicleModelSerializer,
    VehicleRegisterSerializer,
    VehicleRxswinSerializer,
    VehicleSerializer,
    VehicleStatusChangeSerializer,
)


class VehicleCursorPagination(PortalCursorPagination):
    ordering = ("-production_date", "vin")


@extend_schema_view(
    list=extend_schema(summary="List vehicle models"),
    retrieve=extend_schema(summary="Get a vehicle model"),
)
class VehicleModelViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The partner's vehicle models; managers and above (and API keys with the write scope) create and edit."""

    api_scope = "vehicles"

    serializer_class = VehicleModelSerializer
    queryset = VehicleModel.objects.none()
    ordering_fields = ["name", "category"]
    ordering = ["name"]
    filterset_fields = ["category"]

    @property
    def minimum_role(self):
        return Role.VIEWER if self.request.method in SAFE_METHODS else Role.MANAGER

    def get_queryset(self):
        return vehicle_model_list()

    @extend_schema(
        summary="Create a vehicle model", request=VehicleModelSerializer, responses={201: VehicleModelSerializer}
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        vehicle_model = vehicle_model_create(**serializer.validated_data)
        return Response(self.get_serializer(vehicle_model).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a vehicle model", request=VehicleModelSerializer, responses=VehicleModelSerializer)
    def update(self, request, *args, **kwargs):
        vehicle_model = self.get_object()
        serializer = self.get_serializer(vehicle_model, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        vehicle_model = vehicle_model_update(vehicle_model=vehicle_model, **serializer.validated_data)
        return Response(self.get_serializer(vehicle_model).data)


@extend_schema_view(
    list=extend_schema(summary="List vehicles", description="Filters as on the list page; cursor pagination."),
    retrieve=extend_schema(
        summary="Get a vehicle by VIN, with its status history",
        description="The answer carries an `ETag`; send it back in `If-None-Match` and, while the vehicle has not "
        "changed (its status, a new history row), the answer is a 304 without a body.",
        parameters=[
            OpenApiParameter(
                "If-None-Match",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="An `ETag` of an earlier answer (or several, comma-separated): 304 if it is still current.",
            )
        ],
        responses={
            200: VehicleDetailSerializer,
            304: OpenApiResponse(description="Not modified: the `ETag` sent is still the vehicle's; no body."),
        },
    ),
)
class VehicleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The partner's vehicles: list, look up by VIN, register one or up to 10,000, change status."""

    api_scope = "vehicles"

    queryset = Vehicle.objects.none()
    serializer_class = VehicleSerializer
    filterset_class = VehicleFilterSet
    ordering_fields = ORDERING_FIELDS
    ordering = ["-production_date", "vin"]
    pagination_class = VehicleCursorPagination
    lookup_field = "vin"
    lookup_value_regex = "[A-Za-z0-9]{1,30}"

    def get_queryset(self):
        return vehicle_list()

    def get_object(self):
        vehicle = vehicle_get(vin=self.kwargs["vin"])
        self.check_object_permissions(self.request, vehicle)
        return vehicle

    def get_serializer_class(self):
        return VehicleDetailSerializer if self.action == "retrieve" else VehicleSerializer

    def list(self, request, *args, **kwargs):
        # Plain rows instead of model instances: the cursor paginator and the serializer both take dicts.
        page = self.paginate_queryset(vehicle_rows(queryset=self.filter_queryset(self.get_queryset())))
        return self.get_paginated_response(VehicleSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        # One plain row (its SQL compiled once per process), no model instance: the vehicle API's most frequent
        # call. Object permissions are checked on it as get_object would. ETag of the body; `If-None-Match` with
        # it gets a 304 without one (portal.api.conditional).
        row = vehicle_detail_row(vin=self.kwargs["vin"])
        self.check_object_permissions(request, row)
        return conditional_response(request, VehicleDetailSerializer(row).data)

    @extend_schema(
        summary="Register a vehicle",
        description="The 201 body is the vehicle and its `warnings` (e.g. a wrong check digit where it is only "
        "advisory, as in the EU; a WMI not in the alliance register): registered all the same.",
        request=VehicleRegisterSerializer,
        responses={201: VehicleCreatedSerializer},
    )
    def create(self, request, *args, **kwargs):
        serializer = VehicleRegisterSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        vehicle = vehicle_register(
            partner=request.partner,
            vin=data["vin"],
            model=data["model"],
            production_date=data["production_date"],
            plant=data["plant"],
            market=data["market"] or None,
            user=request.user,
            source=ChangeSource.API,
            note=data["note"],
            rxswin=data["rxswin"],
        )
        warnings = vehicle_warnings(partner=request.partner, vin=vehicle.vin, market=data["market"] or None)
        body = {
            **VehicleSerializer(vehicle).data,
            "warnings": [{"code": warning.code, "message": warning.message} for warning in warnings],
        }
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a vehicle's status",
        description=(
            "Allowed: produced → registered; registered → deregistered; exported → registered (abroad) or "
            "deregistered. A registration needs country and date. A vehicle becomes exported only when a shipment "
            "carrying it ships (`POST /api/v1/shipments/<id>/ship/`); `exported` here is refused with a 400."
        ),
        request=VehicleStatusChangeSerializer,
        responses={200: VehicleDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def status(self, request, *args, **kwargs):
        vehicle = self.get_object()
        serializer = VehicleStatusChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        vehicle_status_change(vehicle=vehicle, user=request.user, source=ChangeSource.API, **serializer.validated_data)
        return Response(VehicleDetailSerializer(vehicle_detail_row(vin=vehicle.vin)).data)

    @extend_schema(
        summary="Record a vehicle's RXSWIN",
        description=(
            "The UN R156 software identification number the maker recorded (e.g. after a software update); blank "
            "clears it. The change is kept in the vehicle's history; shipments compare it with the RXSWINs the "
            "model's R156 approvals list (`rxswins` of a certificate)."
        ),
        request=VehicleRxswinSerializer,
        responses={200: VehicleDetailSerializer},
    )
    @action(detail=True, methods=["post"])
    def rxswin(self, request, *args, **kwargs):
        vehicle = self.get_object()
        serializer = VehicleRxswinSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        vehicle_rxswin_set(vehicle=vehicle, user=request.user, source=ChangeSource.API, **serializer.validated_data)
        return Response(VehicleDetailSerializer(vehicle_detail_row(vin=vehicle.vin)).data)

    @extend_schema(
        summary="Register up to 10,000 vehicles at once",
        description=(
            "Every row is validated first; any problem is reported by row (`attr` = `vehicles.<index>.<field>`) "
            "and nothing is written. Otherwise all rows are written in one transaction."
        ),
        request=VehicleBulkDocSerializer,
        responses={201: VehicleBulkResultSerializer},
        examples=[
            OpenApiExample(
                "Two vehicles",
                request_only=True,
                value={
                    "market": "CN",
                    "vehicles": [
                        {"vin": "LXYJCNL01R0000001", "model": "Thunder T3", "production_date": "2024-05-01"},
                        {"vin": "LXYJCNL03R0000002", "model": 7, "production_date": "2024-05-01", "plant": "Banan"},
                    ],
                },
            )
        ],
    )
    @action(detail=False, methods=["post"])
    def bulk(self, request, *args, **kwargs):
        serializer = VehicleBulkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        warnings: list = []
        try:
            vehicles = vehicle_bulk_register(
                partner=request.partner,
                rows=data["vehicles"],
                market=data["market"] or None,
                user=request.user,
                source=ChangeSource.API,
                note=data["note"],
                warnings=warnings,
            )
        except BulkValidationError as error:
            details: dict = {}
            for row_error in error.errors:
                details.setdefault(row_error.index, {}).setdefault(row_error.field or "non_field_errors", []).append(
                    row_error.message
                )
            raise ValidationError({"vehicles": details}) from error
        body = {
            "created": len(vehicles),
            "vins": [vehicle.vin for vehicle in vehicles],
            "warnings": [warning.as_dict() for warning in warnings],
        }
        return Response(body, status=status.HTTP_201_CREATED)
