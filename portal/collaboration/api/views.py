"""API of collaboration projects: every queryset starts from `project_list_for_partner`."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException, NotFound, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from portal.api.parsers import BoundedJSONParser
from portal.api.permissions import IsPartnerMemberOrStaffReading

from .. import selectors, services
from ..filters import ListingFilterSet, ProductFilterSet, ProjectFilterSet
from ..funnel import funnel_compute
from ..models import Listing, Milestone, Participant, Product, Project, Transition
from .serializers import (
    FunnelSerializer,
    InviteSerializer,
    ListingSerializer,
    MilestoneSerializer,
    ParticipantSerializer,
    ProductSerializer,
    ProjectSerializer,
    ProjectUpdateSerializer,
    SuggestionAcceptSerializer,
    SuggestionSerializer,
    TimelineEventSerializer,
    TransitionRequestSerializer,
    TransitionSerializer,
)


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = services.VersionConflictError.message
    default_code = "version_conflict"


class CollaborationViewMixin:
    permission_classes = [IsPartnerMemberOrStaffReading]

    def projects(self, *, accepted_only: bool = False):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return Project.objects.none()
        return selectors.project_list_for_partner(
            partner=self.request.partner, staff=self.request.partner is None, accepted_only=accepted_only
        )

    def call(self, function, **kwargs):
        """Run a service with the caller's partner, role and user; map its errors to API errors."""
        user = self.request.user if getattr(self.request.user, "pk", None) else None
        try:
            return function(partner=self.request.partner, role=self.request.role, user=user, **kwargs)
        except services.VersionConflictError as error:
            raise Conflict() from error


