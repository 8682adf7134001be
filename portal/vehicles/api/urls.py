"""API routes of the vehicles app, mounted under /api/v1/."""

from portal.api.routers import ApiRouter

from .imports import VehicleImportViewSet
from .views import VehicleModelViewSet, VehicleViewSet

router = ApiRouter()  # portal/urls_api.py mounts every app's routes
router.register("vehicle-models", VehicleModelViewSet, basename="vehicle-model")
router.register("vehicles", VehicleViewSet, basename="vehicle")
router.register("vehicle-imports", VehicleImportViewSet, basename="vehicle-import")

urlpatterns = [*router.urls]
