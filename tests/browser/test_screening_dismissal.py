"""Marking a screening hit "not the listed party" in a real browser (issue 14): a compliance officer opens the hit
under the verdict, writes why, and the shipment is checked again without it; the dismissal is listed on the page and
revoked there, and the hit comes back; English and Arabic, a clean console.

The shipment is committed by a fixture (the server runs in another process) and removed afterwards with everything
the journey wrote, so no other test sees it.
"""

import datetime

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from portal.audit.models import AuditEvent
from portal.compliance.models import ScreeningDismissal, Shipment
from portal.compliance.services.shipments import shipment_create
from portal.reference.models import ScreenedParty
from tenants.models import Membership, Partner
from tests.factories import TEST_PASSWORD
from tests.insights.factories import dirty_clear

from .conftest import ConsoleLog, PortalServer
from .helpers import assert_clean_console, choose_language, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

PARTY = "Kestrel Dismissal General Trading LLC"
REASON = "Same name, different company: registry number and owners checked against the register."


@pytest.fixture(scope="module")  # module scope: set up before the test's own transaction, so it is committed
def screened_shipment(portal_server, django_db_blocker):
    """Alpha's manager is its officer; an open shipment whose consignee's name is a listed party's elsewhere."""
    with django_db_blocker.unblock():
        alpha = Partner.objects.get(schema_name="alpha")
        officers = Membership.objects.filter(partner=alpha, role="manager")
        officers.update(is_compliance_officer=True)
        party = ScreenedParty.objects.create(name=PARTY, country="AE", list_source="Browser journey list")
        with schema_context(alpha.schema_name):
            shipment = shipment_create(
                reference="JOURNEY-DISMISS",
                destination="HU",
                consignee_name="Kestrel Dismissal General Trading",
                consignee_country="HU",
                incoterm="DAP",
                hs_code="8711.60",
                expected_arrival=datetime.date.today() + datetime.timedelta(days=30),
            )
    try:
        yield shipment
    finally:
        with django_db_blocker.unblock():
            with schema_context(alpha.schema_name):
                ScreeningDismissal.objects.filter(entry_id=party.pk).delete()
                Shipment.objects.filter(pk=shipment.pk).delete()
            AuditEvent.objects.filter(target_type="compliance.shipment", target_id=str(shipment.pk)).delete()
            AuditEvent.objects.filter(target_type="compliance.screeningdismissal").delete()
            dirty_clear(alpha.schema_name)
            party.delete()
            officers.update(is_compliance_officer=False)


def test_an_officer_dismisses_and_revokes_a_screening_hit(
    page: Page, portal_server: PortalServer, console: ConsoleLog, screened_shipment
):
    detail = portal_server.url("alpha", f"/compliance/shipments/{screened_shipment.pk}/")
    page.goto(detail)
    sign_in(page, "manager@alpha.example.com", TEST_PASSWORD)
    page.goto(detail)
    party = ScreenedParty.objects.get(name=PARTY)
    hit = page.get_by_test_id(f"dismiss-hit-{party.pk}")
    expect(page.locator('[data-code="screening_hit"]')).to_have_count(1)
    hit.locator("summary").click()
    hit.locator("textarea").fill(REASON)
    screenshot(page, "screening-dismissal-form-en")
    with page.expect_navigation():
        hit.locator("button[type=submit]").click()
    expect(page.locator('[data-code="screening_hit"]')).to_have_count(0)
    expect(page.get_by_test_id("dismissal-active")).to_contain_text(REASON)
    screenshot(page, "screening-dismissal-en")

    choose_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_test_id("dismissal-active")).to_contain_text(REASON)
    screenshot(page, "screening-dismissal-ar")
    with page.expect_navigation():
        page.get_by_test_id("dismissal-active").locator("button[type=submit]").click()
    expect(page.get_by_test_id("dismissal-revoked")).to_have_count(1)
    expect(page.locator('[data-code="screening_hit"]')).to_have_count(1)
    screenshot(page, "screening-dismissal-revoked-ar")
    choose_language(page, "en")
    assert_clean_console(console)
