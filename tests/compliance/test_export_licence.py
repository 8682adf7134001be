"""China's export licence for pure-electric passenger vehicles, kept as a rule row (reference.ExportLicenceRule):
every branch of the verdict — valid, missing, expired, wrong scope, before and after the effective date, the
trader's authorisation, the models' CCC and catalogue listing, after-sales outlets, used vehicles, two-wheelers
outside — on fixed dates (the check's day is injected, never the clock)."""

import datetime

import pytest
from django.utils import translation
from django_tenants.utils import schema_context

from portal.compliance.choices import Verdict
from portal.compliance.models import AfterSalesOutlet, ExportAuthorisation, ExportLicence, Shipment
from portal.compliance.reasons import reason_text
from portal.compliance.services.checks import check_reproduce, shipment_check
from portal.compliance.verdict import Code
from portal.reference.models import ExportLicenceRule
from portal.vehicles.models import Vehicle
from tenants.models import Partner

from ..vehicles.factories import model_make
from .factories import certificate_make, reload, shipment_make, vehicles_make

pytestmark = pytest.mark.django_db

SHIP = datetime.date(2026, 3, 2)  # the shipping day of these tests (the check's "today")
ARRIVAL = datetime.date(2026, 4, 15)
EV_HS = "8703.80.10.90"
LICENCE_CODES = {
    Code.LICENCE_MISSING,
    Code.LICENCE_EXPIRED,
    Code.LICENCE_NOT_YET_VALID,
    Code.LICENCE_OUT_OF_SCOPE,
    Code.LICENCE_HS_UNCLEAR,
    Code.LICENCE_NOT_APPLICABLE,
    Code.LICENCE_UPCOMING,
    Code.AUTHORISATION_MISSING,
    Code.MODEL_CERTIFICATE_MISSING,
    Code.OUTLET_MISSING,
    Code.USED_LETTER_MISSING,
}


def _saudi_certificates(partner, model):
    """What Saudi Arabia requires of a model (tests/compliance/test_saber.py): SABER PCoC, SASO EV model approval."""
    pcoc_from = datetime.date(2025, 9, 1)
    certificate_make(partner, "saber-pcoc", [model], valid_from=pcoc_from, valid_to=datetime.date(2026, 8, 31))
    if model.category in ("M1", "N1"):
        certificate_make(partner, "saso-ev-model-approval", [model], valid_from=datetime.date(2025, 1, 1))


def _ev_model(partner, *, ccc=True, ccc_valid_to=None, name="Thunder EV Sedan"):
    """A battery-electric car with what Saudi Arabia requires (UN 38.3, SABER PCoC, SASO EV approval) and, by
    default, its CCC and MIIT catalogue listing."""
    model = model_make(partner, name=name, category="M1", battery_kwh="60.00", hs_code="8703.80")
    since = datetime.date(2025, 1, 1)
    certificate_make(partner, "un38-3", [model], valid_from=since)
    _saudi_certificates(partner, model)
    certificate_make(partner, "miit-catalogue", [model], valid_from=since, number="MIIT-2025-388")
    if ccc:
        certificate_make(partner, "ccc", [model], valid_from=since, valid_to=ccc_valid_to, number="CCC-2025-0117")
    return model


def _licence(partner, **fields):
    values = {
        "number": "EL-2026-CQ-0042",
        "issued_by": "MOFCOM",
        "hs_codes": [EV_HS],
        "destinations": ["SA", "AE"],
        "valid_from": datetime.date(2026, 1, 1),
        "valid_to": datetime.date(2026, 12, 31),
    }
    values.update(fields)
    with schema_context(partner.schema_name):
        return ExportLicence.objects.create(**values)


def _outlet(partner, country="SA"):
    with schema_context(partner.schema_name):
        return AfterSalesOutlet.objects.create(
            country=country, name="Riyadh EV Service Centre", address="King Fahd Rd 12, Riyadh", contact="+966 11 000"
        )


