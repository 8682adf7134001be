"""API routes of alliance events, mounted under /api/v1/."""

from portal.api.routers import ApiRouter

from .views import CardViewSet, EventViewSet, MeetingRequestViewSet

router = ApiRouter()
router.register("events", EventViewSet, basename="event")
router.register("event-cards", CardViewSet, basename="event-card")
router.register("event-requests", MeetingRequestViewSet, basename="event-request")

urlpatterns = [*router.urls]
