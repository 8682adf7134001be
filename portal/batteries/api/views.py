"""API of battery passports: battery models, batteries (by identifier), fitments and readings."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from portal.api.pagination import PortalCursorPagination
from tenants.choices import Role

from ..choices import Reader
from ..filters import BatteryFilterSet
from ..models import Battery, BatteryModel
from ..selectors import (
    battery_get,
    battery_list,
    battery_model_list,
    battery_readings,
    passport_missing,
    passport_values,
)
from ..services import (
    battery_create,
    battery_delete,
    battery_fit,
    battery_model_create,
    battery_model_update,
    battery_reading_add,
    battery_update,
)
from .serializers import (
    BatteryCreateSerializer,
    BatteryDetailSerializer,
    BatteryFitSerializer,
    BatteryModelSerializer,
    BatteryReadingSerializer,
    BatterySerializer,
    BatteryUpdateSerializer,
    PassportEntrySerializer,
)


class BatteryCursorPagination(PortalCursorPagination):
    ordering = ("-created_at", "-id")


class _Roles:
    write_role = Role.MEMBER

    @property
    def minimum_role(self):
        return Role.VIEWER if self.request.method in SAFE_METHODS else self.write_role


@extend_schema_view(
    list=extend_schema(summary="List battery models"),
    retrieve=extend_schema(summary="Get a battery model"),
)
class BatteryModelViewSet(
    _Roles,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The partner's battery models with their static passport values; managers (or write keys) edit."""

    api_scope = "batteries"
    write_role = Role.MANAGER
    serializer_class = BatteryModelSerializer
    queryset = BatteryModel.objects.none()
    ordering = ["code"]
    filterset_fields = ["category", "chemistry"]

    def get_queryset(self):
        return battery_model_list().order_by("code")

    @extend_schema(summary="Create a battery model", responses={201: BatteryModelSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        battery_model = battery_model_create(**serializer.validated_data)
        return Response(self.get_serializer(battery_model).data, status=status.HTTP_201_CREATED)

    @extend_schema(summary="Change a battery model (its batteries' completeness follows)")
    def update(self, request, *args, **kwargs):
        battery_model = self.get_object()
        serializer = self.get_serializer(battery_model, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        fields.pop("code", None)  # the code names the model in batteries' payloads: it stays
        battery_model = battery_model_update(battery_model=battery_model, partner=request.partner, **fields)
        return Response(self.get_serializer(battery_model).data)


@extend_schema_view(
    list=extend_schema(summary="List batteries", description="Filters as on the list page; cursor pagination."),
)
class BatteryViewSet(_Roles, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The partner's batteries by identifier: passport values, completeness, fitments and readings."""

    api_scope = "batteries"
    queryset = Battery.objects.none()
    serializer_class = BatterySerializer
    filterset_class = BatteryFilterSet
    pagination_class = BatteryCursorPagination
    lookup_field = "identifier"
    lookup_value_regex = "[A-Za-z0-9.\\-]{1,100}"

    def get_queryset(self):
        return battery_list()

    def get_object(self):
        try:
            battery = battery_get(identifier=self.kwargs["identifier"].upper())
        except Battery.DoesNotExist:
            raise NotFound() from None
        self.check_object_permissions(self.request, battery)
        return battery

    def _detail(self, battery):
        body = BatteryDetailSerializer(battery).data
        body["passport"] = PassportEntrySerializer(
            passport_values(battery=battery, reader=Reader.OWNER), many=True
        ).data
        body["missing"] = [attribute.code for attribute in passport_missing(battery)]
        return body

    @extend_schema(summary="Get a battery: its passport (every access group) and what it lacks")
    def retrieve(self, request, *args, **kwargs):
        return Response(self._detail(self.get_object()))

    @extend_schema(summary="Add a battery", request=BatteryCreateSerializer, responses={201: BatteryDetailSerializer})
    def create(self, request, *args, **kwargs):
        serializer = BatteryCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        battery = battery_create(partner=request.partner, **data)
        return Response(self._detail(battery_get(pk=battery.pk)), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change a battery", request=BatteryUpdateSerializer, responses={200: BatteryDetailSerializer}
    )
    def partial_update(self, request, *args, **kwargs):
        battery = self.get_object()
        serializer = BatteryUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        battery = battery_update(battery=battery, partner=request.partner, **serializer.validated_data)
        return Response(self._detail(battery_get(pk=battery.pk)))

    @extend_schema(summary="Delete a battery entered by mistake (and its passport)")
    def destroy(self, request, *args, **kwargs):
        battery_delete(battery=self.get_object(), partner=request.partner)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Fit the battery to a vehicle (by VIN)", request=BatteryFitSerializer)
    @action(detail=True, methods=["post"])
    def fit(self, request, *args, **kwargs):
        battery = self.get_object()
        serializer = BatteryFitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        battery_fit(battery=battery, **serializer.validated_data)
        return Response(self._detail(battery_get(pk=battery.pk)))

    @extend_schema(
        methods=["get"], summary="A battery's readings, newest first", responses=BatteryReadingSerializer(many=True)
    )
    @extend_schema(
        methods=["post"],
        summary="Record a reading (the same time and source again updates it)",
        request=BatteryReadingSerializer,
        responses={201: BatteryReadingSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def readings(self, request, *args, **kwargs):
        battery = self.get_object()
        if request.method == "GET":
            return Response(BatteryReadingSerializer(battery_readings(battery=battery)[:1000], many=True).data)
        serializer = BatteryReadingSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reading = battery_reading_add(battery=battery, partner=request.partner, **serializer.validated_data)
        return Response(BatteryReadingSerializer(reading).data, status=status.HTTP_201_CREATED)
