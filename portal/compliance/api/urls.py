"""API routes of export compliance, mounted under /api/v1/."""

from portal.api.routers import ApiRouter

from .dismissals import ScreeningDismissalViewSet
from .offsets import OffsetLedgerViewSet, SubsidisedImportViewSet
from .views import (
    CertificateTypeViewSet,
    CertificateViewSet,
    EmbargoViewSet,
    MarketBlocViewSet,
    MarketRequirementViewSet,
    ShipmentCheckViewSet,
    ShipmentViewSet,
)

router = ApiRouter()  # portal/urls_api.py mounts every app's routes
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("shipments", ShipmentViewSet, basename="shipment")
router.register("shipment-checks", ShipmentCheckViewSet, basename="shipment-check")
router.register("market-requirements", MarketRequirementViewSet, basename="market-requirement")
router.register("certificate-types", CertificateTypeViewSet, basename="certificate-type")
router.register("market-blocs", MarketBlocViewSet, basename="market-bloc")
router.register("embargoes", EmbargoViewSet, basename="embargo")
router.register("screening-dismissals", ScreeningDismissalViewSet, basename="screening-dismissal")
router.register("offset-ledgers", OffsetLedgerViewSet, basename="offset-ledger")
router.register("subsidised-imports", SubsidisedImportViewSet, basename="subsidised-import")

urlpatterns = [*router.urls]
