"""China's export licence in a real browser (issue 14, rule 1): a shipment of pure-electric passenger vehicles to
Saudi Arabia is blocked without a licence; a member records the licence on the Export licences page, checks the
shipment again, and the licence reason is gone (the missing after-sales outlet still asks for review). English and
Arabic. The shipment is committed by a fixture (the server runs in another process) and removed afterwards."""

import datetime

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from portal.audit.models import AuditEvent
from portal.compliance.models import ExportLicence, Shipment
from portal.compliance.services.shipments import shipment_create
from portal.inbox.models import Notice
from tenants.models import Partner
from tests.factories import TEST_PASSWORD
from tests.insights.factories import dirty_clear

from .conftest import ConsoleLog, PortalServer
from .helpers import assert_clean_console, choose_language, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

REFERENCE = "JOURNEY-EV-LICENCE"
LICENCE = "EL-JOURNEY-0001"


@pytest.fixture(scope="module")  # module scope: committed before the test's own transaction
def shipment(portal_server, django_db_blocker):
    today = datetime.date.today()
    with django_db_blocker.unblock():
        alpha = Partner.objects.get(schema_name="alpha")
        with schema_context(alpha.schema_name):
            created = shipment_create(
                reference=REFERENCE,
                destination="SA",
                consignee_name="Riyadh Journey Motors",
                consignee_country="SA",
                incoterm="CIF",
                hs_code="8703.80.10.90",
                expected_arrival=today + datetime.timedelta(days=40),
            )
    try:
        yield created
    finally:
        with django_db_blocker.unblock(), schema_context(alpha.schema_name):
            Notice.objects.all().delete()
            Shipment.objects.filter(pk=created.pk).delete()
            ExportLicence.objects.filter(number=LICENCE).delete()
            AuditEvent.objects.filter(target_type="compliance.shipment", target_id=str(created.pk)).delete()
            dirty_clear(alpha.schema_name)


def _reason(page: Page, code: str):
    return page.get_by_test_id("reasons").locator(f'[data-code="{code}"]')


def test_a_member_records_the_licence_and_the_shipment_clears_it(
    page: Page, portal_server: PortalServer, console: ConsoleLog, shipment
):
    page.goto(portal_server.url("alpha", "/"))
    sign_in(page, "member@alpha.example.com", TEST_PASSWORD)
    detail = portal_server.url("alpha", f"/compliance/shipments/{shipment.pk}/")
    page.goto(detail)
    expect(_reason(page, "export_licence_missing")).to_contain_text("No export licence on file for HS 8703.80.10.90")
    page.goto(portal_server.url("alpha", "/compliance/licences/"))
    page.get_by_text("Add a licence").click()
    page.locator("#id_licence-number").fill(LICENCE)
    page.locator("#id_licence-hs_codes").fill("8703.80.10.90")
    page.locator("#id_licence-destinations").fill("SA, AE")
    today = datetime.date.today()
    page.locator("#id_licence-valid_from").fill(f"{today.year}-01-01")
    page.locator("#id_licence-valid_to").fill(f"{today.year + 1}-12-31")
    with page.expect_navigation():
        page.locator("form", has=page.locator("#id_licence-number")).get_by_role("button", name="Save").click()
    expect(page.get_by_test_id("licences")).to_contain_text(LICENCE)
    screenshot(page, "export-licence-en")
    page.goto(detail)
    with page.expect_navigation():
        page.get_by_role("button", name="Check again").click()
    expect(_reason(page, "export_licence_missing")).to_have_count(0)
    expect(_reason(page, "after_sales_outlet_missing")).to_be_visible()
    choose_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(_reason(page, "after_sales_outlet_missing")).to_contain_text("مركز خدمة ما بعد البيع")
    page.goto(portal_server.url("alpha", "/compliance/licences/"))
    expect(page.get_by_test_id("licences")).to_contain_text(LICENCE)
    screenshot(page, "export-licence-ar")
    assert_clean_console(console)
