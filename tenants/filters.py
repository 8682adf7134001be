"""FilterSets of partners, shared by the staff pages and the API."""

import django_filters

from .models import Partner


class PartnerFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Partner
        fields = ["name", "kind", "country", "tier", "is_active"]
