"""The API's FilterSet backend: the FilterSet (and its form) is built only when the request asks for a filter."""

from django_filters.rest_framework import DjangoFilterBackend


class RequestedFilterBackend(DjangoFilterBackend):
    """django-filter's backend, minus the form it would build and validate on every unfiltered list call."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        names = tuple(filterset_class.base_filters)
        # Range filters read `<name>_after` / `<name>_before`, hence the prefix match.
        if not any(key.startswith(names) for key in request.query_params):
            return queryset
        return super().filter_queryset(request, queryset, view)
