"""The EU battery passport (Regulation (EU) 2023/1542, Art. 77, from 2027-02-18) as a market requirement row (issue 14,
rule 6, seeded as a note) that the battery passports made enforce (issue 15, point 4): every battery fitted to a
shipment's vehicles needs a complete passport; blocked from 2027-02-18, a review before with the count; the
shipment page lists what each battery lacks. Fixed dates (the check's day is injected, never the clock)."""

import datetime

import pytest
from django_tenants.utils import schema_context

from portal.batteries.choices import BatteryCategory
from portal.compliance.choices import Verdict
from portal.compliance.reasons import reason_text
from portal.compliance.services.checks import check_reproduce, shipment_check
from portal.compliance.verdict import Code
from portal.reference.models import MarketRequirement, RequirementEffect
from tenants.choices import Role
from tests.conftest import client_for

from ..batteries.factories import battery_make
from ..batteries.factories import model_make as battery_model_make
from ..vehicles.factories import model_make
from .factories import certificate_make, eu_l3e_model, reload, shipment_make, vehicles_make

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 1)
PASSPORT_FROM = datetime.date(2027, 2, 18)
BEFORE, AFTER = datetime.date(2027, 1, 20), datetime.date(2027, 3, 1)


def _l3e(partner, **fields):
    model = eu_l3e_model(partner, **fields)
    for certificate in ("eu-ta-168-2013", "un-r136", "un38-3"):  # valid through the dates of these tests
        certificate_make(partner, certificate, [model], valid_from=datetime.date(2024, 1, 1))
    return model


def _vehicles(partner, *, complete: tuple[bool, ...], model=None):
    """Vehicles of one model, each with a fitted LMT battery whose passport is complete or not (in order)."""
    model = model or _l3e(partner)
    vehicles = vehicles_make(partner, model, len(complete))
    battery_model = battery_model_make(partner, category=BatteryCategory.LMT, complete=True)
    batteries = [
        battery_make(
            partner, battery_model=battery_model, complete=full, vin=vehicle.vin, fitted_on=datetime.date(2026, 1, 5)
        )
        for vehicle, full in zip(vehicles, complete, strict=True)
    ]
    return vehicles, batteries


def _shipment(partner, vehicles, *, destination="HU", arrival=BEFORE, today=TODAY):
    shipment = shipment_make(
        partner, vehicles=vehicles, destination=destination, consignee_country=destination, expected_arrival=arrival
    )
    with schema_context(partner.schema_name):
        shipment_check(shipment=shipment, today=today)
    return reload(partner, shipment)


def _passports(shipment) -> list[dict]:
    return [r for r in shipment.latest_check.reasons if r["code"] == Code.BATTERY_PASSPORT_INCOMPLETE]


def test_the_rule_is_the_seeded_row_made_to_check_passports():
    row = MarketRequirement.objects.get(market="EU", certificate_type__code="eu-battery-passport")
    assert (row.effect, row.effective_from, row.min_battery_kwh) == (RequirementEffect.BLOCK, PASSPORT_FROM, 0)
    assert row.battery_passports is True
    assert "2023/1542" in row.source_reference and "Art. 77" in row.source_reference
    assert not row.lithium_only and row.categories == []  # every battery: LMT, industrial, EV
    assert row.history.count() == 3  # seeded (0003), made a note (0009), made to check passports (0011)
    assert MarketRequirement.objects.filter(certificate_type__code="eu-battery-passport").count() == 1


def test_before_the_date_incomplete_passports_need_a_review_with_their_count(world):
    vehicles, batteries = _vehicles(world.alpha, complete=(False, True, False))
    shipment = _shipment(world.alpha, vehicles, arrival=BEFORE)
    [reason] = _passports(shipment)
    assert shipment.verdict == Verdict.NEEDS_REVIEW and reason["severity"] == "review"
    params = reason["params"]
    assert (params["count"], params["vehicle_count"], params["in_force"]) == (2, 2, False)
    incomplete = sorted(battery.identifier for battery in (batteries[0], batteries[2]))
    assert [item["identifier"] for item in params["batteries"]] == incomplete
    assert all(item["missing"] and item["vin"] for item in params["batteries"])
    text = reason_text(reason)
    assert text.startswith("2 batteries on this shipment have incomplete passports")
    assert "from 2027-02-18" in text and "will be blocked" in text and "Art. 77" in text
    # No certificate is asked for the passport, and the old note is gone.
    codes = {r["code"] for r in shipment.latest_check.reasons}
    assert Code.CERTIFICATE_MISSING not in codes and Code.REQUIREMENT_NOTE not in codes
    assert Code.RULE_UPCOMING not in codes


