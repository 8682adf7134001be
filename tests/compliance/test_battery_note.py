"""The EU battery passport (Regulation (EU) 2023/1542, Art. 77, from 2027-02-18) as a market requirement row whose
effect is a note (issue 14, rule 6): shipments to the EU with batteries get an information line saying the passport
will be (or is) required; the verdict does not change until the battery passport module makes the row require
complete passports. Fixed dates (the check's day is injected, never the clock)."""

import datetime

import pytest
from django_tenants.utils import schema_context

from portal.compliance.choices import Verdict
from portal.compliance.reasons import reason_text
from portal.compliance.services.checks import check_reproduce, shipment_check
from portal.compliance.verdict import Code
from portal.reference.models import MarketRequirement, RequirementEffect

from ..vehicles.factories import model_make
from .factories import certificate_make, eu_l3e_model, reload, shipment_make, vehicles_make

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)
PASSPORT_FROM = datetime.date(2027, 2, 18)


def _shipment(partner, models, *, destination="HU", arrival=datetime.date(2027, 1, 20), today=TODAY):
    vehicles = [vehicle for model in models for vehicle in vehicles_make(partner, model, 2)]
    shipment = shipment_make(
        partner, vehicles=vehicles, destination=destination, consignee_country=destination, expected_arrival=arrival
    )
    with schema_context(partner.schema_name):
        shipment_check(shipment=shipment, today=today)
    return reload(partner, shipment)


def _notes(shipment) -> list[dict]:
    return [reason for reason in shipment.latest_check.reasons if reason["code"] == Code.REQUIREMENT_NOTE]


def _l3e(partner, **fields):
    model = eu_l3e_model(partner, **fields)
    for certificate in ("eu-ta-168-2013", "un-r136", "un38-3"):  # valid through the dates of these tests
        certificate_make(partner, certificate, [model], valid_from=datetime.date(2024, 1, 1))
    return model


def test_the_rule_is_a_row_with_its_source_and_date():
    row = MarketRequirement.objects.get(market="EU", certificate_type__code="eu-battery-passport")
    assert (row.effect, row.effective_from, row.min_battery_kwh) == (RequirementEffect.NOTE, PASSPORT_FROM, 0)
    assert "2023/1542" in row.source_reference and "Art. 77" in row.source_reference
    assert not row.lithium_only and row.categories == []  # every battery: LMT, industrial, EV
    assert row.history.count() == 2  # seeded (0003), then made a note (0009)


def test_before_the_date_an_eu_shipment_with_batteries_gets_a_note_and_stays_cleared(world):
    shipment = _shipment(world.alpha, [_l3e(world.alpha)])
    [note] = _notes(shipment)
    assert shipment.verdict == Verdict.CLEARED and note["severity"] == "info"
    assert note["key"].startswith("note:") and note["params"]["certificate_type"] == "eu-battery-passport"
    assert note["params"]["in_force"] is False and note["params"]["effective_from"] == "2027-02-18"
    text = reason_text(note)
    assert text.startswith("From 2027-02-18, EU will require Battery passport") and "Art. 77" in text
    assert not [r for r in shipment.latest_check.reasons if r["code"] == Code.RULE_UPCOMING]  # said once


def test_after_the_date_the_note_says_it_is_required_and_the_verdict_still_stands(world):
    shipment = _shipment(world.alpha, [_l3e(world.alpha)], arrival=datetime.date(2027, 3, 1))
    [note] = _notes(shipment)
    assert note["params"]["in_force"] is True and shipment.verdict == Verdict.CLEARED
    assert "since 2027-02-18" in reason_text(note) and "not checked yet" in reason_text(note)
    assert Code.CERTIFICATE_MISSING not in {r["code"] for r in shipment.latest_check.reasons}


def test_one_note_per_shipment_whatever_its_models(world):
    shipment = _shipment(world.alpha, [_l3e(world.alpha), _l3e(world.alpha, battery_kwh="4.32")])
    assert len(_notes(shipment)) == 1


def test_no_note_without_batteries_or_outside_the_eu(world):
    bicycle = model_make(world.alpha, category="L1e", battery_kwh="0.00", hs_code="8711.60")
    for code in ("eu-ta-168-2013", "un-r136"):
        certificate_make(world.alpha, code, [bicycle], valid_from=datetime.date(2024, 1, 1))
    assert _notes(_shipment(world.alpha, [bicycle])) == []
    model = _l3e(world.alpha)
    pcoc = {"valid_from": datetime.date(2026, 6, 1), "valid_to": datetime.date(2027, 5, 31)}
    certificate_make(world.alpha, "saber-pcoc", [model], **pcoc)
    assert _notes(_shipment(world.alpha, [model], destination="SA")) == []


def test_a_row_that_ended_says_nothing(world):
    row = MarketRequirement.objects.get(market="EU", certificate_type__code="eu-battery-passport")
    row.effective_until = datetime.date(2026, 12, 31)
    row.save()
    assert _notes(_shipment(world.alpha, [_l3e(world.alpha)])) == []


def test_the_battery_passport_module_can_make_the_row_enforce(world):
    """Switching the row's effect is data: the check then asks for the passport like any certificate."""
    model = _l3e(world.alpha)
    row = MarketRequirement.objects.get(market="EU", certificate_type__code="eu-battery-passport")
    shipment = _shipment(world.alpha, [model], arrival=datetime.date(2027, 3, 1))
    stored = shipment.latest_check
    row.effect = RequirementEffect.BLOCK
    row.save()
    with schema_context(world.alpha.schema_name):
        shipment_check(shipment=shipment, today=TODAY)
        again = check_reproduce(check=stored)
    shipment = reload(world.alpha, shipment)
    assert shipment.verdict == Verdict.BLOCKED and _notes(shipment) == []
    assert again.verdict == Verdict.CLEARED and again.reasons_as_dicts() == stored.reasons
