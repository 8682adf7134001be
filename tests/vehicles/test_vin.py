"""VIN rules per market, from published VINs (49 CFR 565 literature, ISO 3779 examples) and computed ones."""

import datetime

import pytest

from portal.vehicles.vin import CHECK_DIGIT_MARKETS, check_digit, model_year, vin_check, wmi_key, wmi_owner_map

OWN, OTHER = 1, 2
OWNERS = {("LXY", ""): OWN, ("LZT", ""): OTHER, ("LA9", "ABC"): OWN, ("LA9", "XYZ"): OTHER, ("MK9", ""): OWN}


def with_check_digit(vin: str) -> str:
    """Put the right check digit in position 9 (the test builds Chinese VINs instead of hard-coding them)."""
    return vin[:8] + check_digit(vin[:8] + "0" + vin[9:]) + vin[9:]


def codes(problems) -> set[str]:
    return {p.code for p in problems}


@pytest.mark.parametrize("market", ["CN", "US", "CA", "MX", "EU", "TH", "SA", "IN", "DE"])
def test_published_vins_are_valid_everywhere(market):
    for vin in ("1M8GDM9AXKP042788", "11111111111111111"):
        check = vin_check(vin, market=market, wmi_owners={})
        assert check.ok, check.errors
        assert codes(check.warnings) == {"wmi_unknown"}


def test_check_digit_of_published_examples():
    assert check_digit("1M8GDM9AXKP042788") == "X"
    assert check_digit("11111111111111111") == "1"


def test_model_year_cycle():
    today = datetime.date(2026, 11, 22)
    assert model_year("K", today=today) == 2019
    assert model_year("A", today=today) == 2010
    assert model_year("T", today=today) == 2026
    assert model_year("V", today=today) == 2027  # next year's models are on sale
    assert model_year("W", today=today) == 1998
    assert model_year("9", today=today) == 2009
    assert model_year("U") is None and model_year("Z") is None and model_year("0") is None
    assert vin_check("1M8GDM9AXKP042788", market="US", wmi_owners={}).model_year == 2019


def test_input_is_normalised():
    check = vin_check("  1m8gdm9axkp042788 \n", market="US", wmi_owners={})
    assert check.ok and check.vin == "1M8GDM9AXKP042788" and check.wmi == "1M8"


@pytest.mark.parametrize("market", ["EU", "TH", "SA", "IN", "DE", "other"])
def test_eu_vin_with_z_in_check_position_warns_outside_strict_markets(market):
    check = vin_check("WP0ZZZ99ZTS392124", market=market, wmi_owners={})
    assert check.ok
    assert "check_digit" in codes(check.warnings)
    message = next(p.message for p in check.warnings if p.code == "check_digit")
    assert "Position 9 should be" in message and "not Z" in message


@pytest.mark.parametrize("market", sorted(CHECK_DIGIT_MARKETS))
def test_wrong_check_digit_is_an_error_in_china_and_north_america(market):
    check = vin_check("WP0ZZZ99ZTS392124", market=market, wmi_owners={})
    assert not check.ok
    assert codes(check.errors) == {"check_digit"}


def test_market_is_case_insensitive():
    assert not vin_check("WP0ZZZ99ZTS392124", market="cn", wmi_owners={}).ok


@pytest.mark.parametrize(
    ("vin", "code"),
    [
        ("1M8GDM9AXKP04278", "length"),
        ("1M8GDM9AXKP0427888", "length"),
        ("", "length"),
        ("1M8GDM9AXKP04278O", "alphabet"),
        ("IM8GDM9AXKP042788", "alphabet"),
        ("1M8GDQ9AXKP042788", "alphabet"),
        ("1M8GDM9AXKP04278-", "alphabet"),
        ("1M8GDM9AXKP0427 8", "alphabet"),
    ],
)
def test_shape_errors_in_every_market(vin, code):
    for market in ("CN", "EU"):
        check = vin_check(vin, market=market, wmi_owners={})
        assert code in codes(check.errors)
        assert not check.ok


def test_wrong_check_digit_message_names_the_expected_digit():
    check = vin_check("1M8GDM9A3KP042788", market="US", wmi_owners={})
    assert [p.message for p in check.errors] == ["Position 9 should be X (check digit), not 3."]


