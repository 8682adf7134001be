"""The one API router, mounted under /api/v1/ on every host: it gathers every app's `api/` routes."""

from csp.constants import NONCE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from portal.accounts.api.views import MeView, PartnerViewSet
from portal.api.routers import ApiRouter
from portal.audit.api.views import AuditEventViewSet
from portal.integrations.api.views import ApiKeyViewSet
from portal.integrations.api.webhooks import WebhookDeliveryViewSet, WebhookEndpointViewSet

router = ApiRouter()  # portal/urls_api.py mounts every app's routes
router.register("partners", PartnerViewSet, basename="partner")
router.register("api-keys", ApiKeyViewSet, basename="api-key")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
router.register("audit-events", AuditEventViewSet, basename="audit-event")

v1 = [
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
    path("", include("portal.vehicles.api.urls")),
    path("", include("portal.batteries.api.urls")),
    path("", include("portal.batteries.importing.api")),
    path("", include("portal.collaboration.api.urls")),
    path("", include("portal.compliance.api.urls")),
    path("", include("portal.supply.api.urls")),
    path("", include("portal.insights.api.urls")),
    path("", include("portal.events.api.urls")),
    path("", include("portal.search.api.urls")),
]

# Redoc injects <style> elements: those it renders carry the response's nonce (templates/drf_spectacular/redoc.html),
# and the two its bundle inserts as it loads are allowed by their hashes (an empty one and the bundle's fixed CSS;
# tests/browser/test_api_docs.py fails when a new drf-spectacular-sidecar changes them). This view alone gets them:
# the rest of the site keeps its policy of no inline styles at all.
REDOC_STYLES = {
    "style-src": [
        NONCE,
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
        "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
    ]
}

urlpatterns = [
    path("v1/", include((v1, "v1"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", csp_update(REDOC_STYLES)(SpectacularRedocView.as_view(url_name="api-schema")), name="api-redoc"),
]
