"""Filtered lists: one FilterSet, bound to the query string, serves a list page and its CSV / XLSX exports alike."""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import QuerySet

from .forms import style_widgets
from .paging import PAGE_SIZE, Page, page_number


@dataclass(frozen=True)
class Filtered:
    """A FilterSet read from the request, and the rows it selects."""

    filterset: object
    queryset: QuerySet


def filtered(request, filterset_class, queryset: QuerySet) -> Filtered:
    """The FilterSet bound to the query string (unbound when there is none) and the rows it selects.

    Invalid filters match nothing (the form says why): a list or an export never silently widens to every row.
    """
    filterset = filterset_class(request.GET or None, queryset=queryset, request=request)
    style_widgets(filterset.form, small=True)
    if not filterset.is_bound:
        return Filtered(filterset, queryset)
    return Filtered(filterset, filterset.qs if filterset.is_valid() else queryset.none())


def query_without_page(request) -> str:
    """The request's query string without `page`, for the links to the other pages and to the exports."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@dataclass(frozen=True)
class ListPage:
    """One page of a filtered list: what the template needs."""

    filterset: object
    queryset: QuerySet
    page: object
    query_string: str

    @property
    def count(self) -> int | None:
        """Rows matching in all (None for next / previous pages, which never count)."""
        paginator = getattr(self.page, "paginator", None)
        return paginator.count if paginator is not None else None


def filtered_page(
    request,
    filterset_class,
    queryset: QuerySet,
    *,
    per_page: int = PAGE_SIZE,
    order_by: tuple[str, ...] = (),
    counted: bool = False,
) -> ListPage:
    """The filtered rows, ordered by `order_by` when given, paged.

    `counted` pages with Django's Paginator ("page 2 of 7", one COUNT query); otherwise next / previous pages
    without a total (`portal.core.paging.Page`), for tables too large to count.
    """
    rows = filtered(request, filterset_class, queryset)
    queryset = rows.queryset.order_by(*order_by) if order_by else rows.queryset
    if counted:
        page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    else:
        page = Page(queryset, page_number(request.GET.get("page")), per_page)
    return ListPage(rows.filterset, queryset, page, query_without_page(request))
