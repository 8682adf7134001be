"""The one API router, mounted under /api/v1/ on every host: it gathers every app's `api/` routes."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from portal.accounts.api.views import MeView, PartnerViewSet
from portal.audit.api.views import AuditEventViewSet
from portal.integrations.api.views import ApiKeyViewSet
from portal.integrations.api.webhooks import WebhookDeliveryViewSet, WebhookEndpointViewSet

router = SimpleRouter()  # no root view, no format suffixes: portal/urls_api.py mounts every app's routes
router.register("partners", PartnerViewSet, basename="partner")
router.register("api-keys", ApiKeyViewSet, basename="api-key")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
router.register("webhook-deliveries", WebhookDeliveryViewSet, basename="webhook-delivery")
router.register("audit-events", AuditEventViewSet, basename="audit-event")

v1 = [
    path("me/", MeView.as_view(), name="me"),
    *router.urls,
    path("", include("portal.vehicles.api.urls")),
    path("", include("portal.collaboration.api.urls")),
    path("", include("portal.compliance.api.urls")),
    path("", include("portal.supply.api.urls")),
    path("", include("portal.insights.api.urls")),
]

urlpatterns = [
    path("v1/", include((v1, "v1"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
