"""The FilterSets of export compliance, shared by the list pages, the API and the exports."""

import datetime

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from portal.reference.models import CertificateType
from portal.vehicles.models import VehicleModel

from .choices import ShipmentStatus, Verdict
from .models import Certificate, Shipment, ShipmentCheck

SHIPMENT_ORDERING = ["created_at", "expected_arrival", "verdict", "status"]


def _country_choices():
    return list(countries)


class ShipmentFilterSet(django_filters.FilterSet):
    """Every filter has an index on the shipment table (see Shipment.Meta.indexes)."""

    q = django_filters.CharFilter(method="search", label=_("Reference or consignee"), max_length=100)
    status = django_filters.ChoiceFilter(choices=ShipmentStatus.choices, label=_("Status"))
    verdict = django_filters.ChoiceFilter(choices=Verdict.choices, label=_("Verdict"))
    released = django_filters.ChoiceFilter(
        choices=[("yes", _("Released")), ("no", _("Not released"))], method="by_release", label=_("Release")
    )
    destination = django_filters.ChoiceFilter(choices=_country_choices, label=_("Destination"))
    expected_arrival = django_filters.DateFromToRangeFilter(label=_("Arriving between"))
    ordering = django_filters.OrderingFilter(
        fields=[(name, name) for name in SHIPMENT_ORDERING],
        field_labels={
            "created_at": _("Created"),
            "expected_arrival": _("Expected arrival"),
            "verdict": _("Verdict"),
            "status": _("Status"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = Shipment
        fields = ["q", "status", "verdict", "released", "destination", "expected_arrival"]

    def by_release(self, queryset, name, value):
        """Released by compliance officers (their latest check), or not: "blocked, not released" is what waits."""
        return queryset.filter(release__isnull=value != "yes")

    def search(self, queryset, name, value):
        value = value.strip()
        return (
            queryset.filter(Q(reference__istartswith=value) | Q(consignee_name__icontains=value)) if value else queryset
        )


class CertificateFilterSet(django_filters.FilterSet):
    """Certificates by type, model and expiry."""

    certificate_type = django_filters.ModelChoiceFilter(
        queryset=CertificateType.objects.order_by("code"), label=_("Type")
    )
    vehicle_model = django_filters.ModelChoiceFilter(
        field_name="vehicle_models", queryset=VehicleModel.objects.order_by("name"), label=_("Vehicle model")
    )
    expires_within = django_filters.NumberFilter(method="within", label=_("Expires within (days)"), min_value=0)
    valid_to = django_filters.DateFromToRangeFilter(label=_("Expires between"))
    number = django_filters.CharFilter(lookup_expr="icontains", label=_("Number"), max_length=120)

    class Meta:
        model = Certificate
        fields = ["certificate_type", "vehicle_model", "expires_within", "valid_to", "number"]

    def within(self, queryset, name, value):
        today = datetime.date.today()
        return queryset.filter(valid_to__gte=today, valid_to__lte=today + datetime.timedelta(days=int(value)))


class ShipmentCheckFilterSet(django_filters.FilterSet):
    """Stored checks by shipment and verdict."""

    verdict = django_filters.ChoiceFilter(choices=Verdict.choices, label=_("Verdict"))

    class Meta:
        model = ShipmentCheck
        fields = ["shipment", "verdict"]
