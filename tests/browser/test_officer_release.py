"""Officer release with four-eyes in a real browser (issue 13, blockers 1, 2, 6): the owner, no compliance officer,
sees who can act; officer 1 asks for the release of a restricted-party hit (one confirmation page); officer 2
approves it (one confirmation page); the shipment then reads Released in the detail and the list; English and
Arabic.

The shipment is committed by a fixture (the server runs in another process) and removed afterwards with everything
the journey wrote, so no other test sees it.
"""

import datetime
from pathlib import Path

import axe_playwright_python
import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from portal.audit.models import AuditEvent
from portal.compliance.models import ReleaseRequest, Shipment, ShipmentOverride
from portal.compliance.services.shipments import shipment_create
from portal.reference.models import ScreenedParty
from tenants.models import Membership, Partner
from tests.factories import TEST_PASSWORD
from tests.insights.factories import dirty_clear

from .conftest import ConsoleLog, PortalServer
from .helpers import assert_clean_console, choose_language, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
REFERENCE = "JOURNEY-4EYES"
PARTY = "Kestrel Journey General Trading LLC"
REASON = "Same name, different company: trade licence and owners checked against the register."


@pytest.fixture(scope="module")  # module scope: set up before the test's own transaction, so it is committed
def screened_shipment(portal_server, django_db_blocker):
    """Alpha's manager and member are its officers; an open shipment to a listed party (committed)."""
    with django_db_blocker.unblock():
        alpha = Partner.objects.get(schema_name="alpha")
        officers = Membership.objects.filter(partner=alpha, role__in=["manager", "member"])
        officers.update(is_compliance_officer=True)
        party = ScreenedParty.objects.create(name=PARTY, country="HU", list_source="Browser journey list")
        with schema_context(alpha.schema_name):
            shipment = shipment_create(
                reference=REFERENCE,
                destination="HU",
                consignee_name="Kestrel Journey General Trading",
                consignee_country="HU",
                incoterm="DAP",
                hs_code="8711.60",
                expected_arrival=datetime.date.today() + datetime.timedelta(days=30),
            )
            assert shipment.verdict == "blocked"
    try:
        yield shipment
    finally:
        with django_db_blocker.unblock():
            with schema_context(alpha.schema_name):
                ReleaseRequest.objects.filter(shipment_id=shipment.pk).delete()
                Shipment.objects.filter(pk=shipment.pk).update(release=None)
                ShipmentOverride.objects.filter(shipment_id=shipment.pk).delete()
                Shipment.objects.filter(pk=shipment.pk).delete()
            AuditEvent.objects.filter(target_type="compliance.shipment", target_id=str(shipment.pk)).delete()
            dirty_clear(alpha.schema_name)
            party.delete()
            officers.update(is_compliance_officer=False)


def _accessible(page: Page) -> None:
    """axe-core finds no violation in the page's main part (the confirmation pages answer a POST, so the walker of
    tests/browser/test_accessibility.py never sees them; the header and footer are its business)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    found = page.evaluate("axe.run('main', {resultTypes: ['violations']})")["violations"]
    assert found == [], [f"{item['id']}: {[node['target'] for node in item['nodes']]}" for item in found]


def _as(page: Page, server: PortalServer, email: str, path: str) -> None:
    page.context.clear_cookies()
    page.goto(server.url("alpha", path))
    sign_in(page, email, TEST_PASSWORD)
    assert "/accounts/login/" not in page.url, f"{email}: {page.locator('main').inner_text()}"
    page.goto(server.url("alpha", path))


def test_officer_release_with_four_eyes(
    page: Page, portal_server: PortalServer, console: ConsoleLog, screened_shipment
):
    detail = f"/compliance/shipments/{screened_shipment.pk}/"

    # The owner is no compliance officer: no release control, and the names of who can act.
    _as(page, portal_server, "owner@alpha.example.com", detail)
    who = page.get_by_test_id("who-can-act")
    expect(who).to_contain_text("manager@alpha.example.com")
    expect(who).to_contain_text("member@alpha.example.com")
    expect(page.get_by_test_id("release-submit")).to_have_count(0)
    _accessible(page)
    screenshot(page, "officer-release-who-can-act-en")

    # Officer 1 asks for the release: told it needs a second officer, asked once, then waiting.
    _as(page, portal_server, "manager@alpha.example.com", detail)
    expect(page.get_by_test_id("four-eyes")).to_be_visible()
    page.locator("#id_reason").fill(REASON)
    with page.expect_navigation():
        page.get_by_test_id("release-submit").click()
    expect(page.get_by_test_id("release-confirm")).to_contain_text(REASON)
    _accessible(page)
    with page.expect_navigation():
        page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("pending-request")).to_contain_text("manager@alpha.example.com")
    expect(page.get_by_test_id("approve")).to_have_count(0)
    expect(page.get_by_test_id("who-can-act")).to_contain_text("member@alpha.example.com")
    expect(page.locator("h1 [data-verdict]")).to_have_attribute("data-verdict", "blocked")

    # Officer 2 approves (asked once): the shipment is released, by both, everywhere.
    _as(page, portal_server, "member@alpha.example.com", detail)
    with page.expect_navigation():
        page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("approve-confirm")).to_contain_text("manager@alpha.example.com")
    _accessible(page)
    with page.expect_navigation():
        page.get_by_test_id("confirm").click()
    expect(page.locator("h1 [data-verdict]")).to_have_attribute("data-verdict", "released")
    expect(page.get_by_test_id("verdict-summary")).to_contain_text("Released")
    override = page.get_by_test_id("override")
    expect(override).to_contain_text("manager@alpha.example.com")
    expect(override).to_contain_text("member@alpha.example.com")
    _accessible(page)
    screenshot(page, "officer-release-en")
    page.goto(portal_server.url("alpha", "/compliance/"))
    row = page.locator("tbody tr", has_text=REFERENCE)
    expect(row.locator("[data-verdict]")).to_have_attribute("data-verdict", "released")
    expect(row).to_contain_text("Released")

    # Arabic, right to left: the same released state, in Arabic.
    choose_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("tbody tr", has_text=REFERENCE)).to_contain_text("مُفرج عنها")
    page.goto(portal_server.url("alpha", detail))
    expect(page.locator("h1 [data-verdict]")).to_contain_text("مُفرج عنها")
    _accessible(page)
    screenshot(page, "officer-release-ar")
    assert_clean_console(console)
