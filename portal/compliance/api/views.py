"""API of export compliance: certificates, shipments and their checks, and the rule tables (read-only)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from portal.api.parsers import BoundedJSONParser
from portal.api.principals import ApiKeyPrincipal
from portal.core.caller import request_person
from portal.reference.selectors import certificate_type_list, embargo_list, market_bloc_list, market_requirement_list
from portal.vehicles.choices import ChangeSource
from tenants.choices import Role
from tenants.selectors import membership_get

from .. import selectors
from ..choices import Trigger
from ..filters import SHIPMENT_ORDERING, CertificateFilterSet, ShipmentCheckFilterSet, ShipmentFilterSet
from ..models import Certificate, ReleaseRequest, Shipment, ShipmentCheck
from ..services import certificates as certificates_services
from ..services import checks as checks_services
from ..services import releases as releases_services
from ..services import shipments as shipments_services
from ..services.certificates import CERTIFICATE_TYPES
from .serializers import (
    CertificateSerializer,
    CertificateTypeSerializer,
    EmbargoSerializer,
    MarketBlocSerializer,
    MarketRequirementSerializer,
    OverrideRequestSerializer,
    ReleaseDeclineSerializer,
    ReleaseRequestSerializer,
    ShipmentCheckSerializer,
    ShipmentDetailSerializer,
    ShipmentOverrideSerializer,
    ShipmentSerializer,
    VehiclesAddedSerializer,
    VehiclesChangeSerializer,
    VehiclesRemovedSerializer,
)


def _trigger(request) -> str:
    return Trigger.API if isinstance(request.user, ApiKeyPrincipal) else Trigger.MANUAL


def as_officer(request, service, **arguments):
    """Run an officer's service (release, dismissal) as the signed-in person (API keys cannot); a refusal is a 403."""
    if isinstance(request.user, ApiKeyPrincipal):
        raise PermissionDenied("Only a compliance officer, signed in, may do this.")
    membership = membership_get(user=request.user, partner=request.partner)
    try:
        return service(membership=membership, user=request.user, **arguments)
    except DjangoPermissionDenied as error:
        raise PermissionDenied(str(error)) from error


class _WriteByMembers:
    """Viewers and read keys read; members and write keys change."""

    @property
    def minimum_role(self):
        return Role.VIEWER if self.request.method in SAFE_METHODS else Role.MEMBER


