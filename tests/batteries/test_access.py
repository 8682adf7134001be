"""Access groups per attribute and per reader: the public, a legitimate interest, an authority, the owner."""

import pytest
from django_tenants.utils import schema_context

from portal.batteries.access import attributes_for, may_read
from portal.batteries.choices import AccessGroup, BatteryCategory, Reader
from portal.batteries.registry.models import PassportAttribute
from portal.batteries.selectors import passport_sections, passport_values

from .factories import battery_make, model_make

pytestmark = pytest.mark.django_db
SEES = {
    Reader.PUBLIC: {AccessGroup.PUBLIC},
    Reader.LEGITIMATE_INTEREST: {AccessGroup.PUBLIC, AccessGroup.LEGITIMATE_INTEREST},
    Reader.AUTHORITY: set(AccessGroup.values),
    Reader.OWNER: set(AccessGroup.values),
}


@pytest.mark.parametrize("reader", list(SEES))
def test_every_attribute_for_every_reader(reader):
    for attribute in PassportAttribute.objects.all():
        assert may_read(reader, attribute) == (attribute.access in SEES[reader]), (reader, attribute.code)
    assert set(attributes_for(reader).values_list("access", flat=True)) == SEES[reader]


@pytest.mark.parametrize("reader", list(SEES))
@pytest.mark.parametrize("category", [BatteryCategory.EV, BatteryCategory.LMT, BatteryCategory.INDUSTRIAL])
def test_passport_values_never_carry_what_the_reader_may_not_see(world, reader, category):
    model = model_make(world.alpha, category=category)
    battery = battery_make(world.alpha, battery_model=model)
    with schema_context("alpha"):
        entries = passport_values(battery=battery, reader=reader)
    shown = {entry.attribute.code for entry in entries}
    expected = {
        attribute.code
        for attribute in PassportAttribute.objects.all()
        if attribute.access in SEES[reader] and category in attribute.categories
    }
    assert shown == expected
    secret = "materials_used_in_cathode_anode_and_electrolyte"  # legitimate interest (and the Commission)
    tests = "results_of_test_reports_proving_compliance"  # authorities only
    assert (secret in shown) == (reader != Reader.PUBLIC)
    assert (tests in shown) == (reader in (Reader.AUTHORITY, Reader.OWNER))
    values = {entry.attribute.code: entry.value for entry in entries}
    if secret in shown:
        assert values[secret] == f"value of {secret}"


def test_unknown_reader_sees_nothing(world):
    battery = battery_make(world.alpha)
    with schema_context("alpha"):
        assert passport_values(battery=battery, reader="visitor") == []


def test_owner_sections_are_what_each_reader_sees(world):
    battery = battery_make(world.alpha)
    with schema_context("alpha"):
        sections = dict(passport_sections(battery=battery))
        for reader in (Reader.PUBLIC, Reader.LEGITIMATE_INTEREST, Reader.AUTHORITY):
            assert [entry.attribute.code for entry in sections[reader]] == [
                entry.attribute.code for entry in passport_values(battery=battery, reader=reader)
            ]
