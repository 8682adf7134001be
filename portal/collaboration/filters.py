"""FilterSets of collaboration objects, shared by the list page, the API and the CSV export."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from portal.core.caller import request_person
from tenants.models import Partner

from .choices import ListingKind, ParticipantStatus, ProductCategory, Stage, Technology
from .models import Listing, Participant, Product, Project, Transition


@extend_schema_field(OpenApiTypes.INT)
class PartnerFilter(django_filters.ModelChoiceFilter):
    """A partner chosen by its id (the API documents an integer, not a string)."""


class ProjectFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    stage = django_filters.MultipleChoiceFilter(choices=Stage.choices, label=_("Stage"))
    tag = django_filters.ChoiceFilter(
        choices=Technology.choices, method="has_tag", label=_("Technology"), empty_label=_("Any technology")
    )
    market = django_filters.CharFilter(method="has_market", label=_("Market"))
    owner = django_filters.NumberFilter(field_name="owner_id", label=_("Owner partner"))
    partner = PartnerFilter(
        queryset=Partner.objects.none(), method="with_partner", label=_("Partner"), empty_label=_("Any partner")
    )
    mine = django_filters.BooleanFilter(
        method="is_mine", label=_("Mine"), widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    updated_after = django_filters.DateFilter(
        field_name="updated_at", lookup_expr="date__gte", label=_("Updated since")
    )

    class Meta:
        model = Project
        fields = ["q", "stage", "tag", "market", "owner", "partner", "mine", "budget_range", "updated_after"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer (and accept) only partners taking part in the projects the caller may see.
        taking_part = Participant.objects.filter(
            partner=OuterRef("pk"), status=ParticipantStatus.ACCEPTED, project__in=self.queryset.values("pk")
        )
        self.filters["partner"].queryset = Partner.objects.filter(Exists(taking_part)).order_by("name")

    def with_partner(self, queryset, name, value):
        accepted = Participant.objects.filter(project=OuterRef("pk"), partner=value, status=ParticipantStatus.ACCEPTED)
        return queryset.filter(Exists(accepted))

    def is_mine(self, queryset, name, value):
        """With `mine=true`: the projects the caller opened or moved (a checkbox left empty filters nothing)."""
        if not value:
            return queryset
        user = request_person(self.request)
        if user is None:  # an API key or nobody: nothing is "mine"
            return queryset.none()
        moved = Transition.objects.filter(project=OuterRef("pk"), by_user=user)
        return queryset.filter(Q(created_by=user) | Q(Exists(moved)))

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
