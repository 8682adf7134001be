"""The one FilterSet of batteries, shared by the list page and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from portal.vehicles.choices import BatteryChemistry

from .choices import BatteryCategory, BatteryStatus
from .models import Battery, BatteryModel


class BatteryFilterSet(django_filters.FilterSet):
    """Every filter here has an index on the battery table (Battery.Meta.indexes), or joins a small table."""

    identifier = django_filters.CharFilter(
        field_name="identifier", lookup_expr="istartswith", label=_("Identifier starts with"), max_length=100
    )  # UPPER(identifier) LIKE 'X%' → the battery_identifier_prefix pattern index
    category = django_filters.ChoiceFilter(choices=BatteryCategory.choices, label=_("Category"))
    status = django_filters.ChoiceFilter(choices=BatteryStatus.choices, label=_("Status"))
    battery_model = django_filters.ModelChoiceFilter(
        queryset=BatteryModel.objects.order_by("code"), label=_("Battery model")
    )
    # Through the model (a few rows per partner): battery_model_created then serves the batteries.
    chemistry = django_filters.ChoiceFilter(
        field_name="battery_model__chemistry", choices=BatteryChemistry.choices, label=_("Chemistry")
    )
    complete = django_filters.BooleanFilter(label=_("Passport complete"))
    vin = django_filters.CharFilter(
        field_name="vehicle__vin", lookup_expr="istartswith", label=_("Fitted to VIN starting with"), max_length=17
    )  # the vehicle's VIN prefix index, then battery.vehicle_id's index
    ordering = django_filters.OrderingFilter(
        fields=[("created_at", "created_at"), ("identifier", "identifier")],
        field_labels={"created_at": _("Added"), "identifier": _("Identifier")},
        label=_("Sort by"),
    )

    class Meta:
        model = Battery
        fields = ["identifier", "category", "status", "battery_model", "chemistry", "complete", "vin"]