def _ev_shipment(partner, model, *, count=2, today=SHIP, **fields):
    values = {
        "destination": "SA",
        "consignee_country": "SA",
        "consignee_name": "Riyadh Green Motors",
        "hs_code": EV_HS,
        "expected_arrival": ARRIVAL,
        "shipment_certificate": "SCOC-2026-0001",  # SABER's shipment certificate (tests/compliance/test_saber.py)
    }
    values.update(fields)
    shipment = shipment_make(partner, vehicles=vehicles_make(partner, model, count), **values)
    return _check(partner, shipment, today=today)


def _check(partner, shipment, *, today=SHIP):
    with schema_context(partner.schema_name):
        shipment_check(shipment=shipment, today=today)
    return reload(partner, shipment)


def _licence_reasons(shipment) -> dict:
    return {reason["code"]: reason for reason in shipment.latest_check.reasons if reason["code"] in LICENCE_CODES}


@pytest.fixture
def licensed(world):
    """Alpha (a Chinese maker) with a certified EV, a licence for Saudi Arabia and the UAE, and an outlet there."""
    model = _ev_model(world.alpha)
    _licence(world.alpha)
    _outlet(world.alpha)
    return model


def test_the_rule_is_a_row_with_its_source_dates_and_history():
    rule = ExportLicenceRule.objects.get(code="cn-bev-export-licence")
    assert (rule.origin, rule.hs_codes, rule.effective_from) == ("CN", [EV_HS], datetime.date(2026, 1, 1))
    assert "2025 No. 54" in rule.source_reference and rule.used_vehicle_days == 180
    assert rule.history.count() == 1  # seeded with its first history row


def test_a_valid_licence_covering_code_and_destination_clears(world, licensed):
    shipment = _ev_shipment(world.alpha, licensed)
    assert shipment.verdict == Verdict.CLEARED, shipment.latest_check.reasons
    assert _licence_reasons(shipment) == {}


def test_no_licence_blocks_and_names_the_rule_and_its_source(world):
    model = _ev_model(world.alpha)
    _outlet(world.alpha)
    shipment = _ev_shipment(world.alpha, model)
    assert shipment.verdict == Verdict.BLOCKED
    reason = _licence_reasons(shipment)[Code.LICENCE_MISSING]
    assert reason["severity"] == "block" and reason["params"]["ships_on"] == "2026-03-02"
    text = reason_text(reason)
    assert "HS 8703.80.10.90" in text and "Saudi Arabia" in text and "2025 No. 54" in text


def test_an_expired_licence_blocks(world, licensed):
    with schema_context(world.alpha.schema_name):
        ExportLicence.objects.update(valid_to=datetime.date(2026, 2, 28))
    shipment = _ev_shipment(world.alpha, licensed)
    reason = _licence_reasons(shipment)[Code.LICENCE_EXPIRED]
    assert shipment.verdict == Verdict.BLOCKED and reason["params"]["number"] == "EL-2026-CQ-0042"
    assert "expired on 2026-02-28" in reason_text(reason)


def test_a_licence_valid_only_later_blocks(world, licensed):
    with schema_context(world.alpha.schema_name):
        ExportLicence.objects.update(valid_from=datetime.date(2026, 4, 1))
    shipment = _ev_shipment(world.alpha, licensed)
    assert Code.LICENCE_NOT_YET_VALID in _licence_reasons(shipment) and shipment.verdict == Verdict.BLOCKED


def test_the_shipping_date_decides_not_the_check_day(world, licensed):
    shipment = _ev_shipment(world.alpha, licensed, ships_on=datetime.date(2027, 1, 15))
    assert Code.LICENCE_EXPIRED in _licence_reasons(shipment)


@pytest.mark.parametrize(
    ("destination", "hs_codes"),
    [("DE", [EV_HS]), ("SA", ["8703.80.10.10"])],
    ids=["other destination", "other HS code"],
)
def test_a_licence_of_another_scope_blocks_and_lists_what_is_held(world, destination, hs_codes):
    model = _ev_model(world.alpha)
    _outlet(world.alpha)
    _licence(world.alpha, destinations=[destination], hs_codes=hs_codes)
    shipment = _ev_shipment(world.alpha, model)
    reason = _licence_reasons(shipment)[Code.LICENCE_OUT_OF_SCOPE]
    assert shipment.verdict == Verdict.BLOCKED
    assert reason["params"]["licences"] == [
        {"number": "EL-2026-CQ-0042", "hs_codes": hs_codes, "destinations": [destination]}
    ]
    assert f"EL-2026-CQ-0042: HS {hs_codes[0]} → {destination}" in reason_text(reason)


