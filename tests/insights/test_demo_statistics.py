"""The demo's statistics are readable: with the demo makers' monthly production, alliance totals of the default
view are disclosed, the current month counts (to date), blocked shipments by reason show in the default period,
and a mostly suppressed breakdown offers the coarser view that is disclosed — never a hidden figure."""

import datetime
import io
from collections import defaultdict
from dataclasses import replace
from decimal import Decimal

import pytest
from django.http import QueryDict
from django_tenants.utils import schema_context

from portal.insights import selectors
from portal.insights.choices import Breakdown, CellStatus, Grain, RunKind
from portal.insights.coarse import quarter_cells
from portal.insights.forms import selection_from
from portal.insights.measures import MEASURES
from portal.insights.pipeline import run_inline
from portal.reference.demo import DEMO_WMIS
from portal.vehicles.demo import MODELS as FLEET_MODELS
from portal.vehicles.demo_volumes import FLEETS, MODELS, volumes_seed
from portal.vehicles.models import Vehicle, VehicleStatusChange
from portal.vehicles.vin import vin_check
from tenants.choices import Role
from tenants.demo import DEMO_PARTNERS

from ..conftest import client_for
from ..factories import MembershipFactory
from .factories import at, check_row, model_row, partner_make, shipment_row, vehicle_row

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 18)  # the statistics' clock, held still
CURRENT = datetime.date(2026, 11, 1)


@pytest.fixture
def clock(monkeypatch):
    monkeypatch.setattr(selectors, "today", lambda: TODAY)


@pytest.fixture
def gamma(world):
    return partner_make("gamma", kind="e_bike_maker")


@pytest.fixture
def demo_makers(world, gamma, clock):
    """Three of the demo makers' fleets (the smallest) on the test partners, two blocked shipments of alpha's this
    month (as the demo's maker has), then one full statistics run."""
    partners = {"taizhou-hengtong": world.alpha, "ister-emobility": world.beta, "siam-ebike": gamma}
    volumes_seed(partners=partners, stdout=io.StringIO(), today=TODAY)
    for reason in ("screening_hit", "certificate_expired"):
        check_row(
            world.alpha,
            shipment_row(world.alpha),
            verdict="blocked",
            checked_at=at(TODAY - datetime.timedelta(days=2)),
            reasons=[(reason, "block")],
        )
    run_inline(kind=RunKind.FULL)
    return partners


