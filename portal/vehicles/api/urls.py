"""API routes of the vehicles app, mounted under /api/v1/."""

from rest_framework.routers import DefaultRouter

from .imports import VehicleImportViewSet
from .views import VehicleModelViewSet, VehicleViewSet

router = DefaultRouter()
router.include_root_view = False
router.include_format_suffixes = False
router.register("vehicle-models", VehicleModelViewSet, basename="vehicle-model")
router.register("vehicles", VehicleViewSet, basename="vehicle")
router.register("vehicle-imports", VehicleImportViewSet, basename="vehicle-import")

urlpatterns = [*router.urls]
