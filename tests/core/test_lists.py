"""The platform's filtered list: unbound without a query, invalid filters match nothing, the page is left out."""

import pytest
from django.test import RequestFactory

from portal.core.lists import filtered, filtered_page
from tenants.filters import PartnerFilterSet
from tenants.models import Partner

pytestmark = pytest.mark.django_db


def _get(query: str):
    return RequestFactory().get("/?" + query)


def test_no_query_leaves_the_filterset_unbound_and_the_rows_whole(world):
    rows = filtered(_get(""), PartnerFilterSet, Partner.objects.order_by("pk"))
    assert not rows.filterset.is_bound
    assert list(rows.queryset) == list(Partner.objects.order_by("pk"))


def test_an_invalid_filter_matches_nothing(world):
    rows = filtered(_get("kind=no-such-kind"), PartnerFilterSet, Partner.objects.all())
    assert rows.filterset.is_bound and not rows.filterset.is_valid()
    assert not rows.queryset.exists()


def test_a_page_keeps_the_query_without_the_page(world):
    listing = filtered_page(_get("name=alpha&page=1"), PartnerFilterSet, Partner.objects.all(), order_by=("name",))
    assert listing.query_string == "name=alpha"
    assert listing.count is None  # next / previous pages never count
    counted = filtered_page(_get("name=alpha"), PartnerFilterSet, Partner.objects.all(), counted=True)
    assert counted.count == Partner.objects.filter(name__icontains="alpha").count()


# --- chips, counts, chosen columns ------------------------------------------------------------------------------

import django_filters  # noqa: E402
from django.contrib.sessions.backends.signed_cookies import SessionStore  # noqa: E402
from django.http import QueryDict  # noqa: E402

from portal.core.lists import Column, columns_choose, columns_chosen, count_capped, filter_chips, list_summary  # noqa: E402
from tenants.choices import PartnerKind  # noqa: E402


class DatedPartnerFilterSet(PartnerFilterSet):
    """PartnerFilterSet with a date range and an ordering, as the vehicle and shipment lists have."""

    created = django_filters.DateFromToRangeFilter(field_name="created_at__date", label="Created between")
    ordering = django_filters.OrderingFilter(fields=["name"])


def _bound(query: str):
    request = _get(query)
    return request, DatedPartnerFilterSet(request.GET or None, queryset=Partner.objects.all())


def test_each_active_filter_is_a_chip_whose_link_removes_only_it(world):
    request, filterset = _bound(f"name=alp&kind={PartnerKind.EV_MAKER}&created_after=2020-01-02&ordering=name&page=3")
    chips = filter_chips(request, filterset)
    assert [chip.label for chip in chips] == ["Name contains", "Kind", "Created between"]
    by_label = {chip.label: chip for chip in chips}
    assert by_label["Kind"].value == str(PartnerKind.EV_MAKER.label)  # the choice's label, not its code
    assert by_label["Created between"].value.startswith("from ")
    removed = QueryDict(by_label["Name contains"].remove_url.lstrip("?"))
    assert "name" not in removed and "page" not in removed  # the page goes, sorting stays
    assert removed["kind"] == PartnerKind.EV_MAKER and removed["ordering"] == "name"
    removed = QueryDict(by_label["Created between"].remove_url.lstrip("?"))
    assert "created_after" not in removed and removed["name"] == "alp"


def test_an_invalid_filter_is_a_chip_too_and_matches_nothing(world):
    request, filterset = _bound("kind=no-such-kind")
    summary = list_summary(request, filterset, noun="partners")
    assert [chip.value for chip in summary.chips] == ["no-such-kind"]
    assert summary.count_text.startswith("0 of ")


def test_the_count_says_how_many_match_of_how_many(world):
    total = Partner.objects.count()
    matching = Partner.objects.filter(name__icontains="alpha").count()
    request, filterset = _bound("name=alpha&ordering=name")
    summary = list_summary(request, filterset, noun="partners")
    assert summary.count_text == f"{matching} of {total} partners"
    assert summary.clear_url == "?ordering=name"
    request, filterset = _bound("ordering=name")  # sorting only: nothing filtered
    assert list_summary(request, filterset, noun="partners").count_text == f"{total} partners"
    request, filterset = _bound("name=alpha")
    assert list_summary(request, filterset, total=1_234_567, total_exact=False).count_text == (
        f"{matching} of about 1,234,567"
    )


def test_counting_stops_at_the_cap(world):
    assert count_capped(Partner.objects.all(), cap=1) == (1, True)
    assert count_capped(Partner.objects.filter(pk=-1), cap=1) == (0, False)


def test_chosen_columns_are_remembered_per_session_and_unknown_keys_dropped():
    columns = [Column("a", "A"), Column("b", "B"), Column("c", "C", default=False)]
    request = _get("")
    request.session = SessionStore()
    assert columns_chosen(request, list_key="x", columns=columns) == ["a", "b"]
    assert columns_choose(request, list_key="x", columns=columns, chosen=["c", "zzz", "a"]) == ["a", "c"]
    assert columns_chosen(request, list_key="x", columns=columns) == ["a", "c"]
    assert columns_chosen(request, list_key="other", columns=columns) == ["a", "b"]
    assert columns_choose(request, list_key="x", columns=columns, chosen=[]) == ["a", "b"]  # none: defaults


def test_dates_in_chips_are_never_ambiguous(world):
    request, filterset = _bound("created_after=2026-07-12&created_before=2026-12-07")
    (chip,) = filter_chips(request, filterset)
    assert "12/07" not in chip.value and "07/12" not in chip.value and "2026" in chip.value
