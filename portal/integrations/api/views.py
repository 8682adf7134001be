"""API of a partner's API keys (owners and managers)."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from portal.core.caller import request_person
from portal.integrations.idempotency import one_time
from portal.integrations.models import ApiKey
from portal.integrations.selectors import api_key_list
from portal.integrations.services import api_key_create, api_key_revoke
from tenants.choices import Role

from .serializers import ApiKeyCreatedSerializer, ApiKeySerializer


class ApiKeyViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet):
    """Create (the key is shown once), list and revoke this partner's keys."""

    serializer_class = ApiKeySerializer
    # The primary key embeds the hash; the public prefix identifies a key.
    lookup_field = "prefix"
    minimum_role = Role.MANAGER
    # A key never manages keys: only signed-in owners and managers do.
    queryset = ApiKey.objects.none()

    def get_queryset(self):
        return api_key_list(partner=self.request.partner)

    @extend_schema(responses={201: ApiKeyCreatedSerializer})
    def create(self, request, *args, **kwargs):
        serializer = ApiKeySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        key, secret = api_key_create(
            partner=request.partner,
            name=serializer.validated_data["name"],
            created_by=request_person(request),
            expiry_date=serializer.validated_data.get("expiry_date"),
            scopes=serializer.validated_data.get("scopes"),
        )
        key.key = secret
        return one_time(Response(ApiKeyCreatedSerializer(key).data, status=status.HTTP_201_CREATED), "key")

    def perform_destroy(self, instance):
        api_key_revoke(key=instance)
