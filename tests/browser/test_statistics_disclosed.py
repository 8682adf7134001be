"""Partner statistics in a real browser, on demo makers' monthly production: the default view shows disclosed
alliance totals with the current month to date (no wall of "suppressed"); blocked shipments by reason show this
month's blocks; a mostly suppressed breakdown offers the coarser view that is disclosed; English and Arabic."""

import io

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context
from playwright.sync_api import Page, expect

from portal.compliance.models import Shipment
from portal.insights.choices import RunKind
from portal.insights.models import Cell, Fact, FunnelStage, RiskWarning, Run
from portal.insights.pipeline import run_inline
from portal.vehicles.demo_volumes import FLEETS, MODELS, volumes_seed
from portal.vehicles.models import Vehicle, VehicleModel
from tenants.models import Partner
from tests.factories import TEST_PASSWORD
from tests.insights.factories import check_row, dirty_clear, partner_make, shipment_row

from .conftest import ConsoleLog, PortalServer
from .helpers import assert_clean_console, choose_language, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

FLEETS_ON = {"alpha": "taizhou-hengtong", "beta": "ister-emobility", "gamma_stats": "siam-ebike"}


def _cleanup(partners: dict) -> None:
    for schema, partner in partners.items():
        if schema == "gamma_stats":
            partner.delete(force_drop=True)
            continue
        with schema_context(schema):
            Shipment.objects.filter(consignee_name="Test importer").delete()
            Vehicle.objects.filter(plant=FLEETS[FLEETS_ON[schema]].plant_name).delete()
            VehicleModel.objects.filter(name__in=[spec[0] for spec in MODELS[FLEETS_ON[schema]]]).delete()
    for model in (Cell, Fact, Run, RiskWarning, FunnelStage):
        model.objects.all().delete()
    dirty_clear()


@pytest.fixture(scope="module")
def demo_statistics(django_db_setup, django_db_blocker):
    """Three demo makers' fleets (up to today: the server's clock), two blocked shipments of alpha's this month and
    one statistics run, committed for the server (it runs in another process) and removed afterwards."""
    with django_db_blocker.unblock():
        partners = {schema: Partner.objects.filter(schema_name=schema).first() for schema in FLEETS_ON}
        if partners["gamma_stats"] is None:
            partners["gamma_stats"] = partner_make("gamma-stats", kind="e_bike_maker")
        _cleanup({schema: partner for schema, partner in partners.items() if schema != "gamma_stats"})
        volumes_seed(partners={FLEETS_ON[s]: p for s, p in partners.items()}, stdout=io.StringIO())
        for reason in ("screening_hit", "certificate_expired"):
            shipment = shipment_row(partners["alpha"])
            blocks = [(reason, "block")]
            check_row(partners["alpha"], shipment, verdict="blocked", checked_at=timezone.now(), reasons=blocks)
        run_inline(kind=RunKind.FULL)
    yield
    with django_db_blocker.unblock():
        _cleanup(partners)


def _figures(page: Page):
    return page.locator("[data-testid=figures]")


def test_statistics_disclosed(demo_statistics, page: Page, portal_server: PortalServer, console: ConsoleLog):
    # The maker with the blocked shipments: this month's blocks, by reason, in the default period.
    page.goto(portal_server.url("alpha", "/statistics/"))
    sign_in(page, "manager@alpha.example.com", TEST_PASSWORD)
    page.goto(portal_server.url("alpha", "/statistics/?measure=block_reasons"))
    figures = _figures(page)
    expect(figures).to_contain_text("Consignee on the screening list")
    expect(figures).to_contain_text("Certificate expired")
    expect(figures.locator("[data-testid=to-date]").first).to_be_visible()

    # Another maker's default view: alliance totals by month, every one disclosed, this month to date.
    page.goto(portal_server.url("beta", "/statistics/"))
    sign_in(page, "viewer@beta.example.com", TEST_PASSWORD)
    figures = _figures(page)
    expect(figures.locator("tbody tr")).to_have_count(24)
    expect(figures).not_to_contain_text("suppressed")
    expect(figures.locator("tbody tr").first.locator("[data-testid=to-date]")).to_have_text("to date")
    expect(page.locator("[data-testid=coarser-view]")).to_have_count(0)
    screenshot(page, "statistics-disclosed-en")

    # By partner country most cells have one or two partners: the page offers the view that is disclosed.
    page.goto(portal_server.url("beta", "/statistics/?measure=production&breakdown=country"))
    expect(_figures(page)).to_contain_text("suppressed")
    offer = page.locator("[data-testid=coarser-link]")
    expect(offer).to_have_text("Show the total — disclosed")
    screenshot(page, "statistics-coarser-offer-en")
    with page.expect_navigation():
        offer.click()
    assert "breakdown=total" in page.url
    expect(_figures(page)).not_to_contain_text("suppressed")

    # Arabic, right to left: the same figures, the running month marked in Arabic.
    choose_language(page, "ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(_figures(page).locator("tbody tr").first.locator("[data-testid=to-date]")).to_have_text("حتى اليوم")
    screenshot(page, "statistics-disclosed-ar")
    page.goto(portal_server.url("beta", "/statistics/?measure=production&breakdown=country"))
    expect(page.locator("[data-testid=coarser-link]")).to_have_text("اعرض الإجمالي — مُفصح عنه")
    screenshot(page, "statistics-coarser-offer-ar")
    assert_clean_console(console)
