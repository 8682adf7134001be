"""The check: every reason of every verdict, rule dates and conditions, and reproducing a stored verdict."""

import datetime

import pytest
from django_tenants.utils import schema_context

from portal.compliance.choices import Verdict
from portal.compliance.services.checks import check_reproduce, shipment_check
from portal.compliance.verdict import Code
from portal.reference.models import CertificateType, Embargo, EmbargoSeverity, MarketRequirement
from portal.reference.versions import reference_versions, rules_version
from portal.vehicles.services import vehicle_status_change, vehicles_export

from ..vehicles.factories import model_make
from .factories import certificate_make, days, eu_l3e_model, party_make, reload, shipment_make, vehicles_make

pytestmark = pytest.mark.django_db


def _codes(shipment):
    return {reason["code"]: reason for reason in shipment.latest_check.reasons}


def _check(partner, shipment, **kwargs):
    with schema_context(partner.schema_name):
        shipment_check(shipment=shipment, **kwargs)
    return reload(partner, shipment)


def test_a_fully_certified_shipment_is_cleared_and_records_the_versions(world):
    model = eu_l3e_model(world.alpha)
    shipment = shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 3))
    check = shipment.latest_check
    assert shipment.verdict == Verdict.CLEARED, check.reasons
    assert [reason["severity"] for reason in check.reasons if reason["severity"] != "info"] == []
    versions = reference_versions()
    assert check.versions == versions
    assert check.rules_version == rules_version(versions) and check.screening_version == versions["screening"]
    assert check.vehicle_count == 3 and check.thresholds["BLOCK_SCORE"] == 97.0


def test_a_missing_certificate_blocks_and_names_model_rule_and_market(world):
    model = model_make(world.alpha, category="L3e", battery_kwh="1.80", name="Bolt L3")
    certificate_make(world.alpha, "un38-3", [model])
    certificate_make(world.alpha, "eu-ta-168-2013", [model], valid_to=days(900))
    shipment = shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 2))
    assert shipment.verdict == Verdict.BLOCKED
    reason = _codes(shipment)[Code.CERTIFICATE_MISSING]
    assert reason["severity"] == "block"
    params = reason["params"]
    assert params["model"] == "Bolt L3" and params["vehicle_count"] == 2 and params["market"] == "EU"
    assert params["certificate_type"] == "un-r136" and params["source"] == "UN Regulation No. 136"
    assert MarketRequirement.objects.get(pk=params["rule_id"]).certificate_type.code == "un-r136"


def test_an_expired_certificate_blocks(world):
    model = eu_l3e_model(world.alpha, certified=False)
    certificate_make(world.alpha, "un38-3", [model])
    certificate_make(world.alpha, "eu-ta-168-2013", [model], valid_to=days(900))
    certificate_make(world.alpha, "un-r136", [model], valid_to=days(-1), number="R136-OLD")
    shipment = shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 1))
    reason = _codes(shipment)[Code.CERTIFICATE_EXPIRED]
    assert shipment.verdict == Verdict.BLOCKED and reason["params"]["number"] == "R136-OLD"


def test_a_certificate_that_expires_before_the_arrival_blocks(world):
    model = eu_l3e_model(world.alpha, certified=False)
    certificate_make(world.alpha, "un38-3", [model])
    certificate_make(world.alpha, "eu-ta-168-2013", [model], valid_to=days(900))
    certificate_make(world.alpha, "un-r136", [model], valid_to=days(20))
    early = shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 1), expected_arrival=days(10))
    late = shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 1), expected_arrival=days(30))
    assert early.verdict == Verdict.CLEARED
    reason = _codes(late)[Code.CERTIFICATE_EXPIRES_BEFORE_ARRIVAL]
    assert late.verdict == Verdict.BLOCKED
    assert reason["params"]["valid_to"] == days(20).isoformat() and reason["params"]["arrival"] == days(30).isoformat()