def test_chinese_vin_with_computed_check_digit():
    vin = with_check_digit("LXYJCNL00N0000001")
    assert vin[8] != "0" or check_digit(vin) == "0"
    check = vin_check(vin, market="CN", partner_id=OWN, wmi_owners=OWNERS)
    assert check.ok and check.warnings == ()
    assert check.wmi == "LXY" and check.model_year == 2022
    wrong = vin[:8] + ("1" if vin[8] != "1" else "2") + vin[9:]
    assert codes(vin_check(wrong, market="CN", partner_id=OWN, wmi_owners=OWNERS).errors) == {"check_digit"}


@pytest.mark.parametrize("char", ["U", "Z", "0"])
def test_model_year_character(char):
    vin = with_check_digit(f"LXYJCNL00{char}0000001")
    assert codes(vin_check(vin, market="CN", partner_id=OWN, wmi_owners=OWNERS).errors) == {"model_year"}
    eu = vin_check(vin, market="EU", partner_id=OWN, wmi_owners=OWNERS)
    assert eu.ok and codes(eu.warnings) == {"model_year"} and eu.model_year is None


def test_wmi_of_another_member_is_refused_in_every_market():
    vin = with_check_digit("LZTJCNL00N0000001")
    for market in ("CN", "EU", "TH"):
        check = vin_check(vin, market=market, partner_id=OWN, wmi_owners=OWNERS)
        assert codes(check.errors) == {"wmi_other_partner"}
    # The owner itself registers it without a finding.
    assert vin_check(vin, market="CN", partner_id=OTHER, wmi_owners=OWNERS).warnings == ()


def test_unknown_wmi_warns():
    vin = with_check_digit("LQQJCNL00N0000001".replace("Q", "B"))
    check = vin_check(vin, market="CN", partner_id=OWN, wmi_owners=OWNERS)
    assert check.ok and codes(check.warnings) == {"wmi_unknown"}
    assert "not in the alliance WMI register" in check.warnings[0].message


def test_without_partner_the_register_is_only_consulted_for_presence():
    vin = with_check_digit("LZTJCNL00N0000001")
    assert vin_check(vin, market="CN", wmi_owners=OWNERS).ok


def test_small_makers_are_told_apart_by_positions_12_to_14():
    mine = with_check_digit("LA9JCNL00N1ABC001")
    theirs = with_check_digit("LA9JCNL00N1XYZ001")
    unknown = with_check_digit("LA9JCNL00N1DEF001")
    assert wmi_key(mine) == ("LA9", "ABC")
    assert vin_check(mine, market="CN", partner_id=OWN, wmi_owners=OWNERS).warnings == ()
    assert codes(vin_check(theirs, market="CN", partner_id=OWN, wmi_owners=OWNERS).errors) == {"wmi_other_partner"}
    assert codes(vin_check(unknown, market="CN", partner_id=OWN, wmi_owners=OWNERS).warnings) == {"wmi_unknown"}


def test_small_maker_wmi_registered_as_a_whole():
    vin = with_check_digit("MK9TH1E00S1230001")
    assert vin_check(vin, market="TH", partner_id=OWN, wmi_owners=OWNERS).warnings == ()
    assert codes(vin_check(vin, market="TH", partner_id=OTHER, wmi_owners=OWNERS).errors) == {"wmi_other_partner"}


@pytest.mark.django_db
def test_register_is_read_from_the_database(world):
    from portal.reference.models import WmiAssignment

    WmiAssignment.objects.create(wmi="LXY", partner=world.alpha)
    WmiAssignment.objects.create(wmi="LA9", small_maker_code="ABC", partner=world.beta)
    owners = wmi_owner_map()
    assert owners == {("LXY", ""): world.alpha.pk, ("LA9", "ABC"): world.beta.pk}
    vin = with_check_digit("LXYJCNL00N0000001")
    assert vin_check(vin, market="CN", partner_id=world.alpha.pk).ok
    assert not vin_check(vin, market="CN", partner_id=world.beta.pk).ok


def test_no_query_when_the_owner_map_is_given():
    # No django_db mark: any query here would raise.
    for _ in range(100):
        assert vin_check("1M8GDM9AXKP042788", market="US", partner_id=OWN, wmi_owners=OWNERS).ok
