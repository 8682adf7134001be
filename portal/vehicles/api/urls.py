"""API routes of the vehicles app, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .imports import VehicleImportViewSet
from .views import VehicleModelViewSet, VehicleViewSet

router = SimpleRouter()  # no root view, no format suffixes: portal/urls_api.py mounts every app's routes
router.register("vehicle-models", VehicleModelViewSet, basename="vehicle-model")
router.register("vehicles", VehicleViewSet, basename="vehicle")
router.register("vehicle-imports", VehicleImportViewSet, basename="vehicle-import")

urlpatterns = [*router.urls]