def test_a_certificate_valid_only_after_the_arrival_blocks(world):
    model = eu_l3e_model(world.alpha, certified=False)
    certificate_make(world.alpha, "un38-3", [model])
    certificate_make(world.alpha, "eu-ta-168-2013", [model], valid_to=days(900))
    certificate_make(world.alpha, "un-r136", [model], valid_from=days(60), valid_to=days(900))
    shipment = shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 1))
    assert Code.CERTIFICATE_NOT_YET_VALID in _codes(shipment) and shipment.verdict == Verdict.BLOCKED


def test_rules_apply_only_while_in_force(world):
    model = eu_l3e_model(world.alpha)
    saso = CertificateType.objects.get(code="saso-coc")
    rule = MarketRequirement.objects.create(
        market="HU", categories=["L3e"], certificate_type=saso, effective_from=days(60), source_reference="Test rule"
    )
    vehicles = vehicles_make(world.alpha, model, 2)
    before = shipment_make(world.alpha, vehicles=vehicles[:1], expected_arrival=days(30))
    after = shipment_make(world.alpha, vehicles=vehicles[1:], expected_arrival=days(90))
    assert before.verdict == Verdict.CLEARED
    assert _codes(before)[Code.RULE_UPCOMING]["params"]["rule_id"] == rule.pk  # mentioned, not applied
    assert _codes(after)[Code.CERTIFICATE_MISSING]["params"]["rule_id"] == rule.pk
    rule.effective_from, rule.effective_until = days(-100), days(60)
    rule.save()
    after = _check(world.alpha, after)
    assert after.verdict == Verdict.CLEARED, "a rule that ended before the arrival no longer applies"


def test_the_battery_size_condition(world):
    small = eu_l3e_model(world.alpha, battery_kwh="1.80")
    big = eu_l3e_model(world.alpha, battery_kwh="4.32")
    passport = MarketRequirement.objects.get(certificate_type__code="eu-battery-passport")
    # Made a certificate rule with a size condition (the seeded row checks complete battery passports of any
    # battery: tests/compliance/test_battery_note.py)
    passport.effective_from, passport.min_battery_kwh, passport.effect = days(-10), "2.00", "block"
    passport.battery_passports = False
    passport.save()
    shipment = shipment_make(
        world.alpha, vehicles=[*vehicles_make(world.alpha, small, 1), *vehicles_make(world.alpha, big, 1)]
    )
    missing = [r for r in shipment.latest_check.reasons if r["code"] == Code.CERTIFICATE_MISSING]
    assert [(r["params"]["model_id"], r["params"]["certificate_type"]) for r in missing] == [
        (big.pk, "eu-battery-passport")
    ]


def test_embargoes_block_or_need_review(world):
    model = eu_l3e_model(world.alpha)
    Embargo.objects.create(
        country="HU", severity=EmbargoSeverity.PARTIAL, effective_from=days(-5), source_reference="Test"
    )
    Embargo.objects.create(
        country="KP", severity=EmbargoSeverity.FULL, effective_from=days(-5), source_reference="UNSC"
    )
    partial = shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 1))
    assert partial.verdict == Verdict.NEEDS_REVIEW and _codes(partial)[Code.EMBARGO]["severity"] == "review"
    full = shipment_make(world.alpha, destination="KP", consignee_country="KP")
    assert full.verdict == Verdict.BLOCKED and _codes(full)[Code.EMBARGO]["params"]["source"] == "UNSC"
    consignee = shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 1), consignee_country="KP")
    assert consignee.verdict == Verdict.BLOCKED and Code.EMBARGO_CONSIGNEE in _codes(consignee)


