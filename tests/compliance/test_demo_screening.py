"""The demo's screening lists show their source and last update, and an entity owned 60 % by listed parties."""

import io

import pytest

from portal.compliance import demo as compliance_demo
from portal.compliance.screening import index_get
from portal.reference.models import ScreeningList
from portal.reference.versions import reference_versions
from tenants.choices import Role

from ..conftest import client_for

pytestmark = pytest.mark.django_db


def test_the_demo_lists_and_the_owned_entity(world):
    for _ in range(2):  # idempotent
        compliance_demo.seed(partners={}, stdout=io.StringIO())
    assert set(ScreeningList.objects.values_list("name", flat=True)) == {
        compliance_demo.DEMO_LIST,
        compliance_demo.DEMO_OWNERSHIP_SOURCE,
    }
    (hit,) = index_get(version=reference_versions()["screening"]).screen("Gulf Star Vehicle Holdings", country="AE")
    assert hit.ownership_share == 60 and len(hit.owned_by) == 2
    page = client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).get("/compliance/rules/").content.decode()
    assert page.count('data-testid="screening-list-fresh"') == 2
