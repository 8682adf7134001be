"""API of industry statistics: the measures, their disclosed cells, targets and risk warnings.

Partners (members or API keys with `insights:read`) get the same disclosure as on their dashboard; alliance
staff signed in on the public host get every cell.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.permissions import IsPartnerMemberOrStaffReading

from .. import selectors
from ..choices import Breakdown, CellStatus, Grain
from ..forms import SelectionForm
from ..labels import key_labels
from ..measures import MEASURES
from ..models import Cell, RiskWarning
from .serializers import (
    CellSerializer,
    MeasureSerializer,
    StatisticsFunnelSerializer,
    TargetProgressSerializer,
    WarningSerializer,
)

SELECTION_PARAMETERS = [
    OpenApiParameter("measure", str, required=True, enum=list(MEASURES), description="Which measure."),
    OpenApiParameter("breakdown", str, enum=Breakdown.values, description="Default: the measure's first."),
    OpenApiParameter(
        "grain", str, enum=Grain.values, description="month (default) or quarter (`period`: its first day)."
    ),
    OpenApiParameter("first", str, description="First month, YYYY-MM (default: 23 months before `last`)."),
    OpenApiParameter("last", str, description="Last month, YYYY-MM (default: the current month, counted to date)."),
]


class StatisticsViewMixin:
    permission_classes = [IsPartnerMemberOrStaffReading]

    @property
    def staff(self) -> bool:
        return self.request.partner is None


class MeasureViewSet(StatisticsViewMixin, viewsets.ViewSet):
    """The measures and how each can be broken down."""

    api_scope = "insights"

    pagination_class = None

    @extend_schema(responses=MeasureSerializer(many=True))
    def list(self, request):
        data = [
            {"code": m.code, "label": str(m.label), "unit": str(m.unit), "breakdowns": list(m.breakdowns)}
            for m in MEASURES.values()
        ]
        return Response(MeasureSerializer(data, many=True).data)


class CellViewSet(StatisticsViewMixin, viewsets.GenericViewSet):
    """Monthly cells of one measure and breakdown; suppressed cells have a null value for partners."""

    api_scope = "insights"

    serializer_class = CellSerializer
    queryset = Cell.objects.none()

    @extend_schema(
        parameters=SELECTION_PARAMETERS,
        responses={200: CellSerializer(many=True)},
    )
    def list(self, request):
        form = SelectionForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({field: [str(error) for error in errors] for field, errors in form.errors.items()})
        selection = form.selection()
        cells = selectors.cell_list(selection=selection)
        page = self.paginate_queryset(cells)
        own = {} if self.staff else selectors.own_figures(partner=request.partner, selection=selection)
        labels = key_labels(selection.breakdown, {cell.key for cell in page})
        rows = []
        for cell in page:
            shown = self.staff or cell.status == CellStatus.SHOWN
            row = {
                "measure": cell.measure,
                "breakdown": cell.breakdown,
                "period": cell.period,
                "key": cell.key,
                "label": labels.get(cell.key, cell.key),
                "value": cell.value if shown else None,
                "suppressed": cell.status != CellStatus.SHOWN,
                "status": cell.status,
            }
            if self.staff:
                row.update(contributors=cell.contributors, top_share=cell.top_share)
            else:
                row["own_value"] = own.get((cell.period, cell.key))
            rows.append(row)
        return self.get_paginated_response(CellSerializer(rows, many=True).data)


class WarningViewSet(StatisticsViewMixin, viewsets.GenericViewSet):
    """Risk warnings of the latest run: about the caller's partner (all of them for staff)."""

    api_scope = "insights"

    serializer_class = WarningSerializer
    queryset = RiskWarning.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no caller
            return RiskWarning.objects.none()
        return selectors.warning_list(partner=self.request.partner)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(WarningSerializer(page, many=True).data)


class FunnelView(StatisticsViewMixin, APIView):
    """The collaboration funnel at the last run: the alliance's (disclosed) and the caller's own projects."""

    api_scope = "insights"

    @extend_schema(responses=StatisticsFunnelSerializer)
    def get(self, request):
        partner = request.partner
        data = {
            "alliance": selectors.funnel_rows(partner=None, staff=self.staff),
            "own": selectors.funnel_rows(partner=partner, staff=False) if partner is not None else None,
        }
        return Response(StatisticsFunnelSerializer(data).data)


class TargetViewSet(StatisticsViewMixin, viewsets.ViewSet):
    """The alliance targets, where the alliance stands and where its growth leads."""

    api_scope = "insights"

    pagination_class = None

    @extend_schema(responses=TargetProgressSerializer(many=True))
    def list(self, request):
        return Response(TargetProgressSerializer(selectors.target_progress(staff=self.staff), many=True).data)
