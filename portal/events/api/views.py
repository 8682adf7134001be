"""API of alliance events: what a partner may read comes from the selectors (private cards stay with their partner).

For people only (no `api_scope`: an API key is refused), like the webhook and key endpoints.
"""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from portal.core.caller import request_person

from .. import selectors, services
from ..models import Attendee, Card, Event, MeetingRequest
from .serializers import (
    AgendaEntrySerializer,
    CardSerializer,
    EventSerializer,
    MeetingRequestSerializer,
    RequestAnswerSerializer,
)


def _event_or_404(pk) -> Event:
    event = selectors.event_get(pk=pk)
    if event is None:
        raise NotFound()
    return event


class EventViewSet(viewsets.ReadOnlyModelViewSet):
    """Published alliance events with their programme; `agenda` lists the caller's meetings at one."""

    serializer_class = EventSerializer
    queryset = Event.objects.none()

    def get_queryset(self):
        return selectors.event_list().prefetch_related("sessions").order_by("-starts_on", "-id")

    @extend_schema(responses=AgendaEntrySerializer(many=True))
    @action(detail=True, methods=["get"])
    def agenda(self, request, pk=None):
        """The caller's meetings at the event (or, when not registered, those of the partner's people)."""
        event = self.get_object()
        me = selectors.attendee_of(event=event, user=request_person(request))
        if me is not None and me.partner_id == request.partner.pk:
            meetings = selectors.meeting_list(event=event, attendee=me)
        else:
            meetings = selectors.meeting_list(event=event, partner=request.partner)
        page = self.paginate_queryset(meetings)
        return self.get_paginated_response(AgendaEntrySerializer(page, many=True).data)


class CardViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Offer and need cards: every partner's public ones and the caller's partner's own (`?event=` filters)."""

    serializer_class = CardSerializer
    queryset = Card.objects.none()
    filterset_fields = ["event", "kind"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Card.objects.none()
        return (
            Card.objects.filter(event__is_published=True)
            .filter(selectors.card_visibility(partner=self.request.partner))
            .select_related("partner")
            .order_by("-created_at", "-id")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        event = _event_or_404(data.pop("event").pk)
        serializer.instance = services.card_create(
            event=event, partner=self.request.partner, role=self.request.role, **data
        )

    def perform_destroy(self, instance):
        services.card_delete(card=instance, partner=self.request.partner, role=self.request.role)


class MeetingRequestViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Meeting requests the caller's partner's people sent or received; `answer` accepts or declines one."""

    serializer_class = MeetingRequestSerializer
    queryset = MeetingRequest.objects.none()
    filterset_fields = ["event", "status"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MeetingRequest.objects.none()
        return selectors.request_list(partner=self.request.partner).order_by("-created_at", "-id")

    def perform_create(self, serializer):
        data = serializer.validated_data
        requester = get_object_or_404(Attendee, pk=data["requester"].pk, partner=self.request.partner)
        recipient = get_object_or_404(Attendee, pk=data["recipient"].pk, event_id=requester.event_id)
        serializer.instance = services.request_create(
            requester=requester,
            recipient=recipient,
            partner=self.request.partner,
            role=self.request.role,
            must_meet=data.get("must_meet", False),
            message=data.get("message", ""),
            by=request_person(self.request),
        )

    @extend_schema(request=RequestAnswerSerializer, responses=MeetingRequestSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        """Accept or decline a request the caller's partner received (within the request window)."""
        meeting_request = self.get_object()
        body = RequestAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.request_respond(
            request=meeting_request,
            partner=request.partner,
            role=request.role,
            accept=body.validated_data["accept"],
            by=request_person(request),
        )
        return Response(MeetingRequestSerializer(meeting_request).data)
