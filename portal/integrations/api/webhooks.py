"""API of a partner's webhook endpoints and their deliveries (owners and managers)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.integrations.idempotency import one_time
from portal.integrations.models import WebhookDelivery, WebhookEndpoint
from portal.integrations.webhooks import (
    webhook_delivery_list,
    webhook_delivery_resend,
    webhook_endpoint_create,
    webhook_endpoint_list,
    webhook_endpoint_update,
)
from tenants.choices import Role

from .serializers import WebhookDeliverySerializer, WebhookEndpointCreatedSerializer, WebhookEndpointSerializer


class WebhookEndpointViewSet(viewsets.ModelViewSet):
    """Register, list, change, enable or disable, and delete endpoints; the secret is shown once."""

    serializer_class = WebhookEndpointSerializer
    minimum_role = Role.MANAGER
    queryset = WebhookEndpoint.objects.none()
    http_method_names = ["get", "post", "patch", "delete"]

    def get_queryset(self):
        return webhook_endpoint_list(partner=self.request.partner)

    @extend_schema(responses={201: WebhookEndpointCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = webhook_endpoint_create(partner=request.partner, **serializer.validated_data)
        return one_time(
            Response(WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED), "secret"
        )

    def perform_update(self, serializer):
        webhook_endpoint_update(endpoint=serializer.instance, **serializer.validated_data)


class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Every delivery with its response; `resend` sends one again."""

    serializer_class = WebhookDeliverySerializer
    minimum_role = Role.MANAGER
    queryset = WebhookDelivery.objects.none()
    filterset_fields = ["endpoint", "event", "status"]

    def get_queryset(self):
        return webhook_delivery_list(partner=self.request.partner)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def resend(self, request, *args, **kwargs):
        delivery = webhook_delivery_resend(delivery=self.get_object())
        delivery.refresh_from_db()
        return Response(self.get_serializer(delivery).data, status=status.HTTP_202_ACCEPTED)
