"""GET /api/v1/search/?q=…: the search box's results as data (people only: an API key has no scope for it)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.permissions import IsPartnerMemberOrStaffReading

from ..links import search_for
from ..selectors import MIN_LENGTH
from .serializers import SearchResultsSerializer


class SearchView(APIView):
    """What the search box finds on this host, grouped by kind (at most 10 hits a kind)."""

    permission_classes = [IsPartnerMemberOrStaffReading]

    @extend_schema(
        parameters=[OpenApiParameter("q", str, description="VIN (or its last 6+ characters), reference, name…")],
        responses=SearchResultsSerializer,
    )
    def get(self, request):
        results = search_for(request._request, request.query_params.get("q", ""))
        data = {
            "query": results.query,
            "too_short": results.too_short,
            "min_length": MIN_LENGTH,
            "groups": [
                {
                    "kind": group.kind,
                    "more": group.more,
                    "hits": [{"label": hit.label, "url": hit.search_url} for hit in group.hits],
                }
                for group in results.groups
            ],
        }
        return Response(SearchResultsSerializer(data).data)
