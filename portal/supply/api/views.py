"""API of supply reports: a partner's monthly component purchases (scope `insights`)."""

from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from portal.core.caller import request_person

from .. import selectors, services
from ..models import SupplyReport
from .serializers import SupplyReportSerializer


class SupplyReportViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Monthly purchases: all, and from local suppliers. POST a month already reported to replace it."""

    api_scope = "insights"  # supply reports feed the statistics: keys reach them with that scope
    serializer_class = SupplyReportSerializer
    queryset = SupplyReport.objects.none()
    ordering = ["-month"]

    def get_queryset(self):
        return selectors.supply_report_list()

    def _save(self, serializer, **fixed):
        by = request_person(self.request)
        serializer.instance = services.supply_report_save(**{**serializer.validated_data, **fixed}, by=by)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self._save(serializer)
        return Response(self.get_serializer(serializer.instance).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer):
        instance = serializer.instance
        current = {
            field: getattr(instance, field) for field in ("month", "total_value", "local_value", "currency", "note")
        }
        data = {**current, **serializer.validated_data}
        if data["month"].replace(day=1) != instance.month:
            raise ValidationError({"month": ["The month of a report cannot change: report the other month instead."]})
        serializer.validated_data.update(data)
        self._save(serializer)

    def perform_destroy(self, instance):
        services.supply_report_delete(report=instance)
