"""The one FilterSet of vehicles, shared by the list page, the API and the exports."""

import django_filters
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.reference.choices import Category

from .choices import VehicleStatus
from .models import Vehicle, VehicleModel

ORDERING_FIELDS = ["production_date", "vin", "status", "registration_date"]


def _country_choices():
    return list(countries)


class VehicleFilterSet(django_filters.FilterSet):
    """Every filter here has an index on the vehicle table (see Vehicle.Meta.indexes)."""

    vin = django_filters.CharFilter(
        field_name="vin", lookup_expr="istartswith", label=_("VIN starts with"), max_length=17
    )  # UPPER(vin) LIKE 'X%' → the vehicle_vin_prefix pattern index
    category = django_filters.ChoiceFilter(field_name="model__category", choices=Category.choices, label=_("Category"))
    model = django_filters.ModelChoiceFilter(queryset=VehicleModel.objects.order_by("name"), label=_("Model"))
    status = django_filters.ChoiceFilter(choices=VehicleStatus.choices, label=_("Status"))
    # A callable: the FilterSet deep-copies its filters on every request, and 250 countries are costly to copy.
    registration_country = django_filters.ChoiceFilter(choices=_country_choices, label=_("Registration country"))
    registration_region = django_filters.CharFilter(label=_("Region"), max_length=80)
    production_date = django_filters.DateFromToRangeFilter(label=_("Produced between"))
    registration_date = django_filters.DateFromToRangeFilter(label=_("Registered between"))
    ordering = django_filters.OrderingFilter(
        fields=[(name, name) for name in ORDERING_FIELDS],
        field_labels={
            "production_date": _("Production date"),
            "vin": _("VIN"),
            "status": _("Status"),
            "registration_date": _("Registration date"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = Vehicle
        fields = [
            "vin",
            "category",
            "model",
            "status",
            "registration_country",
            "registration_region",
            "production_date",
            "registration_date",
        ]
