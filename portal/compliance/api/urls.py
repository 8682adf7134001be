"""API routes of export compliance, mounted under /api/v1/."""

from rest_framework.routers import DefaultRouter

from .views import (
    CertificateTypeViewSet,
    CertificateViewSet,
    EmbargoViewSet,
    MarketBlocViewSet,
    MarketRequirementViewSet,
    ShipmentCheckViewSet,
    ShipmentViewSet,
)

router = DefaultRouter()
router.include_root_view = False
router.include_format_suffixes = False
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("shipments", ShipmentViewSet, basename="shipment")
router.register("shipment-checks", ShipmentCheckViewSet, basename="shipment-check")
router.register("market-requirements", MarketRequirementViewSet, basename="market-requirement")
router.register("certificate-types", CertificateTypeViewSet, basename="certificate-type")
router.register("market-blocs", MarketBlocViewSet, basename="market-bloc")
router.register("embargoes", EmbargoViewSet, basename="embargo")

urlpatterns = [*router.urls]
