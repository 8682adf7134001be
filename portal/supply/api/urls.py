"""API routes of supply reports, mounted under /api/v1/."""

from rest_framework.routers import DefaultRouter

from .views import SupplyReportViewSet

router = DefaultRouter()
router.include_root_view = False
router.include_format_suffixes = False
router.register("supply-reports", SupplyReportViewSet, basename="supply-report")

urlpatterns = router.urls
