"""The API's FilterSet backend: the FilterSet (and its form) is built only when the request asks for a filter."""

import django_filters
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

BOOLEAN_WORDS = frozenset({"true", "false", "1", "0"})


def _filter_named(filters: dict, key: str):
    """The filter a query parameter belongs to (range filters read `<name>_after` / `<name>_before`)."""
    return filters.get(key) or filters.get(key.rsplit("_", 1)[0])


def _values_check(filterset_class, query_params) -> None:
    """django-filter reads an empty value, or an unknown yes/no value, as "no filter": a page's form sends those for
    "any", but the API's schema names the values it takes, so the API says what is wrong instead."""
    filters = filterset_class.base_filters
    errors = {}
    for key in query_params:
        filter_ = _filter_named(filters, key)
        if filter_ is None:
            continue
        values = query_params.getlist(key)
        if isinstance(filter_, django_filters.BooleanFilter):
            if any(value.lower() not in BOOLEAN_WORDS for value in values):
                errors[key] = [_("Write true or false.")]
        elif not isinstance(filter_, django_filters.CharFilter) and "" in values:
            errors[key] = [_("Give a value, or leave the parameter out.")]
    if errors:
        raise ValidationError(errors)


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
        _values_check(filterset_class, request.query_params)
        return super().filter_queryset(request, queryset, view)
