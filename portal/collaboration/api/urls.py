"""API routes of the collaboration app, mounted under /api/v1/."""

from rest_framework.routers import DefaultRouter

from .views import ListingViewSet, MilestoneViewSet, ProductViewSet, ProjectViewSet, TransitionViewSet

router = DefaultRouter()
router.include_root_view = False
router.include_format_suffixes = False
router.register("projects", ProjectViewSet, basename="project")
router.register("project-transitions", TransitionViewSet, basename="project-transition")
router.register("milestones", MilestoneViewSet, basename="milestone")
router.register("products", ProductViewSet, basename="product")
router.register("needs-offers", ListingViewSet, basename="listing")

urlpatterns = [*router.urls]