def test_the_demo_fleets_are_valid_and_idempotent(world, demo_makers):
    fleet = FLEETS["taizhou-hengtong"]
    with schema_context(world.alpha.schema_name):
        count = Vehicle.objects.count()
        assert count > 24 * fleet.per_month  # 24 months, growing
        vehicles = list(Vehicle.objects.order_by("production_date"))
        assert vehicles[0].production_date >= datetime.date(2024, 12, 1)
        assert vehicles[-1].production_date <= TODAY
        for vehicle in vehicles[:: max(1, count // 200)]:
            assert vin_check(vehicle.vin, market="CN").ok, vehicle.vin
            steps = list(vehicle.status_changes.values_list("to_status", "changed_at"))
            assert steps[0] == ("produced", at(vehicle.production_date, 10))
            assert steps[-1][0] == vehicle.status
            if vehicle.registration_date:
                assert steps[-1][1].date() == vehicle.registration_date
        registered = Vehicle.objects.exclude(registration_country="")
        assert set(registered.values_list("registration_country", flat=True)) == {"CN", "VN", "IN", "SA"}
        changes = VehicleStatusChange.objects.count()
    volumes_seed(partners=demo_makers, stdout=io.StringIO(), today=TODAY)  # again: nothing added
    with schema_context(world.alpha.schema_name):
        assert (Vehicle.objects.count(), VehicleStatusChange.objects.count()) == (count, changes)


def test_the_default_view_discloses_alliance_totals_and_counts_the_current_month(world, gamma, demo_makers):
    _form, selection = selection_from(QueryDict())
    assert (selection.measure.code, selection.breakdown, selection.grain) == ("production", "total", "month")
    assert (selection.first, selection.last) == (datetime.date(2024, 12, 1), CURRENT)
    for code in ("production", "registrations"):
        table = selectors.table_get(selection=replace(selection, measure=MEASURES[code]), staff=False, partner=gamma)
        rows = table.rows()
        assert rows, code
        assert all(row["value"] is not None and not row["suppressed"] for row in rows), code
        assert {row["period"] for row in rows if row["to_date"]} == {CURRENT}
    production = selectors.table_get(selection=selection, staff=False, partner=world.alpha)
    assert len([row for row in production.rows() if row["value"]]) == 24  # every month, this one to date
    assert production.chart()["labels"][-1] == "2026-11 (to date)"


def test_blocked_shipments_by_reason_show_in_the_default_period(world, demo_makers):
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    page = client.get("/statistics/?measure=block_reasons").content.decode()
    assert "Consignee on the screening list" in page and "Certificate expired" in page
    _form, selection = selection_from(QueryDict("measure=block_reasons"))
    rows = selectors.table_get(selection=selection, staff=False, partner=world.alpha).rows()
    assert {(row["period"], row["key"], row["own"]) for row in rows} == {
        (CURRENT, "screening_hit", Decimal(1)),
        (CURRENT, "certificate_expired", Decimal(1)),
    }
    # Alpha alone blocks shipments: the alliance figure stays suppressed for everyone else.
    assert all(row["suppressed"] and row["value"] is None for row in rows)


def test_the_statistics_page_shows_disclosed_alliance_totals(world, demo_makers):
    page = client_for(world.beta, world.person(world.beta, Role.VIEWER)).get("/statistics/").content.decode()
    figures = page.split('data-testid="figures"')[1].split("</table>")[0]
    assert "suppressed" not in figures
    assert 'data-testid="to-date"' in figures
    assert 'data-testid="coarser-view"' not in page  # nothing to offer: the totals are disclosed


# ---------------------------------------------------------------- the coarser view


@pytest.fixture
def one_maker_a_month(world, gamma, clock):
    """Three makers each producing in a different month: every month is one maker's, every quarter three's."""
    for offset, partner in enumerate((world.alpha, world.beta, gamma)):
        model = model_row(partner, "L3e")
        for quarter_start in (1, 4):
            for day in range(1, 5 + offset):
                vehicle_row(partner, model, datetime.date(2026, quarter_start + offset, day))
    run_inline(kind=RunKind.FULL)


QUERY = "?measure=production&breakdown=category&first=2026-01&last=2026-06"
QUARTERS = QUERY + "&grain=quarter"


def test_a_mostly_suppressed_breakdown_offers_the_quarter_that_is_disclosed(world, one_maker_a_month):
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    page = client.get("/statistics/" + QUERY).content.decode()
    offer = page.split('data-testid="coarser-view"')[1].split("</div>")[0]
    assert "Show by quarter — disclosed" in offer and "2 of 2 figures are shown there." in offer
    assert "grain=quarter" in offer and "breakdown=category" in offer

    quarterly = client.get("/statistics/" + QUARTERS)
    figures = quarterly.content.decode().split('data-testid="figures"')[1].split("</table>")[0]
    assert "2026-Q1" in figures and "2026-Q2" in figures and "suppressed" not in figures
    assert ">15<" in figures  # 4 + 5 + 6 vehicles, three makers
    export = b"".join(client.get("/statistics/export.csv" + QUARTERS).streaming_content).decode("utf-8-sig")
    assert "2026-Q1,L3e," in export


def test_no_offer_when_the_coarser_views_are_suppressed_too(world, clock):
    model = model_row(world.alpha, "L3e")
    vehicle_row(world.alpha, model, datetime.date(2026, 2, 3))
    run_inline(kind=RunKind.FULL)
    page = client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).get("/statistics/" + QUERY)
    assert 'data-testid="coarser-view"' not in page.content.decode()


def test_staff_see_everything_and_are_offered_nothing(world, one_maker_a_month):
    page = client_for(None, world.staff).get("/statistics/" + QUERY).content.decode()
    assert 'data-testid="coarser-view"' not in page


def test_a_quarter_that_would_reveal_a_suppressed_month_is_hidden(world, gamma, clock):
    """January has three makers (shown), February one (suppressed): the first quarter minus January would be
    February's maker's own figure, so the quarter is hidden although it has three contributors."""
    models = {partner: model_row(partner, "L3e") for partner in (world.alpha, world.beta, gamma)}
    for partner, model in models.items():
        vehicle_row(partner, model, datetime.date(2026, 1, 10))
    for day in (3, 4):
        vehicle_row(world.alpha, models[world.alpha], datetime.date(2026, 2, day))
    # The second quarter: one maker a month, none shown alone, all three together safe.
    for month, partner in zip((4, 5, 6), models, strict=True):
        vehicle_row(partner, models[partner], datetime.date(2026, month, 2))
    run_inline(kind=RunKind.FULL)
    cells = {
        (cell.breakdown, cell.period.month): cell
        for cell in quarter_cells(measure=MEASURES["production"], first=datetime.date(2026, 1, 1), last=CURRENT)
    }
    assert cells[(Breakdown.CATEGORY, 1)].contributors == 3
    assert cells[(Breakdown.CATEGORY, 1)].status == CellStatus.SECONDARY
    assert cells[(Breakdown.TOTAL, 1)].status == CellStatus.SECONDARY
    assert cells[(Breakdown.CATEGORY, 4)].status == CellStatus.SHOWN
    assert cells[(Breakdown.CATEGORY, 4)].value == 3
    # A partner reading the quarters sees the second quarter only.
    _form, selection = selection_from(QueryDict(QUARTERS[1:]))
    assert selection.grain == Grain.QUARTER
    rows = selectors.table_get(selection=selection, staff=False, partner=world.beta).rows()
    assert [(row["quarter"], row["value"]) for row in rows] == [("2026-Q1", None), ("2026-Q2", Decimal(3))]


def test_the_demo_alliance_looks_like_the_real_one():
    """More than 10 partners, at least 8 makers with a fleet, each fleet's WMI registered to its maker; every category
    and registration country of the fleets has at least 3 makers (so their alliance cells can be disclosed)."""
    slugs = {spec["slug"] for spec in DEMO_PARTNERS}
    assert len(slugs) > 10
    makers = {slug for slug in FLEETS if slug in slugs}
    assert len(makers) >= 8 and makers == set(FLEETS)
    for slug, fleet in FLEETS.items():
        assert (fleet.wmi, fleet.small_maker_code) in {(wmi, code) for wmi, code, _note in DEMO_WMIS[slug]}, slug
    specs = {**FLEET_MODELS, **MODELS}
    by_category, by_country = defaultdict(set), defaultdict(set)
    for slug, fleet in FLEETS.items():
        assert len(fleet.weights) == len(specs[slug]), slug
        for spec in specs[slug]:
            by_category[spec[1]].add(slug)
        for country, _region, _weight in fleet.markets:
            by_country[country].add(slug)
    assert {category: len(found) for category, found in by_category.items() if len(found) < 3} == {}
    assert {country: len(found) for country, found in by_country.items() if len(found) < 3} == {}


def test_the_demo_makers_exports_disclose_the_alliance_shipment_and_certificate_figures(world, gamma):
    """The compliance demo gives three makers (and more in the demo alliance) a released-and-shipped shipment, a
    blocked one and a certificate expiring this month: those alliance cells have three contributors and show."""
    from portal.compliance import demo as compliance_demo

    partners = {"taizhou-hengtong": world.alpha, "ister-emobility": world.beta, "siam-ebike": gamma}
    volumes_seed(partners=partners, stdout=io.StringIO(), today=TODAY)
    MembershipFactory(partner=gamma, role=Role.OWNER)  # every demo partner has its owner
    for _ in range(2):  # idempotent
        compliance_demo.seed(partners=partners, stdout=io.StringIO())
    run_inline(kind=RunKind.FULL)
    # The checks and certificates are dated by the real clock: read the statistics by it too.
    this_month = datetime.date.today().replace(day=1)
    expected = {
        # Each maker's shipment to Germany, and Taizhou Hengtong's rickshaws to Hamburg (no EU approvals on file).
        "block_reasons": ("certificate_missing", Decimal(4)),
        # Each maker's released shipment, and Siam E-Bike's released export from Thailand (its EV 3.5 ledger).
        "shipments_released": ("", Decimal(4)),
        # Twelve vehicles of the makers' shipped shipments, and Siam E-Bike's twelve exported from Thailand.
        "exports": ("", Decimal(24)),
        "certificates_expiring": ("", Decimal(3)),
    }
    for code, (key, value) in expected.items():
        _form, selection = selection_from(QueryDict(f"measure={code}"))
        rows = selectors.table_get(selection=selection, staff=False, partner=gamma).rows()
        row = next(row for row in rows if row["period"] == this_month and row["key"] == key)
        assert (row["value"], row["suppressed"]) == (value, False), code
