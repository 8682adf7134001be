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