def test_before_the_effective_date_nothing_is_needed_and_the_rule_is_announced(world):
    model = _ev_model(world.alpha)
    shipment = _ev_shipment(world.alpha, model, today=datetime.date(2025, 12, 1), expected_arrival=ARRIVAL)
    reasons = _licence_reasons(shipment)
    assert set(reasons) == {Code.LICENCE_UPCOMING}
    assert reasons[Code.LICENCE_UPCOMING]["severity"] == "info"
    assert shipment.verdict == Verdict.CLEARED, shipment.latest_check.reasons
    after = _check(world.alpha, shipment, today=datetime.date(2026, 1, 1))
    assert Code.LICENCE_MISSING in _licence_reasons(after) and after.verdict == Verdict.BLOCKED


def test_a_trader_needs_the_manufacturers_authorisation(world, licensed):
    shipment = _ev_shipment(world.alpha, licensed, manufacturer="Chongqing Lingyun Motor Co., Ltd.")
    reason = _licence_reasons(shipment)[Code.AUTHORISATION_MISSING]
    assert shipment.verdict == Verdict.NEEDS_REVIEW and reason["severity"] == "review"
    assert "Chongqing Lingyun Motor Co., Ltd." in reason_text(reason)
    with schema_context(world.alpha.schema_name):
        authorisation = ExportAuthorisation.objects.create(
            manufacturer="chongqing lingyun motor co., ltd. ",
            valid_from=datetime.date(2026, 1, 1),
            valid_to=datetime.date(2026, 2, 1),
        )
    expired = _check(world.alpha, shipment)
    assert Code.AUTHORISATION_MISSING in _licence_reasons(expired)  # expired before the shipping date
    with schema_context(world.alpha.schema_name):
        ExportAuthorisation.objects.filter(pk=authorisation.pk).update(valid_to=datetime.date(2026, 12, 31))
    assert _check(world.alpha, shipment).verdict == Verdict.CLEARED


def test_each_model_needs_a_valid_ccc_and_catalogue_listing(world):
    missing = _ev_model(world.alpha, ccc=False, name="No CCC")
    expired = _ev_model(world.alpha, ccc_valid_to=datetime.date(2026, 2, 1), name="Old CCC")
    _licence(world.alpha)
    _outlet(world.alpha)
    shipment = shipment_make(
        world.alpha,
        vehicles=vehicles_make(world.alpha, missing, 1) + vehicles_make(world.alpha, expired, 1),
        destination="SA",
        consignee_country="SA",
        hs_code=EV_HS,
        expected_arrival=ARRIVAL,
    )
    shipment = _check(world.alpha, shipment)
    reasons = [r for r in shipment.latest_check.reasons if r["code"] == Code.MODEL_CERTIFICATE_MISSING]
    assert shipment.verdict == Verdict.BLOCKED
    assert {(r["params"]["model"], r["params"]["certificate_type"], r["params"]["number"]) for r in reasons} == {
        ("No CCC", "ccc", ""),
        ("Old CCC", "ccc", "CCC-2025-0117"),
    }
    texts = sorted(reason_text(reason) for reason in reasons)
    assert texts[0].startswith("No China Compulsory Certification (CCC) on file for No CCC")
    assert "valid to 2026-02-01" in texts[1]


def test_a_destination_without_after_sales_outlet_needs_review(world):
    model = _ev_model(world.alpha)
    _licence(world.alpha)
    _outlet(world.alpha, country="AE")
    shipment = _ev_shipment(world.alpha, model)
    assert shipment.verdict == Verdict.NEEDS_REVIEW
    assert set(_licence_reasons(shipment)) == {Code.OUTLET_MISSING}


