"""Saudi Arabia's SABER certificates, kept as market requirement rows (issue 14, rule 3): a Product Certificate of
Conformity (PCoC) per model, valid on the shipping date, blocks when missing; the Shipment Certificate of
Conformity (SCoC), one per shipment and attached to it, needs review until it is; SASO's EV model approval per
model. Every branch on fixed dates (the check's day is injected, never the clock)."""

import datetime

import pytest
from django_tenants.utils import schema_context

from portal.compliance.choices import Verdict
from portal.compliance.models import Shipment
from portal.compliance.reasons import reason_text
from portal.compliance.services.checks import check_reproduce, shipment_check
from portal.compliance.verdict import Code
from portal.reference.models import MarketRequirement, RequirementDay, RequirementEffect
from tenants.models import Partner

from ..vehicles.factories import model_make
from .factories import certificate_make, reload, shipment_make, vehicles_make

pytestmark = pytest.mark.django_db

SHIP = datetime.date(2026, 3, 2)  # the check's day; the shipping date when the shipment gives none
ARRIVAL = datetime.date(2026, 4, 15)
LONG_AGO = datetime.date(2024, 1, 1)
PCOC_FROM, PCOC_TO = datetime.date(2025, 9, 1), datetime.date(2026, 8, 31)
SABER = {"saber-pcoc", "saber-scoc", "saso-ev-model-approval", "saso-coc"}


def _scooter(partner, *, pcoc=True, name="Thunder S3", **pcoc_dates):
    """An L3e e-motorcycle with UN 38.3 and, by default, a PCoC valid from 2025-09-01 to 2026-08-31."""
    model = model_make(partner, name=name, category="L3e", battery_kwh="1.80", hs_code="8711.60")
    certificate_make(partner, "un38-3", [model], valid_from=LONG_AGO)
    if pcoc:
        dates = {"valid_from": PCOC_FROM, "valid_to": PCOC_TO, **pcoc_dates}
        certificate_make(partner, "saber-pcoc", [model], number=f"PC-{name}", **dates)
    return model


def _shipment(partner, models, *, today=SHIP, scoc="SC-2026-000731", **fields):
    vehicles = [vehicle for model in models for vehicle in vehicles_make(partner, model, 2)]
    values = {
        "destination": "SA",
        "consignee_country": "SA",
        "consignee_name": "Jeddah Two Wheels Est.",
        "hs_code": "8711.60",
        "expected_arrival": ARRIVAL,
        "shipment_certificate": scoc,
        **fields,
    }
    shipment = shipment_make(partner, vehicles=vehicles, **values)
    return _check(partner, shipment, today=today)


def _check(partner, shipment, *, today=SHIP):
    with schema_context(partner.schema_name):
        shipment_check(shipment=shipment, today=today)
    return reload(partner, shipment)


def _saber(shipment) -> dict:
    return {
        (reason["code"], reason["params"].get("certificate_type")): reason
        for reason in shipment.latest_check.reasons
        if reason["params"].get("certificate_type") in SABER
    }


def test_the_rules_are_rows_with_sources_dates_and_history():
    pcoc = MarketRequirement.objects.get(market="SA", certificate_type__code="saber-pcoc")
    scoc = MarketRequirement.objects.get(market="SA", certificate_type__code="saber-scoc")
    assert (pcoc.valid_on, pcoc.effect, pcoc.per_shipment) == (RequirementDay.SHIPPING, RequirementEffect.BLOCK, False)
    assert (scoc.effect, scoc.per_shipment) == (RequirementEffect.REVIEW, True)
    assert pcoc.effective_from == scoc.effective_from == datetime.date(2025, 1, 1)
    assert "SABER" in pcoc.source_reference and "not reachable" in pcoc.note  # says what was not verified
    assert pcoc.certificate_type.max_validity_months == 12
    old = MarketRequirement.objects.get(market="SA", certificate_type__code="saso-coc")
    assert old.effective_until == datetime.date(2024, 12, 31), "SABER replaces the SASO CoC row"
    assert pcoc.history.count() == 1 and old.history.count() == 2  # seeded, then ended: both recorded


def test_a_valid_pcoc_per_model_and_the_scoc_clear(world):
    shipment = _shipment(world.alpha, [_scooter(world.alpha), _scooter(world.alpha, name="Thunder S5")])
    assert shipment.verdict == Verdict.CLEARED, shipment.latest_check.reasons
    assert _saber(shipment) == {}


