"""FilterSets of collaboration objects, shared by the list page, the API and the CSV export."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import ListingKind, ProductCategory, Stage, Technology
from .models import Listing, Product, Project


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label=_("Stage"))
    tag = django_filters.ChoiceFilter(choices=Technology.choices, method="has_tag", label=_("Technology"))
    market = django_filters.CharFilter(method="has_market", label=_("Market"))
    owner = django_filters.NumberFilter(field_name="owner_id", label=_("Owner partner"))
    updated_after = django_filters.DateFilter(
        field_name="updated_at", lookup_expr="date__gte", label=_("Updated since")
    )

    class Meta:
        model = Project
        fields = ["q", "stage", "tag", "market", "owner", "budget_range", "updated_after"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value))

    def has_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=[value])

    def has_market(self, queryset, name, value):
        return queryset.filter(markets__contains=[value.upper()[:2]])


class ProductFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("Name"))
    category = django_filters.ChoiceFilter(choices=ProductCategory.choices, label=_("Category"))
    feature = django_filters.ChoiceFilter(choices=Technology.choices, method="has_feature", label=_("Feature"))

    class Meta:
        model = Product
        fields = ["name", "category", "feature", "partner"]

    def has_feature(self, queryset, name, value):
        return queryset.filter(features__contains=[value])


class ListingFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ListingKind.choices, label=_("Need or offer"))
    tag = django_filters.ChoiceFilter(choices=Technology.choices, method="has_tag", label=_("Technology"))

    class Meta:
        model = Listing
        fields = ["kind", "tag", "partner"]

    def has_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=[value])
