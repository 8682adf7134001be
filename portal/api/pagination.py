"""Pagination for every list endpoint: numbered pages, or cursors for the lists that grow to millions of rows."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination

MAX_PAGE_SIZE = 1000


class StrictPageSize:
    """`?page_size=` is a whole number of at least 1 (larger than the maximum is read as the maximum); anything else
    is a 400 naming the parameter, never silently the default page size."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if size < 1:
            message = _("A whole number from 1 to %(max)d.") % {"max": self.max_page_size}
            raise ValidationError({self.page_size_query_param: [message]})
        return min(size, self.max_page_size)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["minimum"] = 1
        return parameters


class StandardPagination(StrictPageSize, PageNumberPagination):
    """`?page=` and `?page_size=` (at most 1,000)."""


class PortalCursorPagination(StrictPageSize, CursorPagination):
    """Cursor pages: constant cost however deep the page, and no COUNT(*) over millions of rows."""

    page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        # A well-formed cursor can still carry a position that is no date or VIN: that is an invalid cursor.
        try:
            return super().paginate_queryset(queryset, request, view)
        except DjangoValidationError as error:
            raise NotFound(self.invalid_cursor_message) from error
