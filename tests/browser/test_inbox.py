"""The inbox shows a verdict change (issue 13, portals 3): a manager changes a shipment so that its verdict changes;
the owner's bell counts it, the inbox lists it in the owner's language, and one click opens the shipment and marks
the notice read. English and Arabic.

The shipment and the screened party are committed by a fixture (the server runs in another process) and removed
afterwards with everything the journey wrote.
"""

import datetime

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from portal.audit.models import AuditEvent
from portal.compliance.models import Shipment
from portal.compliance.services.shipments import shipment_create
from portal.inbox.models import Notice
from portal.reference.models import ScreenedParty
from tenants.models import Partner, User
from tests.factories import TEST_PASSWORD
from tests.insights.factories import dirty_clear

from .conftest import ConsoleLog, PortalServer
from .helpers import assert_clean_console, choose_language, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

REFERENCE = "JOURNEY-INBOX"
PARTY = "Osprey Journey Holdings FZE"


@pytest.fixture(scope="module")  # module scope: set up before the test's own transaction, so it is committed
def shipment(portal_server, django_db_blocker):
    """An open shipment of alpha's owner to an unlisted consignee, and a listed party to change it to."""
    with django_db_blocker.unblock():
        alpha = Partner.objects.get(schema_name="alpha")
        owner = User.objects.get(email="owner@alpha.example.com")
        party = ScreenedParty.objects.create(name=PARTY, country="HU", list_source="Browser journey list")
        with schema_context(alpha.schema_name):
            created = shipment_create(
                user=owner,
                reference=REFERENCE,
                destination="HU",
                consignee_name="Danube Journey Importer Kft.",
                consignee_country="HU",
                incoterm="DAP",
                hs_code="8711.60",
                expected_arrival=datetime.date.today() + datetime.timedelta(days=30),
            )
            assert created.verdict != "blocked"
            Notice.objects.all().delete()
    try:
        yield created
    finally:
        with django_db_blocker.unblock():
            with schema_context(alpha.schema_name):
                Notice.objects.all().delete()
                Shipment.objects.filter(pk=created.pk).delete()
            AuditEvent.objects.filter(target_type="compliance.shipment", target_id=str(created.pk)).delete()
            dirty_clear(alpha.schema_name)
            party.delete()


def _as(page: Page, server: PortalServer, email: str, path: str) -> None:
    page.context.clear_cookies()
    page.goto(server.url("alpha", path))
    sign_in(page, email, TEST_PASSWORD)
    assert "/accounts/login/" not in page.url, page.locator("main").inner_text()
    page.goto(server.url("alpha", path))


def test_the_inbox_shows_a_verdict_change(page: Page, portal_server: PortalServer, console: ConsoleLog, shipment):
    # The owner has nothing unread yet.
    _as(page, portal_server, "owner@alpha.example.com", "/")
    expect(page.get_by_test_id("inbox-bell")).to_be_visible()
    expect(page.get_by_test_id("inbox-unread")).to_have_count(0)

    # A manager changes the consignee to a listed party: the shipment is checked again and blocked.
    _as(page, portal_server, "manager@alpha.example.com", f"/compliance/shipments/{shipment.pk}/edit/")
    page.locator("#id_consignee_name").fill(PARTY)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("h1 [data-verdict]")).to_have_attribute("data-verdict", "blocked")
    expect(page.get_by_test_id("inbox-unread")).to_have_count(0)  # who changed it is not told

    # The owner's bell counts it; the inbox says what changed; one click opens the shipment, read.
    _as(page, portal_server, "owner@alpha.example.com", "/")
    expect(page.get_by_test_id("inbox-unread")).to_have_text("1")
    with page.expect_navigation():
        page.get_by_test_id("inbox-bell").click()
    notice = page.get_by_test_id("notice").filter(has_text=REFERENCE)
    expect(notice).to_contain_text("→ Blocked")
    screenshot(page, "inbox-en")
    with page.expect_navigation():
        notice.get_by_role("button", name="Open the page").click()
    assert page.url.endswith(f"/compliance/shipments/{shipment.pk}/")
    expect(page.get_by_test_id("inbox-unread")).to_have_count(0)

    # Arabic, right to left: the same notice, in Arabic.
    page.goto(portal_server.url("alpha", "/inbox/"))
    choose_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    notice = page.get_by_test_id("notice").filter(has_text=REFERENCE)
    expect(notice).to_contain_text("محظورة")
    expect(page.locator("h1")).to_have_text("صندوق الوارد")
    screenshot(page, "inbox-ar")
    assert_clean_console(console)