def test_a_model_without_pcoc_blocks(world):
    certified, bare = _scooter(world.alpha), _scooter(world.alpha, pcoc=False, name="Thunder S9")
    shipment = _shipment(world.alpha, [certified, bare])
    reason = _saber(shipment)[(Code.CERTIFICATE_MISSING, "saber-pcoc")]
    assert shipment.verdict == Verdict.BLOCKED and reason["severity"] == "block"
    assert reason["params"]["model_id"] == bare.pk and len(_saber(shipment)) == 1
    text = reason_text(reason)
    assert "SABER Product Certificate of Conformity (PCoC)" in text and "Thunder S9" in text and "SABER" in text


def test_a_pcoc_of_another_model_does_not_cover_this_one(world):
    covered = _scooter(world.alpha, name="Thunder S3")
    other = _scooter(world.alpha, pcoc=False, name="Thunder S7")
    shipment = _shipment(world.alpha, [other])
    assert (Code.CERTIFICATE_MISSING, "saber-pcoc") in _saber(shipment) and shipment.verdict == Verdict.BLOCKED
    assert covered.pk != other.pk


def test_an_expired_pcoc_blocks(world):
    model = _scooter(world.alpha, valid_from=datetime.date(2025, 2, 1), valid_to=datetime.date(2026, 1, 31))
    shipment = _shipment(world.alpha, [model])
    reason = _saber(shipment)[(Code.CERTIFICATE_EXPIRED, "saber-pcoc")]
    assert shipment.verdict == Verdict.BLOCKED and reason["params"]["valid_to"] == "2026-01-31"
    assert "expired on 2026-01-31" in reason_text(reason)


def test_the_pcoc_is_checked_on_the_shipping_date_not_the_arrival(world):
    """Valid when the vehicles leave, expired before they arrive: the PCoC rule is met."""
    model = _scooter(world.alpha, valid_from=datetime.date(2025, 4, 1), valid_to=datetime.date(2026, 3, 31))
    shipment = _shipment(world.alpha, [model], ships_on=datetime.date(2026, 3, 20))
    assert shipment.verdict == Verdict.CLEARED, shipment.latest_check.reasons


def test_a_pcoc_that_ends_before_the_shipping_date_blocks_with_that_date(world):
    model = _scooter(world.alpha, valid_from=datetime.date(2025, 4, 1), valid_to=datetime.date(2026, 3, 31))
    shipment = _shipment(world.alpha, [model], ships_on=datetime.date(2026, 4, 2))
    reason = _saber(shipment)[(Code.CERTIFICATE_EXPIRES_BEFORE_ARRIVAL, "saber-pcoc")]
    assert shipment.verdict == Verdict.BLOCKED and reason["params"]["on"] == "shipping"
    assert "before the shipping date 2026-04-02" in reason_text(reason)


def test_a_pcoc_valid_only_after_the_shipping_date_blocks(world):
    model = _scooter(world.alpha, valid_from=datetime.date(2026, 3, 10), valid_to=datetime.date(2027, 3, 9))
    shipment = _shipment(world.alpha, [model])
    reason = _saber(shipment)[(Code.CERTIFICATE_NOT_YET_VALID, "saber-pcoc")]
    assert shipment.verdict == Verdict.BLOCKED
    assert "after the shipping date 2026-03-02" in reason_text(reason)


def test_a_pcoc_longer_than_a_year_needs_review(world):
    model = _scooter(world.alpha, valid_from=datetime.date(2025, 6, 1), valid_to=datetime.date(2027, 5, 31))
    shipment = _shipment(world.alpha, [model])
    assert (Code.CERTIFICATE_TOO_LONG, "saber-pcoc") in _saber(shipment)
    assert shipment.verdict == Verdict.NEEDS_REVIEW


def test_without_the_scoc_the_shipment_needs_review_until_it_is_attached(world):
    models = [_scooter(world.alpha), _scooter(world.alpha, name="Thunder S5")]
    shipment = _shipment(world.alpha, models, scoc="")
    reasons = _saber(shipment)
    assert set(reasons) == {(Code.SHIPMENT_CERTIFICATE_MISSING, "saber-scoc")}, "once per shipment, not per model"
    reason = reasons[(Code.SHIPMENT_CERTIFICATE_MISSING, "saber-scoc")]
    assert shipment.verdict == Verdict.NEEDS_REVIEW and reason["severity"] == "review"
    assert "SABER Shipment Certificate of Conformity (SCoC)" in reason_text(reason)
    assert "each shipment" in reason_text(reason)
    with schema_context(world.alpha.schema_name):
        Shipment.objects.filter(pk=shipment.pk).update(shipment_certificate="SC-2026-000731")
        shipment.refresh_from_db()
    assert _check(world.alpha, shipment).verdict == Verdict.CLEARED


