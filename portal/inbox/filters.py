"""The inbox list's filter: unread only, one kind."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import NoticeKind
from .models import Notice


class NoticeFilterSet(django_filters.FilterSet):
    """Filters of the inbox page."""

    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("Unread only"))
    kind = django_filters.ChoiceFilter(choices=NoticeKind.choices, label=_("Kind"))

    class Meta:
        model = Notice
        fields = ["unread", "kind"]
