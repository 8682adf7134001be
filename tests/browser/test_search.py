"""The search box in a real browser: a VIN's last six characters typed in the header land on the vehicle; a
broader query lists its results grouped by kind; English and Arabic."""

import pytest
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from portal.reference.models import WmiAssignment
from portal.vehicles.models import Vehicle, VehicleModel
from tenants.models import Partner
from tests.factories import TEST_PASSWORD
from tests.insights.factories import dirty_clear
from tests.vehicles.factories import model_make, vehicle_make, vin_for

from .conftest import ConsoleLog, PortalServer
from .helpers import assert_clean_console, choose_language, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

MODEL = "Search journey Cargo"
VIN = vin_for("LAL", 731905, year="S", plant="7")  # valid check digit; its last six: 731905


@pytest.fixture(scope="module")  # module scope: set up before the test's own transaction, so it is committed
def vehicle(portal_server, django_db_blocker):
    """A model and a vehicle of alpha (committed, removed afterwards)."""
    with django_db_blocker.unblock():
        alpha = Partner.objects.get(schema_name="alpha")
        had_wmi = WmiAssignment.objects.filter(wmi="LAL").exists()
        made = vehicle_make(alpha, model=model_make(alpha, name=MODEL), vin=VIN)
    try:
        yield made
    finally:
        with django_db_blocker.unblock(), schema_context(alpha.schema_name):
            Vehicle.objects.filter(vin=VIN).delete()
            VehicleModel.objects.filter(name=MODEL).delete()
            dirty_clear(alpha.schema_name)
            if not had_wmi:
                WmiAssignment.objects.filter(wmi="LAL").delete()


def _search(page: Page, query: str) -> None:
    box = page.locator("#portal-search-q")
    box.fill(query)
    with page.expect_navigation():
        box.press("Enter")


def test_search_a_vin_by_its_last_six(page: Page, portal_server: PortalServer, console: ConsoleLog, vehicle):
    page.goto(portal_server.url("alpha", "/"))
    sign_in(page, "viewer@alpha.example.com", TEST_PASSWORD)

    # The last six characters of the VIN, typed in the header: straight to the vehicle.
    _search(page, VIN[-6:].lower())
    assert page.url.endswith(f"/vehicles/{VIN}/"), page.url
    expect(page.locator("main h1")).to_contain_text(VIN)
    screenshot(page, "search-en")

    # Too short: explained, nothing searched.
    _search(page, "73")
    expect(page.locator("[data-testid=search-too-short]")).to_contain_text("at least 3 characters")

    # A word of the model's name: the results page, grouped by kind, each hit a link to its record.
    _search(page, "journey cargo")
    models = page.locator('[data-kind="models"]')
    expect(models.get_by_role("heading")).to_have_text("Vehicle models")
    models.get_by_role("link", name=MODEL).click()
    expect(page.locator("main")).to_contain_text(VIN)
    assert "model=" in page.url

    # Arabic, right to left: the same box, the same landing; the results page reads in Arabic.
    choose_language(page, "ar")
    _search(page, VIN[-6:])
    assert page.url.endswith(f"/vehicles/{VIN}/"), page.url
    screenshot(page, "search-ar")
    _search(page, "journey cargo")
    expect(page.locator('[data-kind="models"]').get_by_role("heading")).to_have_text("طرازات المركبات")
    screenshot(page, "search-results-ar")
    assert_clean_console(console)