def test_before_saber_the_saso_coc_row_applied_and_saber_was_announced(world):
    model = _scooter(world.alpha, pcoc=False)
    day, arrival = datetime.date(2024, 11, 1), datetime.date(2024, 12, 10)
    shipment = _shipment(world.alpha, [model], today=day, expected_arrival=arrival, scoc="")
    reasons = _saber(shipment)
    assert (Code.CERTIFICATE_MISSING, "saso-coc") in reasons, "the rule of the day: SASO CoC"
    assert (Code.RULE_UPCOMING, "saber-pcoc") in reasons and (Code.RULE_UPCOMING, "saber-scoc") in reasons
    assert not {key for key in reasons if key[0] != Code.RULE_UPCOMING and key[1].startswith("saber")}
    certificate_make(world.alpha, "saso-coc", [model], valid_from=LONG_AGO)
    assert _check(world.alpha, shipment, today=day).verdict == Verdict.CLEARED


def test_after_the_effective_date_the_saso_coc_alone_is_not_enough(world):
    model = _scooter(world.alpha, pcoc=False)
    certificate_make(world.alpha, "saso-coc", [model], valid_from=LONG_AGO)
    shipment = _shipment(world.alpha, [model])
    assert (Code.CERTIFICATE_MISSING, "saber-pcoc") in _saber(shipment) and shipment.verdict == Verdict.BLOCKED


def test_electric_cars_need_sasos_model_approval(world):
    """Beta is based outside China (no export licence rule): only Saudi Arabia's rules are at stake."""
    Partner.objects.filter(pk=world.beta.pk).update(country="HU")
    car = model_make(world.beta, name="Volta M1", category="M1", battery_kwh="60.00", hs_code="8703.80")
    certificate_make(world.beta, "un38-3", [car], valid_from=LONG_AGO)
    certificate_make(world.beta, "saber-pcoc", [car], valid_from=PCOC_FROM, valid_to=PCOC_TO)
    shipment = _shipment(world.beta, [car], hs_code="8703.80")
    reason = _saber(shipment)[(Code.CERTIFICATE_MISSING, "saso-ev-model-approval")]
    assert shipment.verdict == Verdict.BLOCKED and "Technical Regulation for Electric Vehicles" in reason_text(reason)
    certificate_make(world.beta, "saso-ev-model-approval", [car], valid_from=LONG_AGO)
    assert _check(world.beta, shipment).verdict == Verdict.CLEARED


def test_staff_change_the_rule_as_data_and_a_stored_check_is_reproduced(world):
    shipment = _shipment(world.alpha, [_scooter(world.alpha)], scoc="")
    stored = shipment.latest_check
    scoc = MarketRequirement.objects.get(market="SA", certificate_type__code="saber-scoc")
    scoc.effect = RequirementEffect.BLOCK
    scoc.save()
    assert _check(world.alpha, shipment).verdict == Verdict.BLOCKED
    with schema_context(world.alpha.schema_name):
        again = check_reproduce(check=stored)
    assert again.verdict == stored.verdict == Verdict.NEEDS_REVIEW
    assert again.reasons_as_dicts() == stored.reasons


def test_the_rules_page_and_the_api_say_how_each_rule_is_checked(world):
    from tenants.choices import Role

    from ..conftest import client_for

    client = client_for(world.alpha, world.person(world.alpha, Role.VIEWER))
    page = client.get("/compliance/rules/").content.decode()
    effects = page.split('data-testid="requirement-effect"')
    assert any("Needs review without a valid certificate" in cell and "one per shipment" in cell for cell in effects)
    assert any(
        "Blocks without a valid certificate" in cell and "valid on the shipping date" in cell for cell in effects
    )
    assert "not reachable here" in page  # the rows' notes show
    rules = client.get("/api/v1/market-requirements/", {"market": "SA"}).json()["results"]
    scoc = next(rule for rule in rules if rule["certificate_type"] == "saber-scoc")
    assert (scoc["effect"], scoc["per_shipment"], scoc["valid_on"]) == ("review", True, "arrival")


def test_the_shipment_page_shows_the_scoc_reference(world):
    from tenants.choices import Role

    from ..conftest import client_for

    shipment = _shipment(world.alpha, [_scooter(world.alpha)])
    page = client_for(world.alpha, world.person(world.alpha, Role.VIEWER)).get(f"/compliance/shipments/{shipment.pk}/")
    assert 'data-testid="shipment-certificate">SC-2026-000731<' in page.content.decode()
