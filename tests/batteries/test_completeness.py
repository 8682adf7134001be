"""Completeness per category: the mandatory attributes a battery's category still lacks, one and many at once."""

import datetime

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from portal.batteries.choices import BatteryCategory, Behaviour, Granularity, ReadingSource
from portal.batteries.models import Battery
from portal.batteries.registry.models import PassportAttribute
from portal.batteries.selectors import (
    batteries_incomplete_for_vehicles,
    passport_missing,
    passports_missing,
)
from portal.batteries.services import battery_reading_add, battery_update
from tests.vehicles.factories import vehicle_make

from ..queries import RealQueries, assert_same_queries
from .factories import battery_make, full_values, model_make

pytestmark = pytest.mark.django_db
CATEGORIES = [BatteryCategory.EV, BatteryCategory.LMT, BatteryCategory.INDUSTRIAL]


def _mandatory_static(category):
    return {
        attribute.code
        for attribute in PassportAttribute.objects.filter(behaviour=Behaviour.STATIC)
        if category in attribute.mandatory_for
    }


@pytest.mark.parametrize("category", CATEGORIES)
def test_a_full_passport_lacks_nothing(world, category):
    battery = battery_make(world.alpha, battery_model=model_make(world.alpha, category=category))
    with schema_context("alpha"):
        assert passport_missing(battery) == []
        assert Battery.objects.get(pk=battery.pk).complete is True


@pytest.mark.parametrize("category", CATEGORIES)
def test_an_empty_passport_lacks_exactly_its_category_s_mandatory_static_attributes(world, category):
    model = model_make(world.alpha, category=category, complete=False)
    battery = battery_make(world.alpha, battery_model=model, complete=False)
    columns = {"battery_passport_identifier", "battery_identifier", "battery_category", "battery_chemistry"}
    with schema_context("alpha"):
        missing = {attribute.code for attribute in passport_missing(battery)}
        assert missing == _mandatory_static(category) - columns
        assert Battery.objects.get(pk=battery.pk).complete is False


def test_categories_differ():
    """The list itself makes some static attributes mandatory for one category only."""
    assert "date_of_putting_the_battery_into_service" in _mandatory_static(BatteryCategory.LMT)
    assert "date_of_putting_the_battery_into_service" not in _mandatory_static(BatteryCategory.EV)
    assert "capacity_threshold_for_exhaustion" in _mandatory_static(BatteryCategory.EV)
    assert "capacity_threshold_for_exhaustion" not in _mandatory_static(BatteryCategory.INDUSTRIAL)


def test_an_lmt_value_on_an_ev_model_does_not_count_and_is_not_needed(world):
    """An EV battery with the EV list complete is complete, whatever LMT-only attributes say."""
    values = full_values(BatteryCategory.EV, Granularity.MODEL)
    model = model_make(world.alpha, category=BatteryCategory.EV, complete=False, values=values)
    battery = battery_make(world.alpha, battery_model=model)
    assert battery.complete


def test_one_missing_model_value_is_named(world):
    values = full_values(BatteryCategory.LMT, Granularity.MODEL)
    del values["battery_mass"]
    model = model_make(world.alpha, complete=False, values=values)
    battery = battery_make(world.alpha, battery_model=model)
    with schema_context("alpha"):
        assert [attribute.code for attribute in passport_missing(battery)] == ["battery_mass"]


def test_battery_values_fill_what_the_model_lacks(world):
    values = full_values(BatteryCategory.LMT, Granularity.MODEL)
    del values["battery_mass"]
    model = model_make(world.alpha, complete=False, values=values)
    battery = battery_make(world.alpha, battery_model=model)
    with schema_context("alpha"):
        battery = battery_update(battery=battery, partner=world.alpha, values_merge={"battery_mass": "11 kg"})
        assert battery.complete and passport_missing(battery) == []


def test_dynamic_attributes_count_only_when_asked(world):
    battery = battery_make(world.alpha, battery_model=model_make(world.alpha, category=BatteryCategory.EV))
    with schema_context("alpha"):
        dynamic = {attribute.code for attribute in passport_missing(battery, include_dynamic=True)}
        assert "number_of_full_charging_and_discharging_cycles" in dynamic
        assert "state_of_certified_energy_soce" in dynamic
        battery_reading_add(
            battery=battery,
            partner=world.alpha,
            measured_at=datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC),
            state_of_health=98,
            cycles=40,
            source=ReadingSource.BMS,
        )
        after = {attribute.code for attribute in passport_missing(battery, include_dynamic=True)}
        assert "number_of_full_charging_and_discharging_cycles" not in after
        assert "state_of_certified_energy_soce" not in after
        assert passports_missing([battery], include_dynamic=True)[battery.pk] == passport_missing(
            battery, include_dynamic=True
        )


def test_bulk_completeness_matches_one_by_one_in_constant_queries(world):
    complete_model = model_make(world.alpha)
    empty_model = model_make(world.alpha, complete=False)

    def make(count):
        return [
            battery_make(world.alpha, battery_model=complete_model if index % 2 else empty_model, complete=index % 2)
            for index in range(count)
        ]

    few, many = make(2), make(10)
    with schema_context("alpha"):
        few = list(Battery.objects.filter(pk__in=[battery.pk for battery in few]))
        many = list(Battery.objects.filter(pk__in=[battery.pk for battery in many]))
        for dynamic in (False, True):
            with RealQueries(connection) as q_few:
                passports_missing(few, include_dynamic=dynamic)
            with RealQueries(connection) as q_many:
                result = passports_missing(many, include_dynamic=dynamic)
            assert_same_queries(q_few, q_many, "passports_missing")
            for battery in many:
                assert result[battery.pk] == passport_missing(battery, include_dynamic=dynamic)


def test_incomplete_batteries_by_vehicle(world):
    vehicle = vehicle_make(world.alpha)
    other = vehicle_make(world.alpha)
    incomplete = battery_make(world.alpha, complete=False, vin=vehicle.vin, fitted_on=datetime.date(2026, 1, 1))
    battery_make(world.alpha, vin=other.vin, fitted_on=datetime.date(2026, 1, 1))
    with schema_context("alpha"):
        found = batteries_incomplete_for_vehicles(vehicle_ids=[vehicle.pk, other.pk])
        assert {key: [battery.pk for battery in value] for key, value in found.items()} == {vehicle.pk: [incomplete.pk]}
