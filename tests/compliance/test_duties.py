"""EU import duties on battery-electric cars from China as rule rows (reference.ImportDutyRate, PriceUndertaking):
the estimate on the invoice value against hand-computed figures, the company rate and its declaration, the
residual rate, TARIC additional codes, price undertakings (minimum price, annual cap), effective dates."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation
from django_tenants.utils import schema_context

from portal.compliance.models import Shipment
from portal.compliance.reasons import reason_text
from portal.compliance.verdict import Code
from portal.reference.models import ImportDutyRate, PriceUndertaking

from ..vehicles.factories import model_make
from .factories import reload, shipment_make, vehicles_make
from .test_export_licence import SHIP, _check

pytestmark = pytest.mark.django_db

ARRIVAL = datetime.date(2026, 4, 15)
DUTY_CODES = {
    Code.DUTY_ESTIMATE,
    Code.DUTY_DECLARATION_MISSING,
    Code.DUTY_PRICE_MISSING,
    Code.UNDERTAKING_PRICE_BELOW_MINIMUM,
    Code.UNDERTAKING_CAP_EXCEEDED,
    Code.UNDERTAKING_NOT_IN_FORCE,
}


def _duties(shipment) -> dict:
    return {reason["code"]: reason for reason in shipment.latest_check.reasons if reason["code"] in DUTY_CODES}


def _car(partner):
    return model_make(partner, category="M1", battery_kwh="82.50", hs_code="8703.80")


def _eu_shipment(partner, *, count=3, price="24500.00", today=SHIP, **fields):
    values = {
        "destination": "DE",
        "consignee_country": "DE",
        "consignee_name": "Hamburg EV Import GmbH",
        "hs_code": "8703.80.10.90",
        "expected_arrival": ARRIVAL,
        "invoice_price": Decimal(price) if price else None,
    }
    values.update(fields)
    shipment = shipment_make(partner, vehicles=vehicles_make(partner, _car(partner), count), **values)
    return _check(partner, shipment, today=today)


def _estimate(shipment) -> dict:
    params = _duties(shipment)[Code.DUTY_ESTIMATE]["params"]
    return {
        key: params[key]
        for key in (
            "invoice_value",
            "customs_amount",
            "countervailing_rate",
            "countervailing_amount",
            "total",
            "countervailing_basis",
        )
    }


def test_the_rates_are_rows_with_their_source_dates_and_a_note_where_the_code_is_unverified():
    rows = {row.producer: row for row in ImportDutyRate.objects.filter(kind="countervailing")}
    assert {name: row.rate for name, row in rows.items()} == {
        "BYD": Decimal("17.00"),
        "Geely": Decimal("18.80"),
        "SAIC": Decimal("35.30"),
        "Tesla (Shanghai)": Decimal("7.80"),
        "Other cooperating companies (Annex)": Decimal("20.70"),
        "": Decimal("35.30"),
    }
    byd = rows["BYD"]
    assert (byd.effective_from, byd.effective_until) == (datetime.date(2024, 10, 30), datetime.date(2029, 10, 29))
    assert "2024/2754" in byd.source_reference and "not verified" in byd.note and byd.history.count() == 1
    assert ImportDutyRate.objects.get(kind="customs").rate == Decimal("10.00")


def test_company_rate_with_the_declaration(world):
    shipment = _eu_shipment(world.alpha, producer="BYD", invoice_declaration=True)
    # 3 × 24,500.00 = 73,500.00; customs 10 % = 7,350.00; BYD 17.0 % = 12,495.00; total 19,845.00
    assert _estimate(shipment) == {
        "invoice_value": "73500.00",
        "customs_amount": "7350.00",
        "countervailing_rate": "17.00",
        "countervailing_amount": "12495.00",
        "total": "19845.00",
        "countervailing_basis": "company",
    }
    assert Code.DUTY_DECLARATION_MISSING not in _duties(shipment)
    text = reason_text(_duties(shipment)[Code.DUTY_ESTIMATE])
    assert "EUR 73500.00 (3 × EUR 24500.00)" in text and "total EUR 19845.00" in text and "company rate of BYD" in text


def test_without_the_declaration_the_residual_rate_applies_and_needs_review(world):
    shipment = _eu_shipment(world.alpha, producer="BYD", invoice_declaration=False)
    reason = _duties(shipment)[Code.DUTY_DECLARATION_MISSING]
    assert reason["severity"] == "review"
    # 35.3 % of 73,500.00 = 25,945.50; total 7,350.00 + 25,945.50 = 33,295.50
    estimate = _estimate(shipment)
    assert (estimate["countervailing_amount"], estimate["total"], estimate["countervailing_basis"]) == (
        "25945.50",
        "33295.50",
        "residual",
    )
    assert "35.30 % applies instead of 17.00 %" in reason_text(reason)


def test_the_rounding_of_an_odd_price(world):
    shipment = _eu_shipment(world.alpha, count=2, price="31990.55", producer="geely", invoice_declaration=True)
    # 2 × 31,990.55 = 63,981.10; customs 6,398.11; Geely 18.8 % = 12,028.4468 → 12,028.45; total 18,426.56
    estimate = _estimate(shipment)
    assert (estimate["customs_amount"], estimate["countervailing_amount"], estimate["total"]) == (
        "6398.11",
        "12028.45",
        "18426.56",
    )


def test_the_taric_additional_code_picks_the_company_rate(world):
    tesla = ImportDutyRate.objects.get(producer="Tesla (Shanghai)")
    tesla.taric_additional_code = "C999"  # staff fill in the verified code: data, not code
    tesla.save()
    shipment = _eu_shipment(world.alpha, taric_additional_code="C999", invoice_declaration=True)
    # Tesla 7.8 % of 73,500.00 = 5,733.00; total 13,083.00
    estimate = _estimate(shipment)
    assert (estimate["countervailing_amount"], estimate["total"]) == ("5733.00", "13083.00")


def test_an_unlisted_producer_pays_the_residual_rate(world):
    shipment = _eu_shipment(world.alpha, producer="Taizhou Hengtong", invoice_declaration=True)
    assert _estimate(shipment)["countervailing_amount"] == "25945.50"
    assert set(_duties(shipment)) == {Code.DUTY_ESTIMATE}


def test_before_the_effective_date_only_customs_is_due(world):
    shipment = _eu_shipment(
        world.alpha,
        producer="BYD",
        invoice_declaration=True,
        expected_arrival=datetime.date(2024, 10, 29),
        today=datetime.date(2024, 10, 1),
    )
    estimate = _estimate(shipment)
    assert (estimate["countervailing_amount"], estimate["total"], estimate["countervailing_basis"]) == (
        "0.00",
        "7350.00",
        "none",
    )
    after = _check(
        world.alpha,
        _with(world.alpha, shipment, expected_arrival=datetime.date(2024, 10, 30)),
        today=datetime.date(2024, 10, 1),
    )
    assert _estimate(after)["countervailing_amount"] == "12495.00"


def _with(partner, shipment, **fields):
    with schema_context(partner.schema_name):
        Shipment.objects.filter(pk=shipment.pk).update(**fields)
    return reload(partner, shipment)


def test_a_missing_invoice_price_needs_review_and_other_markets_owe_nothing(world):
    shipment = _eu_shipment(world.alpha, price=None)
    assert set(_duties(shipment)) == {Code.DUTY_PRICE_MISSING}
    assert _duties(shipment)[Code.DUTY_PRICE_MISSING]["severity"] == "review"
    saudi = _eu_shipment(world.alpha, destination="SA", consignee_country="SA")
    assert _duties(saudi) == {}


@pytest.fixture
def undertaking():
    return PriceUndertaking.objects.create(
        producer="BYD",
        model="Seal",
        configuration="82.5 kWh RWD",
        minimum_price=Decimal("30000.00"),
        annual_cap=5,
        effective_from=datetime.date(2026, 1, 1),
        source_reference="Test undertaking",
    )


def test_a_kept_undertaking_exempts_from_countervailing_duty(world, undertaking):
    shipment = _eu_shipment(
        world.alpha, price="32000.00", producer="BYD", invoice_declaration=True, price_undertaking_id=undertaking.pk
    )
    # 3 × 32,000.00 = 96,000.00; customs 9,600.00; exempt: total 9,600.00
    estimate = _estimate(shipment)
    assert (estimate["countervailing_amount"], estimate["total"], estimate["countervailing_basis"]) == (
        "0.00",
        "9600.00",
        "undertaking",
    )
    assert set(_duties(shipment)) == {Code.DUTY_ESTIMATE}


def test_a_price_under_the_minimum_needs_review_and_owes_the_duty(world, undertaking):
    shipment = _eu_shipment(
        world.alpha, price="29000.00", producer="BYD", invoice_declaration=True, price_undertaking_id=undertaking.pk
    )
    reason = _duties(shipment)[Code.UNDERTAKING_PRICE_BELOW_MINIMUM]
    assert reason["severity"] == "review" and "EUR 30000.00" in reason_text(reason)
    # 3 × 29,000.00 = 87,000.00; BYD 17 % = 14,790.00; customs 8,700.00; total 23,490.00
    assert (_estimate(shipment)["countervailing_amount"], _estimate(shipment)["total"]) == ("14790.00", "23490.00")


def test_the_annual_cap_counts_this_years_shipped_vehicles(world, undertaking):
    fields = {"price": "32000.00", "producer": "BYD", "invoice_declaration": True}
    shipped = _eu_shipment(world.alpha, price_undertaking_id=undertaking.pk, **fields)
    _with(world.alpha, shipped, status="shipped")
    second = _eu_shipment(world.alpha, price_undertaking_id=undertaking.pk, **fields)
    reason = _duties(second)[Code.UNDERTAKING_CAP_EXCEEDED]
    assert reason["params"]["used"] == 3 and reason["severity"] == "review"
    assert "allows 5 vehicles a year; 3 were shipped under it this year and this shipment adds 3" in reason_text(reason)
    assert _estimate(second)["countervailing_amount"] == "16320.00"  # 17 % of 96,000.00: not exempt


def test_an_undertaking_not_yet_in_force_needs_review(world, undertaking):
    PriceUndertaking.objects.filter(pk=undertaking.pk).update(effective_from=datetime.date(2026, 6, 1))
    shipment = _eu_shipment(
        world.alpha, price="32000.00", producer="BYD", invoice_declaration=True, price_undertaking_id=undertaking.pk
    )
    assert Code.UNDERTAKING_NOT_IN_FORCE in _duties(shipment)


def test_l_category_vehicles_are_outside_the_countervailing_duty(world):
    rickshaw = model_make(world.alpha, category="L5e", battery_kwh="5.40", hs_code="8703.80")
    car = _car(world.alpha)
    shipment = shipment_make(
        world.alpha,
        vehicles=vehicles_make(world.alpha, rickshaw, 2) + vehicles_make(world.alpha, car, 1),
        destination="DE",
        consignee_country="DE",
        hs_code="8703.80.10.90",
        expected_arrival=ARRIVAL,
        invoice_price=Decimal("9800.00"),
        producer="BYD",
        invoice_declaration=True,
    )
    shipment = _check(world.alpha, shipment)
    # 3 × 9,800.00 = 29,400.00; customs 10 % = 2,940.00; BYD 17 % on the one car only: 1,666.00; total 4,606.00
    estimate = _estimate(shipment)
    assert (estimate["customs_amount"], estimate["countervailing_amount"], estimate["total"]) == (
        "2940.00",
        "1666.00",
        "4606.00",
    )
    assert _duties(shipment)[Code.DUTY_ESTIMATE]["params"]["countervailing_vehicles"] == 1


def test_the_shipment_page_shows_the_estimate_and_the_form_offers_the_undertakings(world, undertaking):
    from tenants.choices import Role

    from ..conftest import client_for

    shipment = _eu_shipment(world.alpha, producer="BYD", invoice_declaration=True)
    client = client_for(world.alpha, world.person(world.alpha, Role.MEMBER))
    page = client.get(f"/compliance/shipments/{shipment.pk}/").content.decode()
    assert 'data-code="duty_estimate"' in page and "total EUR 19845.00" in page
    form = client.get(f"/compliance/shipments/{shipment.pk}/edit/").content.decode()
    assert "BYD · Seal 82.5 kWh RWD" in form
    with translation.override("ar"):
        text = reason_text(_duties(shipment)[Code.DUTY_ESTIMATE])
    assert "19845.00" in text and "يورو" in text


def test_partners_read_the_rule_rows_with_their_sources_on_the_rules_page(world, undertaking):
    from tenants.choices import Role

    from ..conftest import client_for

    page = client_for(world.beta, world.person(world.beta, Role.VIEWER)).get("/compliance/rules/").content.decode()
    rates = page.split('data-testid="duty-rates"')[1].split("</table>")[0]
    assert "17.00 %" in rates and "35.30 %" in rates and "2024/2754" in rates and "not verified" in rates
    assert "Announcement 2025 No. 54" in page.split('data-testid="licence-rules"')[1].split("</ul>")[0]
    assert "minimum EUR 30000.00, at most 5 vehicles a year" in page


def test_the_rules_page_shows_the_partners_use_of_each_undertaking(world, undertaking):
    from tenants.choices import Role

    from ..conftest import client_for

    shipped = _eu_shipment(
        world.alpha, price="32000.00", producer="BYD", invoice_declaration=True, price_undertaking_id=undertaking.pk
    )
    _with(world.alpha, shipped, status="shipped", expected_arrival=datetime.date.today())
    alpha = client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).get("/compliance/rules/").content.decode()
    beta = client_for(world.beta, world.person(world.beta, Role.VIEWER)).get("/compliance/rules/").content.decode()
    assert "you shipped 3 this year" in alpha and "you shipped 0 this year" in beta  # each partner its own
