"""Filtered lists: one FilterSet, bound to the query string, serves a list page and its CSV / XLSX exports alike;
above the rows, the active filters as removable chips and the filtered count; the columns a person chose."""

import datetime
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

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


# --- what a list shows above its rows: the active filters as removable chips, and how many rows match --------

COUNT_CAP = 10_000  # counting stops here: "more than 10,000" costs the same on a million rows as on ten thousand


@dataclass(frozen=True)
class Chip:
    """One active filter: its name, what it is set to (as the reader reads it), and the list without it."""

    label: str
    value: str
    remove_url: str


@dataclass(frozen=True)
class ListSummary:
    """The chips of the active filters, and "124 of 5,310" (or "5,310" when nothing is filtered)."""

    chips: list[Chip]
    count_text: str
    clear_url: str


def count_capped(queryset: QuerySet, *, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """(rows, more?): counts at most `cap` + 1 rows, so a broad filter on a huge table stays cheap."""
    counted = queryset.order_by()[: cap + 1].count()
    return (cap, True) if counted > cap else (counted, False)


def _param_names(name: str, widget) -> list[str]:
    """The query-string keys one form field reads (a date range reads `<name>_after` and `<name>_before`)."""
    if hasattr(widget, "suffixes") and hasattr(widget, "suffixed"):
        return [widget.suffixed(name, suffix) for suffix in widget.suffixes]
    if isinstance(widget, forms.MultiWidget):
        return [name + suffix for suffix in widget.widgets_names]
    return [name]


def _shown(value) -> str:
    if isinstance(value, datetime.datetime | datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


def _chip_value(field, cleaned, raw: list[str]) -> str:
    """A filter's value as the reader reads it: a choice's label, a model's name, a range of dates."""
    if cleaned in (None, "", [], ()):
        return " ".join(raw)  # invalid or unreadable: show what was typed, so it can be removed
    if isinstance(cleaned, slice):
        start, stop = cleaned.start, cleaned.stop
        if start is not None and stop is not None:
            return f"{_shown(start)} – {_shown(stop)}"
        return (_("from %(date)s") if start is not None else _("until %(date)s")) % {"date": _shown(start or stop)}
    choices = getattr(field, "choices", None)
    if choices is not None and not isinstance(field, forms.ModelChoiceField):
        labels = dict(choices)
        values = cleaned if isinstance(cleaned, list | tuple) else [cleaned]
        return ", ".join(str(labels.get(value, value)) for value in values)
    return _shown(cleaned)


def filter_chips(request, filterset) -> list[Chip]:
    """One chip per filter set in the query string, each a link to the same list without that filter
    (sorting is not a filter: it stays; the page number goes)."""
    if not filterset.is_bound:
        return []
    form = filterset.form
    cleaned = form.cleaned_data if form.is_valid() else getattr(form, "cleaned_data", {})
    chips = []
    for name, field in form.fields.items():
        if isinstance(filterset.filters.get(name), django_filters.OrderingFilter):
            continue
        keys = _param_names(name, field.widget)
        raw = [value for key in keys for value in request.GET.getlist(key) if value.strip()]
        if not raw:
            continue
        rest = request.GET.copy()
        for key in [*keys, "page"]:
            rest.pop(key, None)
        value = _chip_value(field, cleaned.get(name), raw)
        chips.append(Chip(str(field.label or name), value, "?" + rest.urlencode()))
    return chips


def _number(count: int, more: bool, *, exact: bool = True) -> str:
    shown = number_format(count, force_grouping=True)
    if more:
        return _("more than %(count)s") % {"count": shown}
    return shown if exact else _("about %(count)s") % {"count": shown}


def list_summary(
    request,
    filterset,
    *,
    page=None,
    total: int | None = None,
    total_exact: bool = True,
    noun: str = "",
) -> ListSummary:
    """Chips and count of a filtered list. The matching rows are counted from a counted page when there is one,
    else (capped) from the FilterSet; the total is given (e.g. the planner's estimate) or counted (capped)."""
    chips = filter_chips(request, filterset)
    if total is None:
        total, more_total = count_capped(filterset.queryset)
        total_text = _number(total, more_total)
    else:
        total_text = _number(total, False, exact=total_exact)
    if filterset.is_bound and chips:
        paginator = getattr(page, "paginator", None)
        if not filterset.is_valid():
            matched, more = 0, False
        elif paginator is not None:
            matched, more = paginator.count, False
        else:
            matched, more = count_capped(filterset.qs)
        values = {"matched": _number(matched, more), "total": total_text, "noun": noun}
        text = (_("%(matched)s of %(total)s %(noun)s") if noun else _("%(matched)s of %(total)s")) % values
    else:
        text = _("%(total)s %(noun)s") % {"total": total_text, "noun": noun} if noun else total_text
    keep = {key: request.GET.getlist(key) for key in ("ordering",) if key in request.GET}
    clear = QueryDict(mutable=True)
    for key, values in keep.items():
        clear.setlist(key, values)
    return ListSummary(chips, text.strip(), "?" + clear.urlencode())


# --- which columns a person shows: chosen once, remembered in their session ----------------------------------


@dataclass(frozen=True)
class Column:
    """A column a person may show or hide: its key, its header, and whether it shows until they choose."""

    key: str
    label: str
    default: bool = True


def columns_chosen(request, *, list_key: str, columns: list[Column]) -> list[str]:
    """The keys of the columns this person shows on the list `list_key` (their choice, else the defaults)."""
    known = [column.key for column in columns]
    saved = request.session.get(f"columns:{list_key}")
    if isinstance(saved, list):
        chosen = [key for key in known if key in saved]
        if chosen:
            return chosen
    return [column.key for column in columns if column.default]


def columns_choose(request, *, list_key: str, columns: list[Column], chosen: list[str]) -> list[str]:
    """Remember the columns this person chose (unknown keys are dropped; none at all means the defaults)."""
    keys = [column.key for column in columns if column.key in set(chosen)]
    if keys:
        request.session[f"columns:{list_key}"] = keys
    else:
        request.session.pop(f"columns:{list_key}", None)
    return columns_chosen(request, list_key=list_key, columns=columns)