@extend_schema_view(
    list=extend_schema(summary="List certificates"),
    retrieve=extend_schema(summary="Get a certificate"),
    create=extend_schema(summary="Add a certificate (multipart with its document, or JSON without)"),
    update=extend_schema(summary="Change or renew a certificate"),
    partial_update=extend_schema(summary="Change some fields of a certificate"),
)
class CertificateViewSet(
    _WriteByMembers,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The partner's certificates; the document is uploaded with the certificate and read through `file/`."""

    api_scope = "compliance"

    queryset = Certificate.objects.none()
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilterSet
    ordering_fields = ["valid_to", "valid_from", "number"]
    ordering = ["valid_to", "number", "id"]
    parser_classes = [MultiPartParser, FormParser, BoundedJSONParser]

    def get_queryset(self):
        return selectors.certificate_list()

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        certificate = certificates_services.certificate_create(
            user=request_person(request), **serializer.validated_data
        )
        return Response(self.get_serializer(selectors.certificate_get(pk=certificate.pk)).data, status=201)

    def update(self, request, *args, **kwargs):
        certificate = self.get_object()
        serializer = self.get_serializer(certificate, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        certificates_services.certificate_update(
            certificate=certificate,
            vehicle_models=data.pop("vehicle_models", None),
            file=data.pop("file", None),
            user=request_person(request),
            **data,
        )
        return Response(self.get_serializer(selectors.certificate_get(pk=certificate.pk)).data)

    @extend_schema(
        summary="Download a certificate's document",
        # The document is served with the type it was checked to be on upload (PDF or an image).
        responses={(200, media_type): OpenApiTypes.BINARY for media_type in sorted(CERTIFICATE_TYPES)},
    )
    @action(detail=True, methods=["get"])
    def file(self, request, *args, **kwargs):
        certificate = self.get_object()
        if not certificate.file:
            raise NotFound("This certificate has no document.")
        try:
            handle = certificate.file.open("rb")
        except FileNotFoundError as error:
            raise NotFound("The file is missing.") from error
        response = FileResponse(
            handle, as_attachment=True, filename=certificate.file_name, content_type=certificate.content_type
        )
        response["Cache-Control"] = "private, no-store"
        return response


@extend_schema_view(
    list=extend_schema(summary="List shipments"),
    retrieve=extend_schema(summary="Get a shipment with its latest verdict"),
    create=extend_schema(summary="Open a shipment", responses={201: ShipmentDetailSerializer}),
    update=extend_schema(summary="Change an open shipment", responses=ShipmentDetailSerializer),
    partial_update=extend_schema(summary="Change some fields of an open shipment", responses=ShipmentDetailSerializer),
)
class ShipmentViewSet(
    _WriteByMembers,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Export shipments: open, add vehicles, check, override (compliance officers), ship."""

    api_scope = "compliance"

    queryset = Shipment.objects.none()
    serializer_class = ShipmentSerializer
    filterset_class = ShipmentFilterSet
    ordering_fields = SHIPMENT_ORDERING
    ordering = ["-created_at", "-id"]

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.shipment_list().select_related("latest_check__checked_by")
        return selectors.shipment_list()

    def get_serializer_class(self):
        return ShipmentSerializer if self.action == "list" else ShipmentDetailSerializer

    def _detail(self, pk):
        return ShipmentDetailSerializer(
            selectors.shipment_list().select_related("latest_check__checked_by").get(pk=pk),
            context=self.get_serializer_context(),
        ).data

    def create(self, request, *args, **kwargs):
        serializer = ShipmentSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        shipment = shipments_services.shipment_create(user=request_person(request), **serializer.validated_data)
        return Response(self._detail(shipment.pk), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        shipment = self.get_object()
        serializer = ShipmentSerializer(shipment, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        shipments_services.shipment_update(shipment=shipment, user=request_person(request), **serializer.validated_data)
        return Response(self._detail(shipment.pk))

    def _run(self, call):
        return call()

    @extend_schema(
        methods=["POST"],
        summary="Add vehicles by VIN",
        description="Every VIN must be in the registry and not exported; otherwise nothing is added and every "
        "problem is listed. The shipment is checked again.",
        request=VehiclesChangeSerializer,
        responses={200: VehiclesAddedSerializer},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Take vehicles off the shipment",
        description="The VINs go in the body, as for adding. The shipment is checked again.",
        request=VehiclesChangeSerializer,
        responses={200: VehiclesRemovedSerializer},
    )
    @action(detail=True, methods=["post", "delete"])
    def vehicles(self, request, *args, **kwargs):
        shipment = self.get_object()
        serializer = VehiclesChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        vins = serializer.validated_data["vins"]
        if request.method == "DELETE":
            removed = self._run(
                lambda: shipments_services.shipment_vehicles_remove(
                    shipment=shipment, vins=vins, user=request_person(request), trigger=_trigger(request)
                )
            )
            return Response({"removed": removed, "shipment": self._detail(shipment.pk)})
        result = self._run(
            lambda: shipments_services.shipment_vehicles_add(
                shipment=shipment, vins=vins, user=request_person(request), trigger=_trigger(request)
            )
        )
        return Response({"added": result.added, "skipped": result.skipped, "shipment": self._detail(shipment.pk)})

    @extend_schema(summary="Run the check now", request=None, responses={201: ShipmentCheckSerializer})
    @action(detail=True, methods=["post"])
    def check(self, request, *args, **kwargs):
        shipment = self.get_object()
        check = checks_services.shipment_check(
            shipment=shipment, user=request_person(request), trigger=_trigger(request)
        )
        return Response(ShipmentCheckSerializer(selectors.shipment_check_get(pk=check.pk)).data, status=201)

    def _as_officer(self, request, service, **arguments):
        return as_officer(request, service, **arguments)

    @extend_schema(
        summary="Release the latest verdict (compliance officers, signed in)",
        description="Needs a person whose membership has the compliance-officer flag, and a written reason of at "
        "least 20 characters. API keys cannot release. 201: released. 202: a restricted-party hit at or above the "
        "block score — the release is a request that a second, different officer approves "
        "(`release-requests/{request_pk}/approve/`).",
        request=OverrideRequestSerializer,
        responses={201: ShipmentOverrideSerializer, 202: ReleaseRequestSerializer},
    )
    @action(detail=True, methods=["post"])
    def override(self, request, *args, **kwargs):
        shipment = self.get_object()
        serializer = OverrideRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = self._as_officer(
            request, releases_services.shipment_release, shipment=shipment, reason=serializer.validated_data["reason"]
        )
        if isinstance(result, ReleaseRequest):
            return Response(ReleaseRequestSerializer(result).data, status=status.HTTP_202_ACCEPTED)
        return Response(ShipmentOverrideSerializer(result).data, status=201)

    @extend_schema(
        summary="Approve a release request (a second compliance officer, signed in)",
        description="The officer who asked cannot approve their own request.",
        request=None,
        responses={200: ShipmentOverrideSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"release-requests/(?P<request_pk>[0-9]+)/approve",
        url_name="release-request-approve",
    )
    def release_request_approve(self, request, *args, request_pk=None, **kwargs):
        release_request = selectors.release_request_get(shipment=self.get_object(), pk=request_pk)
        override = self._as_officer(request, releases_services.release_request_approve, release_request=release_request)
        return Response(ShipmentOverrideSerializer(override).data)

    @extend_schema(
        summary="Decline a release request (compliance officers; the requester withdraws it)",
        request=ReleaseDeclineSerializer,
        responses={200: ReleaseRequestSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"release-requests/(?P<request_pk>[0-9]+)/decline",
        url_name="release-request-decline",
    )
    def release_request_decline(self, request, *args, request_pk=None, **kwargs):
        release_request = selectors.release_request_get(shipment=self.get_object(), pk=request_pk)
        serializer = ReleaseDeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        declined = self._as_officer(
            request,
            releases_services.release_request_decline,
            release_request=release_request,
            note=serializer.validated_data.get("note", ""),
        )
        return Response(ReleaseRequestSerializer(declined).data)

    @extend_schema(
        summary="Mark the shipment shipped",
        description="Checked once more first; only a cleared or officer-released shipment ships. Its vehicles "
        "become exported.",
        request=None,
        responses=ShipmentDetailSerializer,
    )
    @action(detail=True, methods=["post"])
    def ship(self, request, *args, **kwargs):
        shipment = self.get_object()
        source = ChangeSource.API if isinstance(request.user, ApiKeyPrincipal) else ChangeSource.WEB
        self._run(
            lambda: releases_services.shipment_ship(shipment=shipment, user=request_person(request), source=source)
        )
        return Response(self._detail(shipment.pk))


@extend_schema_view(
    list=extend_schema(summary="List stored checks (verdicts)"),
    retrieve=extend_schema(summary="Get a stored check with every reason"),
)
class ShipmentCheckViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every check ever run, with its reasons in plain words and the table versions it used."""

    api_scope = "compliance"

    queryset = ShipmentCheck.objects.none()
    serializer_class = ShipmentCheckSerializer
    filterset_class = ShipmentCheckFilterSet
    ordering_fields = ["checked_at"]
    ordering = ["-checked_at", "-id"]

    def get_queryset(self):
        return selectors.shipment_check_list()


class _ReadOnly(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Rule tables kept by alliance staff: partners list them (shared by the whole alliance, so no detail route
    that would look like a partner's object)."""

    api_scope = "compliance"

    filterset_class = None
    ordering_fields = ["id"]


@extend_schema_view(list=extend_schema(summary="List market requirements"))
class MarketRequirementViewSet(_ReadOnly):
    """Which certificates each market requires, per vehicle category, with effective dates and sources."""

    serializer_class = MarketRequirementSerializer
    filterset_fields = ["market"]
    ordering = ["market", "id"]

    def get_queryset(self):
        return market_requirement_list()


@extend_schema_view(list=extend_schema(summary="List certificate types"))
class CertificateTypeViewSet(_ReadOnly):
    """The kinds of certificate the rules refer to."""

    serializer_class = CertificateTypeSerializer
    ordering = ["code"]

    def get_queryset(self):
        return certificate_type_list()


@extend_schema_view(list=extend_schema(summary="List market blocs"))
class MarketBlocViewSet(_ReadOnly):
    """Groups of countries that share rules (EU, GCC, ASEAN)."""

    serializer_class = MarketBlocSerializer
    ordering = ["code"]

    def get_queryset(self):
        return market_bloc_list()


@extend_schema_view(list=extend_schema(summary="List embargoed destinations"))
class EmbargoViewSet(_ReadOnly):
    """Destinations exports may not go to (full) or need a review (partial)."""

    serializer_class = EmbargoSerializer
    ordering = ["country", "id"]

    def get_queryset(self):
        return embargo_list()
