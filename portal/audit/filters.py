"""The one FilterSet of audit events: the owners' page, the staff page, the API and the CSV export."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction
from .models import AuditEvent


class AuditEventFilterSet(django_filters.FilterSet):
    action = django_filters.MultipleChoiceFilter(choices=AuditAction.choices, label=_("Action"))
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="iexact", label=_("Who (e-mail or key)"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("From"))
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("To"))
    request_id = django_filters.CharFilter(field_name="request_id", label=_("Request id"))

    class Meta:
        model = AuditEvent
        fields = ["action", "actor", "since", "until", "request_id"]


class StaffAuditEventFilterSet(AuditEventFilterSet):
    partner = django_filters.NumberFilter(field_name="partner_id", label=_("Partner"))

    class Meta(AuditEventFilterSet.Meta):
        fields = [*AuditEventFilterSet.Meta.fields, "partner"]
