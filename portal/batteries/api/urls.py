"""API routes of battery passports, mounted under /api/v1/."""

from portal.api.routers import ApiRouter

from .views import BatteryModelViewSet, BatteryViewSet

router = ApiRouter()
router.register("battery-models", BatteryModelViewSet, basename="battery-model")
router.register("batteries", BatteryViewSet, basename="battery")

urlpatterns = [*router.urls]
