"""API routes of industry statistics, mounted under /api/v1/."""

from django.urls import path

from portal.api.routers import ApiRouter

from .views import CellViewSet, FunnelView, MeasureViewSet, TargetViewSet, WarningViewSet

router = ApiRouter()  # portal/urls_api.py mounts every app's routes
router.register("statistics/measures", MeasureViewSet, basename="statistics-measure")
router.register("statistics/cells", CellViewSet, basename="statistics-cell")
router.register("statistics/warnings", WarningViewSet, basename="statistics-warning")
router.register("statistics/targets", TargetViewSet, basename="statistics-target")

urlpatterns = [path("statistics/funnel/", FunnelView.as_view(), name="statistics-funnel"), *router.urls]