def test_vehicles_registered_less_than_180_days_before_export_need_the_letter(world, licensed):
    vehicles = vehicles_make(world.alpha, licensed, 3)
    with schema_context(world.alpha.schema_name):
        for vehicle, registered in zip(
            vehicles, (SHIP - datetime.timedelta(days=179), SHIP - datetime.timedelta(days=180)), strict=False
        ):
            Vehicle.objects.filter(pk=vehicle.pk).update(registration_date=registered, status="registered")
    shipment = shipment_make(
        world.alpha,
        vehicles=vehicles,
        destination="SA",
        consignee_country="SA",
        hs_code=EV_HS,
        expected_arrival=ARRIVAL,
        shipment_certificate="SCOC-2026-0002",
    )
    shipment = _check(world.alpha, shipment)
    reason = _licence_reasons(shipment)[Code.USED_LETTER_MISSING]
    assert shipment.verdict == Verdict.BLOCKED
    assert reason["params"]["vins"] == [vehicles[0].vin] and reason["params"]["count"] == 1  # 179 days: used
    assert "less than 180 days" in reason_text(reason)
    with schema_context(world.alpha.schema_name):
        Shipment.objects.filter(pk=shipment.pk).update(after_sales_letter="ASL-2026-007")
        shipment.refresh_from_db()
    assert _check(world.alpha, shipment).verdict == Verdict.CLEARED


def test_two_wheelers_are_outside_and_the_verdict_says_why(world):
    model = model_make(world.alpha, category="L3e", battery_kwh="1.80")
    certificate_make(world.alpha, "un38-3", [model])
    _saudi_certificates(world.alpha, model)
    shipment = _ev_shipment(world.alpha, model, hs_code="8711.60")
    reasons = _licence_reasons(shipment)
    assert set(reasons) == {Code.LICENCE_NOT_APPLICABLE}
    assert reasons[Code.LICENCE_NOT_APPLICABLE]["severity"] == "info"
    assert shipment.verdict == Verdict.CLEARED
    text = reason_text(reasons[Code.LICENCE_NOT_APPLICABLE])
    assert "was considered and does not apply" in text and "HS 8711" in text and "8703.80.10.90" in text


def test_a_code_too_coarse_to_tell_needs_review(world, licensed):
    shipment = _ev_shipment(world.alpha, licensed, hs_code="8703.80")
    reasons = _licence_reasons(shipment)
    assert Code.LICENCE_HS_UNCLEAR in reasons and reasons[Code.LICENCE_HS_UNCLEAR]["params"]["covered_code"] == EV_HS
    assert set(reasons) == {Code.LICENCE_HS_UNCLEAR} and shipment.verdict == Verdict.NEEDS_REVIEW


def test_partners_elsewhere_are_not_concerned(world):
    """The rule is China's: a partner based elsewhere exports the same car without it."""
    model = _ev_model(world.beta)
    Partner.objects.filter(pk=world.beta.pk).update(country="HU")
    shipment = _ev_shipment(world.beta, model)
    assert _licence_reasons(shipment) == {}


def test_staff_change_the_rule_as_data_and_a_stored_check_is_reproduced(world, licensed):
    shipment = _ev_shipment(world.alpha, licensed)
    first = shipment.latest_check
    rule = ExportLicenceRule.objects.get(code="cn-bev-export-licence")
    rule.effective_from = datetime.date(2026, 6, 1)
    rule.save()
    _outlet(world.alpha, country="AE")
    with schema_context(world.alpha.schema_name):
        ExportLicence.objects.all().delete()
    moved = _check(world.alpha, shipment)
    assert moved.latest_check.rules_version > first.rules_version
    assert set(_licence_reasons(moved)) == {Code.LICENCE_UPCOMING}  # not in force on 2026-03-02 any more
    with schema_context(world.alpha.schema_name):
        _licence(world.alpha)
        again = check_reproduce(check=first)
    assert again.verdict == first.verdict and again.reasons_as_dicts() == first.reasons


def test_reasons_are_worded_in_the_readers_language(world):
    model = _ev_model(world.alpha)
    shipment = _ev_shipment(world.alpha, model)
    reason = _licence_reasons(shipment)[Code.LICENCE_MISSING]
    with translation.override("zh-hans"):
        assert "出口许可证" in reason_text(reason)
