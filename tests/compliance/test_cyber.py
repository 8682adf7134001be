"""Cyber security and software updates as certificate types and market requirement rows (issue 14, rule 5):
UN R155 (CSMS) and R156 (SUMS) per model in the EU, the UK (new types from 2026-06-01, every vehicle from
2027-06-01) and Japan (a review: not verified), GB 44495-2024 / GB 44496-2024 for models in China from 2026-01-01.
Every branch on fixed dates (the check's day is injected, never the clock)."""

import datetime

import pytest
from django_tenants.utils import schema_context

from portal.compliance.choices import Verdict
from portal.compliance.reasons import reason_text
from portal.compliance.services.checks import shipment_check
from portal.compliance.verdict import Code
from portal.reference.models import MarketRequirement, RequirementEffect
from tenants.models import Partner

from ..vehicles.factories import model_make
from .factories import certificate_make, reload, shipment_make, vehicles_make

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)
LONG_AGO = datetime.date(2024, 1, 1)
R155_TO = datetime.date(2026, 12, 31)  # a CSMS certificate lasts at most three years
CYBER = {"un-r155", "un-r156", "gb-44495-2024", "gb-44496-2024"}
EU_CAR = ["un38-3", "eu-wvta-2018-858", "un-r100"]  # what the EU asks of an M1 besides R155 / R156


@pytest.fixture
def maker(world):
    """Beta, based in Hungary (China's export licence and the EU's duties on Chinese cars are not at stake)."""
    Partner.objects.filter(pk=world.beta.pk).update(country="HU")
    return world.beta


def _car(partner, *, codes=("un-r155", "un-r156"), name="Volta M1", **dates):
    model = model_make(partner, name=name, category="M1", battery_kwh="60.00", hs_code="8703.80")
    for code in [*EU_CAR, *codes]:
        values = {"valid_from": LONG_AGO, **({"valid_to": R155_TO} if code == "un-r155" else {})}
        values.update(dates if code in CYBER else {})
        certificate_make(partner, code, [model], number=f"{code.upper()}-{name}", **values)
    return model


def _shipment(partner, models, *, destination="DE", arrival=datetime.date(2026, 4, 15), today=TODAY, hs="8703.80"):
    vehicles = [vehicle for model in models for vehicle in vehicles_make(partner, model, 1)]
    shipment = shipment_make(
        partner,
        vehicles=vehicles,
        destination=destination,
        consignee_country=destination,
        consignee_name="Volta Import GmbH",
        hs_code=hs,
        expected_arrival=arrival,
    )
    with schema_context(partner.schema_name):
        shipment_check(shipment=shipment, today=today)
    return reload(partner, shipment)


def _cyber(shipment) -> dict:
    return {
        (reason["code"], reason["params"].get("certificate_type")): reason
        for reason in shipment.latest_check.reasons
        if reason["params"].get("certificate_type") in CYBER
    }


def test_the_rules_are_rows_with_sources_and_notes():
    rows = MarketRequirement.objects.filter(certificate_type__code__in=CYBER).select_related("certificate_type")
    by_market = {(row.market, row.certificate_type.code, row.effective_from): row for row in rows}
    eu = by_market[("EU", "un-r155", datetime.date(2024, 7, 7))]
    assert "2019/2144" in eu.source_reference and eu.categories == ["M1", "N1"]
    uk_new = by_market[("GB", "un-r156", datetime.date(2026, 6, 1))]
    uk_all = by_market[("GB", "un-r156", datetime.date(2027, 6, 1))]
    assert (uk_new.effect, uk_new.effective_until) == (RequirementEffect.REVIEW, datetime.date(2027, 5, 31))
    assert uk_all.effect == RequirementEffect.BLOCK and "DfT" in uk_all.source_reference
    assert "not verified" in by_market[("JP", "un-r155", datetime.date(2024, 7, 7))].note
    china = by_market[("CN", "gb-44495-2024", datetime.date(2026, 1, 1))]
    assert "GB 44495-2024" in china.source_reference and "not verified" in china.note
    assert ("CN", "gb-44496-2024", datetime.date(2026, 1, 1)) in by_market
    assert all(row.history.exists() for row in rows)


def test_r155_and_r156_approvals_clear_an_eu_car(maker):
    shipment = _shipment(maker, [_car(maker)])
    assert _cyber(shipment) == {} and shipment.verdict == Verdict.CLEARED, shipment.latest_check.reasons


