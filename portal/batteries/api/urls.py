"""API routes of battery passports, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from .views import BatteryModelViewSet, BatteryViewSet

router = SimpleRouter()
router.register("battery-models", BatteryModelViewSet, basename="battery-model")
router.register("batteries", BatteryViewSet, basename="battery")

urlpatterns = [*router.urls]
