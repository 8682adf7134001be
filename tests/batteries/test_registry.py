"""The attribute list is loaded from the shipped xlsx (never retyped), and the access groups follow it."""

import pytest
from django.core.management import call_command

from portal.batteries.access import attributes_for
from portal.batteries.choices import AccessGroup, BatteryCategory, Behaviour, Granularity, Reader
from portal.batteries.registry.attributes import ATTRIBUTE_LIST, attribute_code, attribute_rows
from portal.batteries.registry.models import PassportAttribute

pytestmark = pytest.mark.django_db


def test_the_migration_loaded_every_attribute_of_the_list():
    rows = attribute_rows()
    assert len(rows) == 93
    assert PassportAttribute.objects.count() == 93
    assert ATTRIBUTE_LIST.is_relative_to(ATTRIBUTE_LIST.parents[3])  # shipped inside portal/batteries
    assert "shared" not in ATTRIBUTE_LIST.parts


def test_rows_carry_the_list_s_columns():
    attribute = PassportAttribute.objects.get(code="battery_identifier")
    assert attribute.number == 2
    assert attribute.access == AccessGroup.PUBLIC
    assert attribute.behaviour == Behaviour.STATIC
    assert attribute.granularity == Granularity.BATTERY
    assert attribute.mandatory_for == [BatteryCategory.EV, BatteryCategory.LMT, BatteryCategory.INDUSTRIAL]
    assert "Annex XIII" in attribute.regulation_reference
    soce = PassportAttribute.objects.get(code="state_of_certified_energy_soce")
    assert soce.mandatory_for == [BatteryCategory.EV] and soce.behaviour == Behaviour.DYNAMIC
    assert soce.access == AccessGroup.LEGITIMATE_INTEREST
    tests = PassportAttribute.objects.get(code="results_of_test_reports_proving_compliance")
    assert tests.access == AccessGroup.AUTHORITY
    operator = PassportAttribute.objects.get(code="operator_identifier_and_information")
    assert not operator.mandatory and operator.voluntary_for == [
        BatteryCategory.EV,
        BatteryCategory.LMT,
        BatteryCategory.INDUSTRIAL,
    ]


def test_counts_per_access_group_match_the_list():
    counts = {group: PassportAttribute.objects.filter(access=group).count() for group in AccessGroup.values}
    assert counts == {AccessGroup.PUBLIC: 60, AccessGroup.LEGITIMATE_INTEREST: 32, AccessGroup.AUTHORITY: 1}


def test_reloading_changes_nothing(capsys):
    before = list(PassportAttribute.objects.order_by("number").values())
    call_command("passport_attributes_load")
    assert "93 (0 created, 0 updated)" in capsys.readouterr().out
    assert list(PassportAttribute.objects.order_by("number").values()) == before


def test_attribute_codes_are_the_names_in_snake_case():
    assert attribute_code("State of Charge (SoC)") == "state_of_charge_soc"
    assert attribute_code("Round trip energy efficiency at 50% of cycle life") == (
        "round_trip_energy_efficiency_at_50_of_cycle_life"
    )


@pytest.mark.parametrize(
    ("reader", "groups"),
    [
        (Reader.PUBLIC, {AccessGroup.PUBLIC}),
        (Reader.LEGITIMATE_INTEREST, {AccessGroup.PUBLIC, AccessGroup.LEGITIMATE_INTEREST}),
        (Reader.AUTHORITY, set(AccessGroup.values)),
        (Reader.OWNER, set(AccessGroup.values)),
        ("someone", set()),
    ],
)
def test_attributes_for_each_reader(reader, groups):
    seen = list(attributes_for(reader))
    expected = list(PassportAttribute.objects.filter(access__in=groups).order_by("number"))
    assert seen == expected
    for attribute in PassportAttribute.objects.all():
        assert (attribute in seen) == (attribute.access in groups), (reader, attribute.code)
