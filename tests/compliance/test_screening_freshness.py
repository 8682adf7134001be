"""Freshness of the screening lists (issue 14): each list shows its source and last update; a list past its
refresh interval warns on every check (a note line: the verdict stays)."""

import datetime

import pytest
from django_tenants.utils import schema_context

from portal.compliance.choices import Verdict
from portal.compliance.freshness import STALE_CODE, screening_lists
from portal.compliance.reasons import reasons_explained
from portal.compliance.services.checks import shipment_check
from portal.reference.models import ScreeningList
from tenants.choices import Role

from ..conftest import client_for
from .factories import TODAY, eu_l3e_model, reload, shipment_make, vehicles_make

pytestmark = pytest.mark.django_db


def _list(days_ago: int, refresh_days: int = 7, name="EU consolidated list") -> ScreeningList:
    return ScreeningList.objects.create(
        name=name,
        source_url="https://data.europa.eu/data/datasets/consolidated-list-of-persons-groups-and-entities-subject-to-eu-financial-sanctions",
        publisher="European Commission",
        updated_on=TODAY - datetime.timedelta(days=days_ago),
        refresh_days=refresh_days,
    )


def test_a_list_is_stale_the_day_after_its_refresh_interval():
    _list(7)  # updated a week ago, refreshed weekly: still fresh today
    _list(8, name="OFAC SDN")
    by_name = {item.name: item for item in screening_lists(today=TODAY)}
    assert not by_name["EU consolidated list"].stale and by_name["OFAC SDN"].stale
    assert by_name["OFAC SDN"].stale_since == TODAY


def test_every_check_warns_of_a_stale_list_and_the_verdict_stays(world):
    model = eu_l3e_model(world.alpha)
    shipment = shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 1))
    assert shipment.verdict == Verdict.CLEARED
    assert STALE_CODE not in [reason["code"] for reason in shipment.latest_check.reasons]
    _list(30)
    for _ in range(2):  # every check, not once
        with schema_context(world.alpha.schema_name):
            shipment_check(shipment=shipment)
        check = reload(world.alpha, shipment).latest_check
        (stale,) = [reason for reason in check.reasons if reason["code"] == STALE_CODE]
        assert stale["severity"] == "info" and check.verdict == Verdict.CLEARED
    text = reasons_explained([stale])[0]["text"]
    assert "EU consolidated list" in text and (TODAY - datetime.timedelta(days=30)).isoformat() in text
    ScreeningList.objects.update(updated_on=TODAY)  # refreshed: the warning goes
    with schema_context(world.alpha.schema_name):
        shipment_check(shipment=shipment)
    assert STALE_CODE not in [reason["code"] for reason in reload(world.alpha, shipment).latest_check.reasons]


def test_the_rules_page_shows_each_lists_source_and_last_update(world):
    _list(3)
    _list(40, name="OFAC SDN")
    page = client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).get("/compliance/rules/").content.decode()
    assert 'data-testid="screening-list-fresh"' in page and 'data-testid="screening-list-stale"' in page
    assert "European Commission" in page and "OFAC SDN" in page