def test_a_car_without_the_r156_approval_is_blocked_in_the_eu(maker):
    shipment = _shipment(maker, [_car(maker, codes=("un-r155",))])
    reason = _cyber(shipment)[(Code.CERTIFICATE_MISSING, "un-r156")]
    assert shipment.verdict == Verdict.BLOCKED and set(_cyber(shipment)) == {(Code.CERTIFICATE_MISSING, "un-r156")}
    assert "UN R156 software update approval (SUMS)" in reason_text(reason) and "2019/2144" in reason_text(reason)


def test_an_expired_r155_blocks(maker):
    car = _car(maker, valid_to=datetime.date(2026, 1, 31))
    shipment = _shipment(maker, [car])
    assert (Code.CERTIFICATE_EXPIRED, "un-r155") in _cyber(shipment) and shipment.verdict == Verdict.BLOCKED


def test_an_r155_certificate_beyond_three_years_needs_review(maker):
    car = _car(maker, valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2027, 6, 30))
    shipment = _shipment(maker, [car])
    assert (Code.CERTIFICATE_TOO_LONG, "un-r155") in _cyber(shipment)
    assert shipment.verdict == Verdict.NEEDS_REVIEW


def test_an_approval_of_another_model_does_not_cover_this_one(maker):
    approved = _car(maker)
    other = _car(maker, codes=(), name="Volta M1 Long Range")
    shipment = _shipment(maker, [approved, other])
    missing = [key for key in _cyber(shipment) if key[0] == Code.CERTIFICATE_MISSING]
    assert sorted(missing) == [(Code.CERTIFICATE_MISSING, "un-r155"), (Code.CERTIFICATE_MISSING, "un-r156")]
    assert {r["params"]["model_id"] for r in _cyber(shipment).values()} == {other.pk}


def test_categories_outside_the_rows_are_not_asked(maker):
    scooter = model_make(maker, category="L3e", battery_kwh="1.80", hs_code="8711.60")
    for code in ("un38-3", "eu-ta-168-2013", "un-r136"):
        certificate_make(maker, code, [scooter], valid_from=LONG_AGO)
    shipment = _shipment(maker, [scooter], hs="8711.60")
    assert _cyber(shipment) == {} and shipment.verdict == Verdict.CLEARED, shipment.latest_check.reasons


def test_the_uk_announces_then_reviews_new_types_then_blocks(maker):
    car = _car(maker, codes=())
    before = _shipment(maker, [car], destination="GB", arrival=datetime.date(2026, 5, 15))
    assert set(_cyber(before)) == {(Code.RULE_UPCOMING, "un-r155"), (Code.RULE_UPCOMING, "un-r156")}
    new_types = _shipment(maker, [car], destination="GB", arrival=datetime.date(2026, 7, 1))
    reason = _cyber(new_types)[(Code.CERTIFICATE_MISSING, "un-r155")]
    assert reason["severity"] == "review" and new_types.verdict == Verdict.NEEDS_REVIEW
    assert "new GB vehicle types" not in reason_text(reason)  # the note stays on the rules page
    every = _shipment(maker, [car], destination="GB", arrival=datetime.date(2027, 7, 1))
    assert _cyber(every)[(Code.CERTIFICATE_MISSING, "un-r156")]["severity"] == "block"
    assert every.verdict == Verdict.BLOCKED


def test_japan_asks_for_a_review_only(maker):
    shipment = _shipment(maker, [_car(maker, codes=())], destination="JP")
    assert {r["severity"] for r in _cyber(shipment).values()} == {"review"}
    assert set(_cyber(shipment)) == {(Code.CERTIFICATE_MISSING, "un-r155"), (Code.CERTIFICATE_MISSING, "un-r156")}


def test_china_asks_gb_44495_and_gb_44496_from_2026(maker):
    car = _car(maker)
    before = _shipment(
        maker, [car], destination="CN", arrival=datetime.date(2025, 12, 20), today=datetime.date(2025, 11, 1)
    )
    assert set(_cyber(before)) == {(Code.RULE_UPCOMING, "gb-44495-2024"), (Code.RULE_UPCOMING, "gb-44496-2024")}
    after = _shipment(
        maker, [car], destination="CN", arrival=datetime.date(2026, 2, 1), today=datetime.date(2026, 1, 5)
    )
    assert set(_cyber(after)) == {
        (Code.CERTIFICATE_MISSING, "gb-44495-2024"),
        (Code.CERTIFICATE_MISSING, "gb-44496-2024"),
    }, "UN R155 / R156 approvals do not stand in for the GB standards"
    assert after.verdict == Verdict.BLOCKED
    for code in ("gb-44495-2024", "gb-44496-2024"):
        certificate_make(maker, code, [car], valid_from=datetime.date(2025, 10, 1))
    with schema_context(maker.schema_name):
        shipment_check(shipment=after, today=datetime.date(2026, 1, 5))
    assert _cyber(reload(maker, after)) == {}
