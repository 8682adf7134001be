"""API routes of supply reports, mounted under /api/v1/."""

from portal.api.routers import ApiRouter

from .views import SupplyReportViewSet

router = ApiRouter()  # portal/urls_api.py mounts every app's routes
router.register("supply-reports", SupplyReportViewSet, basename="supply-report")

urlpatterns = router.urls
