"""The inbox list's filter: every notice or the unread ones, one kind."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import NoticeKind
from .models import Notice


class NoticeFilterSet(django_filters.FilterSet):
    """Filters of the inbox page."""

    show = django_filters.ChoiceFilter(
        choices=[("unread", _("Unread notices"))], empty_label=_("Every notice"), method="filter_show", label=_("Show")
    )
    kind = django_filters.ChoiceFilter(choices=NoticeKind.choices, label=_("Kind"))

    class Meta:
        model = Notice
        fields = ["show", "kind"]

    def filter_show(self, queryset, name, value):
        return queryset.filter(read_at__isnull=True) if value == "unread" else queryset