def test_a_screened_consignee_blocks_and_a_near_hit_needs_review(world):
    model = eu_l3e_model(world.alpha)
    entry = party_make("Chongqing Leiting Jiche Co., Ltd.", aliases=["雷霆机车"], country="CN")
    blocked = shipment_make(
        world.alpha,
        vehicles=vehicles_make(world.alpha, model, 1),
        consignee_name="重庆雷霆机车有限公司",
        consignee_country="CN",
    )
    reason = _codes(blocked)[Code.SCREENING]
    assert blocked.verdict == Verdict.BLOCKED and reason["severity"] == "block"
    assert reason["params"]["entry_id"] == entry.pk and reason["params"]["score"] == 100
    near = shipment_make(
        world.alpha, vehicles=vehicles_make(world.alpha, model, 1), consignee_name="Chongqing Leiming Jiche"
    )
    assert near.verdict == Verdict.NEEDS_REVIEW and _codes(near)[Code.SCREENING]["severity"] == "review"


def test_vehicles_that_cannot_be_shipped(world):
    model = eu_l3e_model(world.alpha)
    vehicles = vehicles_make(world.alpha, model, 3)
    shipment = shipment_make(world.alpha, vehicles=vehicles)
    other = shipment_make(world.alpha, vehicles=vehicles[2:])
    with schema_context(world.alpha.schema_name):
        vehicles_export(vehicle_ids=[vehicles[0].pk])
        vehicle_status_change(
            vehicle=vehicles[1],
            to_status="registered",
            registration_country="CN",
            registration_date=datetime.date(2024, 6, 1),
        )
        vehicle_status_change(vehicle=vehicles[1], to_status="deregistered")
    shipment = _check(world.alpha, shipment)
    codes = _codes(shipment)
    assert shipment.verdict == Verdict.BLOCKED
    assert codes[Code.VEHICLE_EXPORTED]["params"]["vins"] == [vehicles[0].vin]
    assert codes[Code.VEHICLE_DEREGISTERED]["params"]["vins"] == [vehicles[1].vin]
    assert codes[Code.VEHICLE_ON_OTHER_SHIPMENT]["params"]["shipments"] == [other.reference]


def test_reasons_that_need_review(world):
    model = eu_l3e_model(world.alpha)
    empty = shipment_make(world.alpha)
    not_info = {code for code, reason in _codes(empty).items() if reason["severity"] != "info"}
    assert empty.verdict == Verdict.NEEDS_REVIEW and not_info == {Code.NO_VEHICLES}
    thailand = shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 1), destination="TH")
    assert (
        thailand.verdict == Verdict.NEEDS_REVIEW and _codes(thailand)[Code.NO_MARKET_RULES]["params"]["market"] == "TH"
    )
    wrong_hs = shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 1), hs_code="8703.80")
    assert _codes(wrong_hs)[Code.HS_CODE_MISMATCH]["params"]["model_hs_code"] == "8711.60"
    late = shipment_make(world.alpha, vehicles=vehicles_make(world.alpha, model, 1))
    late = _check(world.alpha, late, today=days(40))
    assert late.verdict == Verdict.NEEDS_REVIEW and Code.ARRIVAL_IN_PAST in _codes(late)


def test_a_stored_verdict_is_reproduced_from_the_history_of_the_tables(world):
    model = eu_l3e_model(world.alpha)
    shipment = shipment_make(
        world.alpha, vehicles=vehicles_make(world.alpha, model, 1), consignee_name="Kestrel Star Trading"
    )
    stored = shipment.latest_check
    assert stored.verdict == Verdict.CLEARED
    # The alliance changes both the rules and the screening list afterwards.
    MarketRequirement.objects.create(
        market="EU",
        categories=["L3e"],
        certificate_type=CertificateType.objects.get(code="saso-coc"),
        effective_from=days(-1),
        source_reference="Stricter rule",
    )
    party_make("Kestrel Star Trading FZE", country="HU")
    with schema_context(world.alpha.schema_name):
        now = shipment_check(shipment=shipment)
        again = check_reproduce(check=stored)
    assert now.verdict == Verdict.BLOCKED and {r["code"] for r in now.reasons} >= {
        Code.SCREENING,
        Code.CERTIFICATE_MISSING,
    }
    assert again.verdict == stored.verdict, again.reasons_as_dicts()
    assert again.reasons_as_dicts() == stored.reasons