class ProjectViewSet(
    CollaborationViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Projects the caller's partner takes part in (staff: all). PATCH needs the `version` you read."""

    api_scope = "collaboration"

    serializer_class = ProjectSerializer
    filterset_class = ProjectFilterSet
    ordering_fields = ["updated_at", "created_at", "title", "stage"]
    ordering = ["-updated_at", "-id"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = Project.objects.none()

    def get_queryset(self):
        participants = Participant.objects.select_related("partner").order_by("invited_at", "id")
        return self.projects().prefetch_related(Prefetch("participants", queryset=participants))

    def get_serializer_class(self):
        return ProjectUpdateSerializer if self.action == "partial_update" else ProjectSerializer

    def perform_create(self, serializer):
        serializer.instance = self.call(services.project_create, **serializer.validated_data)

    @extend_schema(request=ProjectUpdateSerializer, responses={200: ProjectSerializer, 409: None})
    def partial_update(self, request, *args, **kwargs):
        project = self.get_object()
        serializer = ProjectUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        if version is None:
            raise ValidationError({"version": ["This field is required."]})
        self.call(services.project_update, project=project, version=version, **data)
        return Response(ProjectSerializer(self.get_queryset().get(pk=project.pk)).data)

    @extend_schema(request=TransitionRequestSerializer, responses={201: TransitionSerializer, 409: None})
    @action(detail=True, methods=["post"], parser_classes=[BoundedJSONParser, MultiPartParser])
    def transition(self, request, pk=None):
        """Move the project to another stage (owner partner's managers); a stale `version` gets 409."""
        project = self.get_object()
        serializer = TransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        step = self.call(services.project_transition, project=project, **serializer.validated_data)
        return Response(TransitionSerializer(step).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InviteSerializer, responses={201: ParticipantSerializer})
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        """Invite another partner (owner partner's managers)."""
        project = self.get_object()
        serializer = InviteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        participant = self.call(
            services.participant_invite, project=project, invitee=serializer.validated_data["partner"]
        )
        return Response(ParticipantSerializer(participant).data, status=status.HTTP_201_CREATED)

    def _respond(self, what: str):
        participant = self.call(services.participant_respond, project=self.get_object(), action=what)
        return Response(ParticipantSerializer(participant).data)

    @extend_schema(request=None, responses=ParticipantSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept your partner's invitation (managers)."""
        return self._respond("accept")

    @extend_schema(request=None, responses=ParticipantSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline your partner's invitation (managers)."""
        return self._respond("decline")

    @extend_schema(request=None, responses=ParticipantSerializer)
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        """Take your partner out of the project (managers; not the owner partner)."""
        return self._respond("leave")

    @extend_schema(responses=TimelineEventSerializer(many=True), filters=False)
    @action(detail=True, methods=["get"], filter_backends=[])  # one project's events: pages, no project filters
    def timeline(self, request, pk=None):
        """The project's timeline, newest first (participants that accepted)."""
        project = get_object_or_404(self.projects(accepted_only=True), pk=pk)
        events = selectors.timeline_list(projects=Project.objects.filter(pk=project.pk))
        page = self.paginate_queryset(events)
        return self.get_paginated_response(TimelineEventSerializer(page, many=True).data)

    @extend_schema(
        parameters=[OpenApiParameter("stalled_days", int, description="No change for this many days (default 30)")],
        responses=FunnelSerializer,
    )
    @action(detail=False, methods=["get"])
    def funnel(self, request):
        """Counts, conversion, median days per stage and stalled projects: your partner's own, or all for staff."""
        try:
            days = max(1, min(int(request.query_params.get("stalled_days", 30)), 3650))
        except ValueError as error:
            raise ValidationError({"stalled_days": ["A whole number of days."]}) from error
        return Response(
            FunnelSerializer(funnel_compute(projects=self.projects(accepted_only=True), stalled_days=days)).data
        )


class TransitionViewSet(CollaborationViewMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Stage changes of the projects the caller's partner takes part in."""

    api_scope = "collaboration"

    serializer_class = TransitionSerializer
    filterset_fields = ["project", "to_stage", "from_stage"]
    ordering_fields = ["at"]
    ordering = ["-at", "-id"]
    queryset = Transition.objects.none()

    def get_queryset(self):
        return selectors.transition_list(projects=self.projects(accepted_only=True))


class MilestoneViewSet(
    CollaborationViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Milestones of the caller's projects; members add them."""

    api_scope = "collaboration"

    serializer_class = MilestoneSerializer
    filterset_fields = ["project", "done"]
    ordering_fields = ["due_date"]
    ordering = ["due_date", "id"]
    queryset = Milestone.objects.none()

    def get_queryset(self):
        return selectors.milestone_list(projects=self.projects(accepted_only=True))

    def get_serializer(self, *args, **kwargs):
        kwargs.setdefault("projects", self.projects(accepted_only=True))
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = self.call(services.milestone_create, **data)


class OwnDetailMixin:
    """Lists show the alliance's rows; one row (and its changes) only the caller's partner's own."""

    def get_queryset(self):
        rows = self.all_rows()
        if getattr(self, "swagger_fake_view", False):
            return rows.none()
        if self.action != "list" and self.request.partner is not None:
            return rows.filter(partner=self.request.partner)
        return rows


class ProductViewSet(
    CollaborationViewMixin,
    OwnDetailMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The alliance's product catalogue; members add their partner's products."""

    api_scope = "collaboration"

    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    ordering_fields = ["name", "launch_date"]
    ordering = ["name", "id"]
    queryset = Product.objects.none()

    def all_rows(self):
        return selectors.product_list()

    def get_serializer(self, *args, **kwargs):
        kwargs.setdefault("projects", self.projects(accepted_only=True))
        return super().get_serializer(*args, **kwargs)

    def perform_create(self, serializer):
        user = serializer.validated_data  # product_create takes no user
        serializer.instance = services.product_create(partner=self.request.partner, role=self.request.role, **user)


class ListingViewSet(
    CollaborationViewMixin,
    OwnDetailMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Needs and offers of the alliance; suggestions and their acceptance for your own."""

    api_scope = "collaboration"

    serializer_class = ListingSerializer
    filterset_class = ListingFilterSet
    ordering_fields = ["created_at"]
    ordering = ["-created_at", "-id"]
    queryset = Listing.objects.none()

    def all_rows(self):
        return selectors.listing_list(open_only=self.action == "list")

    def perform_create(self, serializer):
        serializer.instance = services.listing_create(
            partner=self.request.partner, role=self.request.role, **serializer.validated_data
        )

    @extend_schema(responses=SuggestionSerializer(many=True), filters=False)
    # The best ten at most (`listing_suggestions`), so one plain list: no pages, no filters.
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def suggestions(self, request, pk=None):
        """Partners whose kind, technologies and markets fit, best first (ten at most)."""
        listing = self.get_object()
        if request.partner is None:
            raise NotFound()
        return Response(SuggestionSerializer(selectors.listing_suggestions(listing=listing), many=True).data)

    @extend_schema(request=SuggestionAcceptSerializer, responses={201: ProjectSerializer})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept a suggested partner: opens a project in "negotiating" with both partners (managers)."""
        listing = self.get_object()
        serializer = SuggestionAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        project = self.call(
            services.suggestion_accept, listing=listing, counterpart=serializer.validated_data["partner"]
        )
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)
