"""API routes of the collaboration app, mounted under /api/v1/."""

from portal.api.routers import ApiRouter

from .views import ListingViewSet, MilestoneViewSet, ProductViewSet, ProjectViewSet, TransitionViewSet

router = ApiRouter()  # portal/urls_api.py mounts every app's routes
router.register("projects", ProjectViewSet, basename="project")
router.register("project-transitions", TransitionViewSet, basename="project-transition")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("products", ProductViewSet, basename="product")
router.register("needs-offers", ListingViewSet, basename="listing")

urlpatterns = [*router.urls]
