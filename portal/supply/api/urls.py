"""API routes of supply reports, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .views import SupplyReportViewSet

router = SimpleRouter()  # no root view, no format suffixes: portal/urls_api.py mounts every app's routes
router.register("supply-reports", SupplyReportViewSet, basename="supply-report")

urlpatterns = router.urls
