"""API routes of alliance events, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .views import CardViewSet, EventViewSet, MeetingRequestViewSet

router = SimpleRouter()
router.register("events", EventViewSet, basename="event")
router.register("event-cards", CardViewSet, basename="event-card")
router.register("event-requests", MeetingRequestViewSet, basename="event-request")

urlpatterns = [*router.urls]