def test_from_the_date_incomplete_passports_block(world):
    vehicles, _batteries = _vehicles(world.alpha, complete=(False,))
    shipment = _shipment(world.alpha, vehicles, arrival=AFTER)
    [reason] = _passports(shipment)
    assert shipment.verdict == Verdict.BLOCKED and reason["severity"] == "block"
    assert reason["params"]["in_force"] is True and "since 2027-02-18" in reason_text(reason)


@pytest.mark.parametrize("arrival", [BEFORE, AFTER])
def test_complete_passports_clear_before_and_after_the_date(world, arrival):
    vehicles, _batteries = _vehicles(world.alpha, complete=(True, True))
    shipment = _shipment(world.alpha, vehicles, arrival=arrival)
    assert _passports(shipment) == [] and shipment.verdict == Verdict.CLEARED, shipment.latest_check.reasons


def test_the_check_day_decides_not_the_clock(world):
    """The same shipment arriving after the date blocks whatever 'today' is (the arrival is the day checked)."""
    vehicles, _batteries = _vehicles(world.alpha, complete=(False,))
    shipment = _shipment(world.alpha, vehicles, arrival=AFTER, today=datetime.date(2026, 6, 1))
    assert shipment.verdict == Verdict.BLOCKED


def test_no_reason_outside_the_eu_or_without_batteries(world):
    model = _l3e(world.alpha)
    pcoc = {"valid_from": datetime.date(2026, 6, 1), "valid_to": datetime.date(2027, 5, 31)}
    certificate_make(world.alpha, "saber-pcoc", [model], **pcoc)
    vehicles, _batteries = _vehicles(world.alpha, complete=(False,), model=model)
    assert _passports(_shipment(world.alpha, vehicles, destination="SA", arrival=AFTER)) == []
    bare = vehicles_make(world.alpha, _l3e(world.alpha), 2)  # no battery recorded
    shipment = _shipment(world.alpha, bare, arrival=AFTER)
    assert _passports(shipment) == [] and shipment.verdict == Verdict.CLEARED


def test_a_row_that_ended_says_nothing(world):
    row = MarketRequirement.objects.get(market="EU", certificate_type__code="eu-battery-passport")
    row.effective_until = datetime.date(2026, 12, 31)
    row.save()
    vehicles, _batteries = _vehicles(world.alpha, complete=(False,))
    assert _passports(_shipment(world.alpha, vehicles, arrival=AFTER)) == []


def test_the_effect_is_data_and_a_stored_check_is_reproduced(world):
    vehicles, _batteries = _vehicles(world.alpha, complete=(False,))
    shipment = _shipment(world.alpha, vehicles, arrival=AFTER)
    stored = shipment.latest_check
    row = MarketRequirement.objects.get(market="EU", certificate_type__code="eu-battery-passport")
    row.effect = RequirementEffect.NOTE
    row.save()
    with schema_context(world.alpha.schema_name):
        shipment_check(shipment=shipment, today=TODAY)
        again = check_reproduce(check=stored)
    shipment = reload(world.alpha, shipment)
    [reason] = _passports(shipment)
    assert shipment.verdict == Verdict.CLEARED and reason["severity"] == "info"
    assert again.verdict == Verdict.BLOCKED and again.reasons_as_dicts() == stored.reasons


def test_the_shipment_page_lists_what_each_battery_lacks(world):
    vehicles, batteries = _vehicles(world.alpha, complete=(False,))
    shipment = _shipment(world.alpha, vehicles, arrival=AFTER)
    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    page = client.get(f"/compliance/shipments/{shipment.pk}/").content.decode()
    missing = _passports(shipment)[0]["params"]["batteries"][0]["missing"]
    assert 'data-testid="passports-missing"' in page and batteries[0].identifier in page
    assert missing[0] in page


def test_a_bicycle_without_battery_kwh_is_still_covered(world):
    """The row covers every battery (no size condition): an e-bike's LMT battery needs its passport too."""
    bicycle = model_make(world.alpha, category="L1e", battery_kwh="0.50", hs_code="8711.60")
    for code in ("eu-ta-168-2013", "un-r136"):
        certificate_make(world.alpha, code, [bicycle], valid_from=datetime.date(2024, 1, 1))
    vehicles, _batteries = _vehicles(world.alpha, complete=(False,), model=bicycle)
    assert [r["severity"] for r in _passports(_shipment(world.alpha, vehicles, arrival=AFTER))] == ["block"]
